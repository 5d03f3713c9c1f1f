"""The permission matrix: every endpoint x method of app.url_map x every kind
of user (anonymous, reader, coordinator of a party, coordinator of another
organisation, staff, admin) has one expected result: allowed, 403, 404 or a
redirect to the login page.

The cases are generated from app.url_map, so an endpoint that is added later
and has no entry in TABLE below is a failing test, not a forgotten one. The
expectations are written down once, as rules, in TABLE; RULES says what each
rule means per user."""
from __future__ import annotations

import pytest

from portal import create_app
from portal.config import TestConfig
from tests.conftest import login_as
from tests.factories_matrix import USERS, MatrixWorld
from tests.factories_security import rules

OK, LOGIN, FORBIDDEN, NOT_FOUND = "ok", "login", 403, 404

# What each rule means, per user in USERS order:
#            anonymous  reader     party      other      staff      admin      assessor
# (the assessor: a member of the commission, assigned to the world's regioplannen once their review starts)
RULES = {
    "public": (OK, OK, OK, OK, OK, OK, OK),
    "login": (LOGIN, OK, OK, OK, OK, OK, OK),
    # coordinators with an organisation, staff and admin (can_create_route/_practice)
    "creator": (LOGIN, FORBIDDEN, OK, OK, OK, OK, FORBIDDEN),
    # coordinators with an organisation only (their own lists, starting an agreement)
    "coordinator": (LOGIN, FORBIDDEN, OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    "staff": (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK, FORBIDDEN),
    "admin": (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN),
    # the coordinators of the parties of a route and staff
    "route_party_or_staff": (LOGIN, FORBIDDEN, OK, FORBIDDEN, OK, OK, FORBIDDEN),
    # a vmbo school's own coordinators and staff (the school's offer)
    "own_school_or_staff": (LOGIN, FORBIDDEN, OK, FORBIDDEN, OK, OK, FORBIDDEN),
    # the coordinators of the parties of an agreement only (staff read, never edit)
    "party": (LOGIN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    # agreement details: the parties and staff
    "party_or_staff": (LOGIN, FORBIDDEN, OK, FORBIDDEN, OK, OK, FORBIDDEN),
    # the author of a practice and staff
    "author_or_staff": (LOGIN, FORBIDDEN, OK, FORBIDDEN, OK, OK, FORBIDDEN),
    # something that does not exist for those who may not see it: a concept
    # route or practice (party/author and staff see it)
    "hidden": (NOT_FOUND, NOT_FOUND, OK, NOT_FOUND, OK, OK, NOT_FOUND),
    # archived: only staff see it
    "staff_or_404": (NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK, OK, NOT_FOUND),
    # archived, behind a login: only staff see it (restoring an archived agreement)
    "staff_else_404": (LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK, OK, NOT_FOUND),
    # nobody may do this to this object (e.g. editing an archived route)
    "staff_403_others_404": (NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, FORBIDDEN, FORBIDDEN, NOT_FOUND),
    # the same three behind a login (@login_required runs before the object is loaded)
    "hidden_behind_login": (LOGIN, NOT_FOUND, OK, NOT_FOUND, OK, OK, NOT_FOUND),
    "staff_403_others_404_behind_login": (LOGIN, NOT_FOUND, NOT_FOUND, NOT_FOUND, FORBIDDEN, FORBIDDEN, NOT_FOUND),
    # only an assigned assessor who is no party of the plan (the party assessor: tests/http/test_plans_access.py)
    "assessor_only": (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK),
    # a regioplan under review or later: its parties, staff and its assigned assessors
    "plan_reader": (LOGIN, FORBIDDEN, OK, FORBIDDEN, OK, OK, OK),
    # the mid-term evaluation: the commission (staff and the plan's assessors)
    "staff_or_assessor": (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK, OK),
}

# endpoint -> method -> rule, or a list of (variant, rule): the variant picks the
# object the URL points at (MatrixWorld.url_values): a practice status, a
# concept/archived route, the signed agreement with its PDF, an export format.
TABLE: dict[str, dict[str, str | list[tuple[str, str]]]] = {
    "static": {"GET": "public"},
    "main.home": {"GET": "public"},
    "main.healthz": {"GET": "public"},
    # --- account
    "auth.login": {"GET": "public", "POST": "public"},
    "auth.logout": {"POST": "login"},
    "auth.change_password": {"GET": "login", "POST": "login"},
    # --- user management
    "admin.index": {"GET": "staff"},
    "admin.list_users": {"GET": "staff"},
    "admin.create_user": {"GET": "staff", "POST": "staff"},
    "admin.toggle_user": {"GET": "staff", "POST": "staff"},
    # --- programme targets (staff) and the year report (public)
    "targets.list_targets": {"GET": "staff"},
    "targets.create_target": {"GET": "staff", "POST": "staff"},
    "targets.edit_target": {"GET": "staff", "POST": "staff"},
    "targets.delete_target": {"POST": "staff"},
    "monitoring.index": {"GET": "public"},
    "monitoring.show_report": {"GET": "public"},
    "monitoring.export_report": {"GET": "public"},
    "monitoring.print_report": {"GET": "public"},
    "monitoring.compare_snapshots": {"GET": "public"},
    "monitoring.export_comparison": {"GET": "public"},
    # --- open API, map, regions
    "api.openapi": {"GET": "public"},
    "api.regions_geojson": {"GET": "public"},
    "api.routes": {"GET": "public"},
    "api.organisations": {"GET": "public"},
    "api.organisation": {"GET": "public"},
    "maps.index": {"GET": "public"},
    "maps.dashboard": {"GET": "public"},
    "maps.export_dashboard": {"GET": [("csv", "public"), ("xlsx", "public")]},
    "maps.export_regions": {"GET": [("csv", "public"), ("xlsx", "public")]},
    "maps.list_schools_without_route": {"GET": "public"},
    "maps.list_school_pins": {"GET": "public"},
    "maps.list_schools_with_route": {"GET": "public"},
    "dekking.index": {"GET": "public"},
    "api.coverage_profiles": {"GET": "public"},
    "api.coverage_profiles_geojson": {"GET": "public"},
    "api.coverage_exam_candidates": {"GET": "public"},
    "dekking.schools": {"GET": "public"},
    "dekking.export": {"GET": [("verdeling.csv", "public"), ("afstand.xlsx", "public"), ("examens.csv", "public"),
                               ("leerlingen.xlsx", "public")]},
    "regions.index": {"GET": "public"},
    "regions.show": {"GET": "public"},
    "regions.organisations": {"GET": "public"},
    "regions.schools_without_route": {"GET": "public"},
    # --- leerroutes
    "learning_routes.index": {"GET": "public"},
    "learning_routes.detail": {"GET": [("public", "public"), ("concept", "hidden"), ("archived", "staff_or_404")]},
    "learning_routes.history": {"GET": [("public", "login"), ("concept", "hidden_behind_login")]},
    "learning_routes.create": {"GET": "creator", "POST": "creator"},
    "learning_routes.edit": {"GET": [("public", "route_party_or_staff"), ("concept", "hidden_behind_login"),
                                     ("archived", "staff_403_others_404_behind_login")],
                             "POST": [("public", "route_party_or_staff"), ("concept", "hidden_behind_login"),
                                      ("archived", "staff_403_others_404_behind_login")]},
    "learning_routes.archive": {"POST": [("public", "route_party_or_staff"), ("concept", "hidden_behind_login")]},
    "learning_routes.restore": {"POST": [("archived", "staff_else_404")]},
    "learning_routes.mine": {"GET": "coordinator"},
    "search.organisations": {"GET": "public"},
    "search.routes": {"GET": "public"},
    "learning_routes.export_csv": {"GET": "public"},
    "learning_routes.export_xlsx": {"GET": "public"},
    "learning_routes.import_csv": {"GET": "creator", "POST": "creator"},
    "learning_routes.import_template": {"GET": "creator"},
    # registration at DUO: the route's vmbo school (the party coordinator's A) and staff
    "learning_routes.edit_rio": {"GET": [("public", "route_party_or_staff"), ("concept", "hidden_behind_login")],
                                 "POST": [("public", "route_party_or_staff"), ("concept", "hidden_behind_login")]},
    "rio.index": {"GET": "staff"},
    "rio.export_unregistered": {"GET": "staff"},
    "rio.compare": {"GET": "staff", "POST": "staff"},
    "rio.confirm_matches": {"POST": "staff"},
    # --- samenwerkingsovereenkomsten
    "agreements.index": {"GET": "public"},
    # existence is public once signed or sent, details only for party_or_staff; a concept
    # only its parties and staff see (issue 20); an archived one only staff see
    "agreements.view_agreement": {"GET": [("concept", "hidden"), ("signed", "public"),
                                          ("archived", "staff_or_404")]},
    "agreements.create_agreement": {"GET": "coordinator", "POST": "coordinator"},
    "agreements.edit_agreement": {"GET": "party", "POST": "party"},
    "agreements.edit_parties": {"GET": "party", "POST": "party"},
    "agreements.edit_shares": {"GET": "party", "POST": "party"},
    "agreements.edit_guarantee": {"GET": "party", "POST": "party"},
    "agreements.terminate_agreement": {"GET": [("signed", "party")], "POST": [("signed", "party")]},
    "agreements.send_agreement": {"POST": "party"},
    "agreements.sign_agreement": {"GET": "party", "POST": "party"},
    "agreements.archive_agreement": {"POST": "party"},
    "agreements.restore_agreement": {"POST": [("archived", "staff_else_404")]},
    "agreements.upload_document": {"POST": [("signed", "party")]},
    "agreements.download_document": {"GET": [("signed", "party_or_staff")]},
    "agreements.view_checklist": {"GET": [("public", "party_or_staff"), ("archived", "staff_else_404")]},
    "agreements.print_agreement": {"GET": [("public", "party_or_staff"), ("archived", "staff_else_404")]},
    "agreements.list_versions": {"GET": [("public", "party_or_staff"), ("archived", "staff_else_404")]},
    # --- good-practice library (the party coordinator is the author)
    "practices.index": {"GET": "public"},
    "practices.show": {"GET": [(s, "public" if s == "gepubliceerd" else "hidden")
                               for s in ("concept", "ingediend", "teruggestuurd", "gepubliceerd")]
                       + [("archived", "staff_or_404")]},
    "practices.create": {"GET": "creator", "POST": "creator"},
    "practices.edit": {"GET": [("concept", "author_or_staff"), ("teruggestuurd", "author_or_staff"),
                               ("ingediend", "staff"), ("gepubliceerd", "staff")],
                       "POST": [("concept", "author_or_staff"), ("gepubliceerd", "staff")]},
    "practices.submit": {"POST": [("concept", "author_or_staff"), ("teruggestuurd", "author_or_staff")]},
    "practices.publish": {"POST": [("ingediend", "staff")]},
    "practices.send_back": {"POST": [("ingediend", "staff")]},
    "practices.archive": {"POST": [("concept", "author_or_staff"), ("gepubliceerd", "staff")]},
    "practices.restore": {"POST": [("archived", "staff")]},
    "practices.add_attachment": {"POST": [("concept", "author_or_staff"), ("gepubliceerd", "staff")]},
    "practices.download_attachment": {"GET": [("concept", "hidden"), ("gepubliceerd", "public")]},
    "practices.remove_attachment": {"POST": [("concept", "author_or_staff"), ("gepubliceerd", "staff")]},
    "practices.mine": {"GET": "creator"},
    "practices.queue": {"GET": "staff"},
    # --- a school's own offer (organisation A is the party coordinator's vmbo school)
    "offer.edit_offer": {"GET": [("school", "own_school_or_staff")], "POST": [("school", "own_school_or_staff")]},
    # --- mbo institutions (organisation B is an mbo institution)
    "institutions.list_institutions": {"GET": "staff"},
    "institutions.set_funded": {"POST": [("mbo", "staff")]},
    # --- organisations (issue 15): pages public, adding partners for route/agreement makers, merging staff
    "organisations.index": {"GET": "public"},
    "organisations.export_csv": {"GET": "public"},
    "organisations.show": {"GET": "public"},
    "organisations.add_partner": {"GET": "creator", "POST": "creator"},
    "organisation_admin.merge": {"GET": "staff", "POST": "staff"},
    # --- to-do list and notifications (issue 18)
    "todo.list_items": {"GET": "login"},
    "todo.count": {"GET": "public"},  # anonymous: an empty badge
    "todo.activate_route": {"POST": [("public", "route_party_or_staff"), ("concept", "hidden_behind_login")]},
    # route outcomes (issue 17): the route's parties and staff record them; never on an archived route
    "outcomes.edit_outcome": {method: [("public", "route_party_or_staff"), ("concept", "hidden_behind_login"),
                                       ("archived", "staff_403_others_404_behind_login")] for method in ("GET", "POST")},
    "notifications.settings": {"GET": "login", "POST": "login"},
    # the signed link of a mail: works without logging in (a forged token is a 404: test_notifications_pages)
    "notifications.unsubscribe": {"GET": "public", "POST": "public"},
    # the import runs and their errors (rows of a coordinator's file): staff only
    "imports.list_runs": {"GET": "staff"},
    "imports.show_run": {"GET": "staff"},
    "imports.mark_handled": {"POST": "staff"},
    # --- regioplannen (the party coordinator's organisation A is the penvoerder)
    "plans.index": {"GET": "public"},
    "plans.overview": {"GET": "public"},
    "plans.export_overview": {"GET": [("csv", "staff"), ("xlsx", "staff")]},
    "plans.create_round": {"GET": "staff", "POST": "staff"},
    "plans.edit_criteria": {"GET": "staff", "POST": "staff"},
    "plans.create_region": {"GET": "creator", "POST": "creator"},
    # the assessor is assigned when the review starts: before that a plan is not theirs to see
    "plans.view_plan": {"GET": [("concept", "party_or_staff"), ("ingediend", "party_or_staff"),
                                ("in_beoordeling", "plan_reader"), ("positief_advies", "plan_reader")]},
    "plans.list_versions": {"GET": [("ingediend", "party_or_staff"), ("in_beoordeling", "plan_reader")]},
    "plans.edit_plan": {"GET": "party", "POST": "party"},
    "plans.edit_actions": {"GET": "party", "POST": "party"},
    "plans.edit_budget": {"GET": "party", "POST": "party"},
    "plans.edit_region": {"GET": "party", "POST": "party"},
    "plans.submit_plan": {"POST": "party"},
    "plans.add_attachment": {"POST": "party"},
    "plans.remove_attachment": {"POST": "party"},
    "plans.download_attachment": {"GET": [("concept", "party_or_staff"), ("in_beoordeling", "plan_reader")]},
    "plans.withdraw_plan": {"POST": "party"},
    "plans.start_review": {"GET": [("ingediend", "staff")], "POST": [("ingediend", "staff")]},
    "plans.assess_plan": {"GET": [("in_beoordeling", "assessor_only")], "POST": [("in_beoordeling", "assessor_only")]},
    "plans.approve_plan": {"POST": [("positief_advies", "staff")]},
    "plans.start_execution": {"POST": [("goedgekeurd", "staff")]},
    "plans.report_progress": {"GET": [("in_uitvoering", "party")], "POST": [("in_uitvoering", "party")]},
    "plans.record_midterm": {"GET": [("in_uitvoering", "staff_or_assessor")],
                             "POST": [("in_uitvoering", "staff_or_assessor")]},
}

_APP = create_app(TestConfig)
URL_MAP_PAIRS = [(rule.endpoint, rule.rule, method) for rule, method in rules(_APP, exclude_static=False)]


def _cases(pairs):
    """(endpoint, method, variant, rule or None) for every url_map entry."""
    cases = []
    for endpoint, _path, method in pairs:
        entry = TABLE.get(endpoint, {}).get(method)
        if entry is None:
            cases.append((endpoint, method, None, None))
        elif isinstance(entry, str):
            cases.append((endpoint, method, None, entry))
        else:
            cases.extend((endpoint, method, variant, rule) for variant, rule in entry)
    return cases


CASES = _cases(URL_MAP_PAIRS)


def _case_id(case) -> str:
    endpoint, method, variant, _rule = case
    return f"{method} {endpoint}" + (f" [{variant}]" if variant else "")


@pytest.fixture
def world(db_session, reference_data):
    return MatrixWorld(db_session)


def is_login_redirect(response) -> bool:
    return response.status_code in (301, 302, 303) and "/login" in response.headers.get("Location", "")


def outcome(response):
    """What the user got: ok, login, 403, 404 (or the raw status)."""
    if is_login_redirect(response):
        return LOGIN
    if response.status_code in (403, 404):
        return response.status_code
    # 422: the form was refused on its content, i.e. the permission check passed.
    if 200 <= response.status_code < 400 or response.status_code == 422:
        return OK
    return response.status_code


def test_every_table_entry_names_an_existing_endpoint_and_method():
    """No stale entries: the table describes exactly the app."""
    present = {(endpoint, method) for endpoint, _path, method in URL_MAP_PAIRS}
    stale = [(e, m) for e, methods in TABLE.items() for m in methods if (e, m) not in present]
    assert not stale, f"in TABLE but not in app.url_map: {stale}"
    unknown_rules = {r for methods in TABLE.values() for entry in methods.values()
                     for r in ([entry] if isinstance(entry, str) else [r for _v, r in entry])} - set(RULES)
    assert not unknown_rules


def _params():
    """GET cases test every user in one go; a POST may change the object
    (archive, sign, toggle), so each user gets a fresh world of its own."""
    params = []
    for case in CASES:
        if case[1] == "GET":
            params.append(pytest.param(case, USERS, id=_case_id(case)))
        else:
            params.extend(pytest.param(case, (user,), id=f"{_case_id(case)} as {user}") for user in USERS)
    return params


@pytest.mark.parametrize("case, users", _params())
def test_permission_matrix(app, client, world, case, users):
    endpoint, method, variant, rule = case
    assert rule is not None, (
        f"{method} {endpoint} is in app.url_map but has no entry in the permission TABLE "
        f"(tests/http/test_permissions_matrix.py): add it with its rule")
    rule_obj = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint and method in r.methods)
    url = rule_obj.build(world.url_values(variant, rule_obj.arguments), append_unknown=False)[1]
    wanted = {user: RULES[rule][USERS.index(user)] for user in users}
    got = {}
    for user in users:
        login_as(client, world.user(user))
        with client.open(url, method=method, data={}) as response:  # closes static file responses
            got[user] = outcome(response)
    assert got == wanted, f"{method} {url} ({rule})"


def test_a_new_endpoint_without_an_entry_is_a_failing_case():
    """The control for 'cannot be forgotten': an endpoint added to the app
    produces a case without a rule, which test_permission_matrix fails."""
    app = create_app(TestConfig)
    app.add_url_rule("/__nieuw/<int:thing_id>", "things.edit_thing", lambda thing_id: "ok", methods=["GET", "POST"])
    pairs = [(rule.endpoint, rule.rule, method) for rule, method in rules(app, exclude_static=False)]
    missing = [c for c in _cases(pairs) if c[3] is None]
    assert missing == [("things.edit_thing", "GET", None, None), ("things.edit_thing", "POST", None, None)]


def test_the_matrix_notices_a_coordinator_of_another_organisation_who_may_edit(app, client, world, monkeypatch):
    """The control for the expectations: with a broken permission check the
    outcome for 'other' no longer matches the table."""
    import portal.routes.agreements.access as agreement_access
    url = f"/overeenkomsten/{world.agreement.id}/financiering"
    login_as(client, world.user("other"))
    assert outcome(client.get(url)) == RULES["party"][USERS.index("other")] == FORBIDDEN
    monkeypatch.setattr(agreement_access, "can_edit_agreement", lambda user, agreement: True)
    assert outcome(client.get(url)) == OK


def test_the_matrix_notices_an_assessor_who_sees_a_plan_not_assigned_to_them(app, client, world, monkeypatch):
    """The control for the assessor column: with an assignment check that lets
    any assessor in, the outcome on a concept plan no longer matches the table."""
    url = f"/regioplannen/{world.plan('concept').id}"
    login_as(client, world.user("assessor"))
    assert outcome(client.get(url)) == RULES["party_or_staff"][USERS.index("assessor")] == FORBIDDEN
    monkeypatch.setattr("portal.permissions.is_independent_assessor",
                        lambda user, plan, assigned: user.role == "assessor")
    assert outcome(client.get(url)) == OK


ID_RULES = [(rule.endpoint, method) for rule, method in rules(_APP)
            if any(type(rule._converters[a]).__name__.endswith("IdConverter") or  # noqa: SLF001
                   type(rule._converters[a]).__name__ == "IntegerConverter" for a in rule.arguments)]


@pytest.mark.parametrize("endpoint, method", ID_RULES, ids=[f"{m} {e}" for e, m in ID_RULES])
@pytest.mark.parametrize("user", ["anonymous", "staff", "party"])
def test_ids_that_cannot_exist_are_404_not_500(app, client, db_session, endpoint, method, user):
    """0, just above a database integer, and beyond int64 (SQLite overflowed:
    a 500 before the id converter got an upper bound). The anonymous user may
    be sent to the login page instead."""
    from tests.factories import make_organisation, make_user
    if user != "anonymous":
        login_as(client, make_user(user if user != "party" else "coordinator", make_organisation("vmbo")
                                         if user == "party" else None))
    rule_obj = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint and method in r.methods)
    for big in (0, 2_147_483_648, 99_999_999_999_999_999_999):
        path = rule_obj.rule
        for name in rule_obj.arguments:
            path = path.replace(f"<int:{name}>", str(big)).replace(f"<{name}>", "AM38")
        response = client.open(path, method=method, data={})
        got = outcome(response)
        # 404; or first the refusal this user gets anyway (login page, 403);
        # 405 where the bound id matches no rule but another method's path does.
        allowed = {NOT_FOUND} | ({405} if big > 2_147_483_647 else set())
        entry = TABLE[endpoint][method]
        refusal = RULES[entry if isinstance(entry, str) else entry[0][1]][USERS.index(user)]
        if refusal in (LOGIN, FORBIDDEN):
            allowed.add(refusal)
        assert got in allowed, (path, response.status_code)
