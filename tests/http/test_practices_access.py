"""Every endpoint of /bibliotheek x every role: who gets 200, a redirect to the
login page, 403 or 404; unpublished practices stay invisible to the public."""
import io

import pytest

from portal.models.practice import GoodPractice
from portal.services.practices import attachments
from portal.services.practices import operations as service
from tests.conftest import login_as
from tests.factories import make_user
from tests.factories_practices import PDF_BYTES, make_practice

ROLES = ("anonymous", "reader", "author", "other_coordinator", "staff")


@pytest.fixture
def world(db_session, app):
    author = make_user("coordinator")
    users = {"reader": make_user("reader"), "author": author,
             "other_coordinator": make_user("coordinator"), "staff": make_user("staff")}
    practices = {status: make_practice(author, status=status, title=f"Voorbeeld {status}")
                 for status in ("concept", "ingediend", "teruggestuurd", "gepubliceerd")}
    practices["archived"] = make_practice(author, status="gepubliceerd", title="Voorbeeld gearchiveerd")
    for practice in practices.values():
        file = io.BytesIO(PDF_BYTES)
        from werkzeug.datastructures import FileStorage
        attachments.add_attachment(db_session, practice, FileStorage(stream=file, filename="a.pdf"), "Bijlage", author)
    service.archive_practice(db_session, practices["archived"], users["staff"])
    db_session.flush()
    return users, practices


def _client_for(app, world, role):
    users, _ = world
    return login_as(app.test_client(), users.get(role))


def _is_login_redirect(response):
    return response.status_code == 302 and "/login" in response.headers["Location"]


# (method, url template, practice status, expected per role in ROLES order)
# "login" = redirect to the login page; "ok" = 200 for a page, a redirect (not to
# the login page) for an action.
CASES = [
    ("GET", "/bibliotheek/", None, ["ok", "ok", "ok", "ok", "ok"]),
    ("GET", "/bibliotheek/{id}", "gepubliceerd", ["ok", "ok", "ok", "ok", "ok"]),
    ("GET", "/bibliotheek/{id}", "concept", [404, 404, "ok", 404, "ok"]),
    ("GET", "/bibliotheek/{id}", "ingediend", [404, 404, "ok", 404, "ok"]),
    ("GET", "/bibliotheek/{id}", "teruggestuurd", [404, 404, "ok", 404, "ok"]),
    ("GET", "/bibliotheek/nieuw", None, ["login", 403, "ok", "ok", "ok"]),
    ("GET", "/bibliotheek/{id}/bewerken", "concept", ["login", 403, "ok", 403, "ok"]),
    ("GET", "/bibliotheek/{id}/bewerken", "teruggestuurd", ["login", 403, "ok", 403, "ok"]),
    ("GET", "/bibliotheek/{id}/bewerken", "ingediend", ["login", 403, 403, 403, "ok"]),
    ("GET", "/bibliotheek/{id}/bewerken", "gepubliceerd", ["login", 403, 403, 403, "ok"]),
    ("POST", "/bibliotheek/{id}/indienen", "concept", ["login", 403, "ok", 403, "ok"]),
    ("POST", "/bibliotheek/{id}/indienen", "gepubliceerd", ["login", 403, 403, 403, 403]),
    ("POST", "/bibliotheek/{id}/publiceren", "ingediend", ["login", 403, 403, 403, "ok"]),
    ("POST", "/bibliotheek/{id}/terugsturen", "ingediend", ["login", 403, 403, 403, "ok"]),
    ("POST", "/bibliotheek/{id}/archiveren", "concept", ["login", 403, "ok", 403, "ok"]),
    ("POST", "/bibliotheek/{id}/archiveren", "gepubliceerd", ["login", 403, 403, 403, "ok"]),
    ("GET", "/bibliotheek/{id}", "archived", [404, 404, 404, 404, "ok"]),
    ("POST", "/bibliotheek/{id}/herstellen", "archived", ["login", 403, 403, 403, "ok"]),
    ("POST", "/bibliotheek/{id}/herstellen", "gepubliceerd", ["login", 403, 403, 403, 403]),
    ("POST", "/bibliotheek/{id}/bijlagen", "concept", ["login", 403, "ok", 403, "ok"]),
    ("POST", "/bibliotheek/{id}/bijlagen", "gepubliceerd", ["login", 403, 403, 403, "ok"]),
    ("GET", "/bibliotheek/{id}/bijlagen/{att}", "gepubliceerd", ["ok", "ok", "ok", "ok", "ok"]),
    ("GET", "/bibliotheek/{id}/bijlagen/{att}", "concept", [404, 404, "ok", 404, "ok"]),
    ("POST", "/bibliotheek/{id}/bijlagen/{att}/verwijderen", "concept", ["login", 403, "ok", 403, "ok"]),
    ("POST", "/bibliotheek/{id}/bijlagen/{att}/verwijderen", "gepubliceerd", ["login", 403, 403, 403, "ok"]),
    ("GET", "/bibliotheek/moderatie", None, ["login", 403, 403, 403, "ok"]),
    ("GET", "/bibliotheek/mijn", None, ["login", 403, "ok", "ok", "ok"]),
]

