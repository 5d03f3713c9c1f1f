"""Every /leerroutes endpoint for every role: anonymous, reader, coordinator of
a party, coordinator of another organisation, staff, admin; plus ids that do
not exist. Exports never hold what the user could not see."""
import io

import pytest
from flask import url_for
from openpyxl import load_workbook

from portal.services.learning_routes import operations as service
from tests.conftest import login_as
from tests.factories_routes import RouteWorld, route_data

ROLES = ("anonymous", "reader", "coordinator", "other_coordinator", "staff", "admin")


class World(RouteWorld):
    def __init__(self, session):
        super().__init__()
        create = lambda title, school, roc, **kw: service.register_route(  # noqa: E731
            session, route_data(school, roc, title=title, **kw), self.staff)
        self.public = create("Openbare route Zorg", self.school, self.roc)
        self.concept = create("Conceptroute Eigen", self.school, self.roc, status="concept")
        self.other = create("Openbare route Ander", self.other_school, self.other_roc)
        self.other_concept = create("Geheime conceptroute Ander", self.other_school, self.other_roc, status="concept")
        self.archived = create("Gearchiveerde route", self.school, self.roc)
        service.archive_route(session, self.archived, self.staff)
        session.flush()

    def user(self, role):
        return None if role == "anonymous" else getattr(self, role)


@pytest.fixture
def world(db_session):
    return World(db_session)


def as_role(client, world, role):
    return login_as(client, world.user(role))


def expect(response, code):
    if code == "login":
        assert response.status_code == 302 and "/login" in response.headers["Location"], response.status_code
    else:
        assert response.status_code == code, (response.status_code, response.data[:300])


# (endpoint, route attribute or None, method, expected per role in ROLES order). Views that
# need a login send the anonymous user to it first (@login_required), before the route is loaded.
MATRIX = [
    ("index", None, "GET", (200, 200, 200, 200, 200, 200)),
    ("detail", "public", "GET", (200, 200, 200, 200, 200, 200)),
    ("detail", "concept", "GET", (404, 404, 200, 404, 200, 200)),
    ("detail", "archived", "GET", (404, 404, 404, 404, 200, 200)),
    ("history", "public", "GET", ("login", 200, 200, 200, 200, 200)),
    ("history", "concept", "GET", ("login", 404, 200, 404, 200, 200)),
    ("create", None, "GET", ("login", 403, 200, 200, 200, 200)),
    ("edit", "public", "GET", ("login", 403, 200, 403, 200, 200)),
    ("edit", "concept", "GET", ("login", 404, 200, 404, 200, 200)),
    ("edit", "archived", "GET", ("login", 404, 404, 404, 403, 403)),
    ("archive", "public", "POST", ("login", 403, 302, 403, 302, 302)),
    ("restore", "archived", "POST", ("login", 404, 404, 404, 302, 302)),
    ("restore", "public", "POST", ("login", 403, 403, 403, 403, 403)),
    ("mine", None, "GET", ("login", 403, 200, 200, 403, 403)),
    ("export_csv", None, "GET", (200, 200, 200, 200, 200, 200)),
    ("export_xlsx", None, "GET", (200, 200, 200, 200, 200, 200)),
    ("import_csv", None, "GET", ("login", 403, 200, 200, 200, 200)),
    ("import_template", None, "GET", ("login", 403, 200, 200, 200, 200)),
    # the registration at DUO of the route's vmbo school (the coordinator's): that school and staff
    ("edit_rio", "public", "GET", ("login", 403, 200, 403, 200, 200)),
    ("edit_rio", "concept", "GET", ("login", 404, 200, 404, 200, 200)),
    ("edit_rio", "archived", "GET", ("login", 404, 404, 404, 403, 403)),
]


@pytest.mark.parametrize("role_index, role", list(enumerate(ROLES)))
@pytest.mark.parametrize("endpoint, target, method, codes", MATRIX,
                         ids=[f"{m[0]}-{m[1] or 'list'}" for m in MATRIX])
def test_every_endpoint_for_every_role(app, client, world, role_index, role, endpoint, target, method, codes):
    as_role(client, world, role)
    with app.test_request_context():
        kwargs = {"route_id": getattr(world, target).id} if target else {}
        if endpoint == "edit_rio":
            kwargs["school_id"] = world.school.id
        url = url_for(f"learning_routes.{endpoint}", **kwargs)
    response = client.get(url) if method == "GET" else client.post(url)
    expect(response, codes[role_index])


def test_the_matrix_covers_every_endpoint_of_the_blueprint(app):
    endpoints = {rule.endpoint.split(".", 1)[1] for rule in app.url_map.iter_rules()
                 if rule.endpoint.startswith("learning_routes.")}
    assert endpoints == {m[0] for m in MATRIX}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint, method", [("detail", "GET"), ("history", "GET"), ("edit", "GET"),
                                              ("edit", "POST"), ("archive", "POST"), ("restore", "POST")])
def test_ids_that_do_not_exist_are_404(client, world, role, endpoint, method):
    """404 for whoever may open the page; the pages behind a login first send
    the anonymous user to the login page (@login_required), which says no
    more about whether the route exists."""
    as_role(client, world, role)
    path = {"detail": "/leerroutes/999999", "history": "/leerroutes/999999/geschiedenis",
            "edit": "/leerroutes/999999/bewerken", "archive": "/leerroutes/999999/archiveren",
            "restore": "/leerroutes/999999/herstellen"}[endpoint]
    response = client.get(path) if method == "GET" else client.post(path)
    expect(response, "login" if role == "anonymous" and endpoint != "detail" else 404)


@pytest.mark.parametrize("role, contact_visible", [("anonymous", False), ("reader", True), ("coordinator", True)])
def test_contact_details_only_for_logged_in_users(client, world, role, contact_visible):
    as_role(client, world, role)
    html = client.get(f"/leerroutes/{world.public.id}").get_data(as_text=True)
    assert ("jan@example.org" in html) is contact_visible
    assert ("Log in</a> om de contactgegevens te zien" in html) is (not contact_visible)
    csv_text = client.get("/leerroutes/export.csv").get_data(as_text=True)
    assert ("jan@example.org" in csv_text) is contact_visible


def export_titles(client, fmt, query=""):
    response = client.get(f"/leerroutes/export.{fmt}{query}")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    if fmt == "csv":
        text = response.data.decode("utf-8-sig")
        return {line.split(";")[1] for line in text.splitlines()[1:]}
    sheet = load_workbook(io.BytesIO(response.data)).active
    return {row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}


VISIBLE = {
    "anonymous": {"Openbare route Zorg", "Openbare route Ander"},
    "reader": {"Openbare route Zorg", "Openbare route Ander"},
    "coordinator": {"Openbare route Zorg", "Openbare route Ander", "Conceptroute Eigen"},
    "other_coordinator": {"Openbare route Zorg", "Openbare route Ander", "Geheime conceptroute Ander"},
    "staff": {"Openbare route Zorg", "Openbare route Ander", "Conceptroute Eigen", "Geheime conceptroute Ander"},
}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("role", list(VISIBLE))
def test_exports_hold_exactly_what_the_user_may_see(client, world, role, fmt):
    as_role(client, world, role)
    titles = export_titles(client, fmt)
    mine = {t for t in titles if t in {r.title for r in (world.public, world.concept, world.other,
                                                           world.other_concept, world.archived)}}
    assert mine == VISIBLE[role]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_filtered_on_another_organisation_does_not_leak_its_concepts(client, world, fmt):
    as_role(client, world, "coordinator")
    query = f"?organisation={world.other_school.id}&status=concept&archief=1"
    assert export_titles(client, fmt, query) == set()
    query = f"?organisation={world.other_school.id}"
    assert export_titles(client, fmt, query) == {"Openbare route Ander"}


def test_staff_export_of_the_archive_contains_archived_routes_only_when_asked(client, world):
    as_role(client, world, "staff")
    assert "Gearchiveerde route" not in export_titles(client, "csv")
    assert "Gearchiveerde route" in export_titles(client, "csv", "?archief=1")
    client.post("/logout")
    as_role(client, world, "coordinator")
    assert "Gearchiveerde route" not in export_titles(client, "csv", "?archief=1")


def test_organisation_search_never_shows_routes_only_organisations(client, world):
    as_role(client, world, "coordinator")
    html = client.get("/zoeken/organisaties?kind=mbo&q=ROC&field=zoek_mbo_q").get_data(as_text=True)
    assert "ROC Eerste" in html and "ROC Andere" in html
    assert client.get("/zoeken/organisaties?kind=gemeente&q=x").status_code == 400


def edit_form(world, route, **changes):
    data = {"title": route.title + " (bewerkt)", "kind": "glr", "status": "voorbereiding", "pathways": ["BB"],
            "profiles": ["ZW"], "mbo_level": "2", "crebo": "25498", "qualification_name": "Helpende",
            "teaching_location": "beide", "first_school_year": "2025-2026", "version_id": str(route.version_id),
            "vmbo_parties": [str(p.organisation_id) for p in route.parties if p.role == "vmbo"],
            "mbo_parties": [str(p.organisation_id) for p in route.parties if p.role == "mbo"], "opslaan": "1"}
    data.update(changes)
    return data


@pytest.mark.parametrize("role, code", list(zip(ROLES, ("login", 403, 302, 403, 302, 302), strict=False)))
def test_saving_an_edit_per_role(client, world, db_session, role, code):
    as_role(client, world, role)
    response = client.post(f"/leerroutes/{world.public.id}/bewerken", data=edit_form(world, world.public))
    expect(response, code)
    db_session.refresh(world.public)
    assert world.public.title.endswith("(bewerkt)") is (code == 302)


@pytest.mark.parametrize("role, code", list(zip(ROLES, ("login", 403, 302, 302, 302, 302), strict=False)))
def test_registering_per_role(client, world, db_session, role, code):
    as_role(client, world, role)
    school = world.other_school if role == "other_coordinator" else world.school
    roc = world.other_roc if role == "other_coordinator" else world.roc
    data = edit_form(world, world.public, title="Per rol geregistreerd", vmbo_parties=[str(school.id)],
                     mbo_parties=[str(roc.id)], version_id="")
    expect(client.post("/leerroutes/nieuw", data=data), code)


def test_a_coordinator_cannot_register_for_another_organisation(client, world, db_session):
    as_role(client, world, "coordinator")
    data = edit_form(world, world.other, title="Vreemde route", version_id="",
                     vmbo_parties=[str(world.other_school.id)], mbo_parties=[str(world.other_roc.id)])
    html = client.post("/leerroutes/nieuw", data=data).get_data(as_text=True)
    assert "Je eigen organisatie moet partij blijven" in html
    assert client.get("/leerroutes/?q=Vreemde").get_data(as_text=True).count("Vreemde route") == 0