FORM_DATA = {
    "terugsturen": {"reason": "Graag concreter beschrijven wat het oplevert."},
    "bijlagen": lambda: {"title": "Nog een bijlage", "file": (io.BytesIO(PDF_BYTES), "b.pdf")},
}


def _request(client, method, url, practice):
    if method == "GET":
        return client.get(url)
    data = {"version_id": str(practice.version_id)} if practice else {}
    last = url.rstrip("/").rsplit("/", 1)[-1]
    extra = FORM_DATA.get(last)
    if callable(extra):
        extra = extra()
    data.update(extra or {})
    return client.post(url, data=data, content_type="multipart/form-data")


@pytest.mark.parametrize("role_index, role", list(enumerate(ROLES)))
@pytest.mark.parametrize("method, template, status, expected", CASES,
                         ids=[f"{m} {t} {s}" for m, t, s, _ in CASES])
def test_endpoint_by_role(app, world, role_index, role, method, template, status, expected):
    _, practices = world
    practice = practices.get(status) if status else None
    url = template.format(id=practice.id if practice else 0,
                          att=practice.attachments[0].id if practice else 0)
    want = expected[role_index]
    # `with`: an attachment is a file response, to be closed.
    with _request(_client_for(app, world, role), method, url, practice) as response:
        if want == "login":
            assert _is_login_redirect(response), (response.status_code, response.headers.get("Location"))
        elif want == "ok":  # a page is shown; an action redirects, not to the login page
            assert response.status_code == (200 if method == "GET" else 302), response.status_code
            if method == "POST":
                assert "/login" not in response.headers["Location"]
        else:
            assert response.status_code == want


UNKNOWN = [
    ("GET", "/bibliotheek/999999"), ("GET", "/bibliotheek/999999/bewerken"),
    ("POST", "/bibliotheek/999999/indienen"), ("POST", "/bibliotheek/999999/publiceren"),
    ("POST", "/bibliotheek/999999/terugsturen"), ("POST", "/bibliotheek/999999/archiveren"),
    ("POST", "/bibliotheek/999999/bijlagen"), ("GET", "/bibliotheek/999999/bijlagen/1"),
    ("POST", "/bibliotheek/999999/bijlagen/1/verwijderen"),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method, url", UNKNOWN)
def test_unknown_ids_are_404_for_everyone(app, world, role, method, url):
    client = _client_for(app, world, role)
    response = client.get(url) if method == "GET" else client.post(url, data={})
    assert response.status_code == 404


def test_attachment_of_another_practice_is_404(app, world):
    _, practices = world
    other = practices["concept"].attachments[0].id
    response = app.test_client().get(f"/bibliotheek/{practices['gepubliceerd'].id}/bijlagen/{other}")
    assert response.status_code == 404


def test_every_library_endpoint_is_in_the_matrix(app):
    covered = {t.split("{")[0].rstrip("/") for _, t, _, _ in CASES}
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("practices."):
            path = rule.rule.replace("<int:practice_id>", "{id}").replace("<int:attachment_id>", "{att}")
            assert any(path == t for _, t, _, _ in CASES), f"{rule.endpoint} {rule.rule} is not tested"
    assert covered


def test_archived_practice_is_gone_for_the_public(app, db_session):
    practice = make_practice(title="Gearchiveerd xqzarchief", themes=["bekostiging"])
    client = app.test_client()
    link = f'href="/bibliotheek/{practice.id}"'
    assert link in client.get("/bibliotheek/?q=xqzarchief").get_data(as_text=True)
    service.archive_practice(db_session, practice, None)
    assert client.get(f"/bibliotheek/{practice.id}").status_code == 404
    assert link not in client.get("/bibliotheek/?q=xqzarchief").get_data(as_text=True)


def test_actions_really_change_the_status(app, world, db_session):
    users, practices = world
    author = _client_for(app, world, "author")
    concept = practices["concept"]
    assert author.post(f"/bibliotheek/{concept.id}/indienen", data={"version_id": concept.version_id}).status_code == 302
    db_session.refresh(concept)
    assert concept.status == "ingediend"
    staff = _client_for(app, world, "staff")
    staff.post(f"/bibliotheek/{concept.id}/publiceren", data={"version_id": concept.version_id})
    db_session.refresh(concept)
    assert concept.status == "gepubliceerd" and concept.published_at is not None
    assert db_session.get(GoodPractice, concept.id).author_id == users["author"].id
