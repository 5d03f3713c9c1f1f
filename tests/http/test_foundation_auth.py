"""Login, logout, password change and user management over HTTP."""
from sqlalchemy import select

from portal.models import User
from tests.conftest import login_as, login_through_form
from tests.factories import PASSWORD, make_organisation, make_user


def test_login_form_fields_for_password_managers(client):
    html = client.get("/login").get_data(as_text=True)
    assert 'name="email"' in html and 'autocomplete="username"' in html
    assert 'name="password"' in html and 'autocomplete="current-password"' in html


def test_wrong_password_and_unknown_account_get_the_same_message(client):
    user = make_user("reader")
    wrong = client.post("/login", data={"email": user.email, "password": "verkeerd wachtwoord"})
    unknown = client.post("/login", data={"email": "niemand@example.org", "password": "verkeerd wachtwoord"})
    for response in (wrong, unknown):
        assert response.status_code == 200
        assert "Het e-mailadres of het wachtwoord klopt niet." in response.get_data(as_text=True)


def test_login_rotates_the_session(client):
    user = make_user("reader")
    with client.session_transaction() as sess:
        sess["planted"] = "door een aanvaller gezet"
    assert login_through_form(client, user).status_code == 302
    with client.session_transaction() as sess:
        assert "planted" not in sess
        assert sess["_user_id"] == user.session_token


def test_login_redirect_only_to_local_paths(client):
    user = make_user("reader")
    response = client.post("/login?next=https://evil.example/", data={"email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/"
    client.post("/logout")
    response = client.post("/login?next=/beheer", data={"email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/beheer"


def test_logout_invalidates_a_copied_cookie(app, client, db_session):
    user = make_user("staff")
    login_through_form(client, user)
    stolen = client.get_cookie("session").value
    assert client.get("/beheer/gebruikers").status_code == 200
    assert client.post("/logout").status_code == 302
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    response = thief.get("/beheer/gebruikers")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_password_change_ends_other_sessions_but_keeps_this_one(app, client, db_session):
    user = make_user("staff")
    login_through_form(client, user)
    other = app.test_client()
    login_through_form(other, user)
    assert other.get("/beheer/gebruikers").status_code == 200
    response = client.post("/account/wachtwoord", data={
        "current_password": PASSWORD, "new_password": "een nieuw lang wachtwoord"})
    assert response.status_code == 302
    assert client.get("/beheer/gebruikers").status_code == 200
    assert other.get("/beheer/gebruikers").status_code == 302


def test_password_change_errors_at_the_field(client):
    login_as(client, make_user("reader"))
    html = client.post("/account/wachtwoord", data={
        "current_password": PASSWORD, "new_password": "kort"}).get_data(as_text=True)
    assert "minstens 12 tekens" in html and 'aria-invalid="true"' in html
    html = client.post("/account/wachtwoord", data={
        "current_password": "fout", "new_password": "een nieuw lang wachtwoord"}).get_data(as_text=True)
    assert "Het huidige wachtwoord klopt niet." in html


def test_staff_creates_a_coordinator_who_can_log_in(app, client, db_session):
    org = make_organisation("mbo", name="ROC Test")
    login_as(client, make_user("staff"))
    response = client.post("/beheer/gebruikers/nieuw", data={
        "email": "Nieuw@Example.org", "name": "Nieuwe Coördinator", "role": "coordinator",
        "organisation_id": str(org.id), "password": "een goed wachtwoord"})
    assert response.status_code == 302
    created = db_session.scalar(select(User).where(User.email == "nieuw@example.org"))
    assert created.role == "coordinator" and created.organisation_id == org.id
    assert login_through_form(app.test_client(), created, "een goed wachtwoord").status_code == 302


def test_staff_cannot_create_admins_and_errors_show_at_fields(client):
    login_as(client, make_user("staff"))
    html = client.get("/beheer/gebruikers/nieuw").get_data(as_text=True)
    assert 'value="admin"' not in html
    response = client.post("/beheer/gebruikers/nieuw", data={
        "email": "x@example.org", "name": "X", "role": "coordinator", "organisation_id": "",
        "password": "een goed wachtwoord"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Een coördinator hoort bij een organisatie." in html


def test_deactivated_user_is_logged_out_and_cannot_log_in(app, client, db_session):
    victim = make_user("reader")
    victim_client = login_as(app.test_client(), victim)
    assert victim_client.get("/account/wachtwoord").status_code == 200
    login_as(client, make_user("admin"))
    assert client.post(f"/beheer/gebruikers/{victim.id}/actief", data={"confirm": "ja"}).status_code == 302
    assert victim_client.get("/account/wachtwoord").status_code == 302
    assert login_through_form(app.test_client(), victim).status_code == 200  # back on the form


def test_coordinator_and_anonymous_cannot_manage_users(client):
    target = make_user("reader")
    response = client.get("/beheer/gebruikers")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    login_as(client, make_user("coordinator"))
    assert client.get("/beheer/gebruikers").status_code == 403
    assert client.post(f"/beheer/gebruikers/{target.id}/actief").status_code == 403
    # Refused before the id is looked up: a 404 would tell which ids exist.
    assert client.post("/beheer/gebruikers/999999/actief").status_code == 403


def _session_of(client) -> dict:
    with client.session_transaction() as sess:
        return dict(sess)


def test_login_as_plants_the_session_a_real_login_produces(app, client):
    """tests/conftest.py login_as, which the other tests log in with, writes
    what POST /login leaves in the session: the same keys and values, apart
    from the times and the one-time welcome flash. A key the login view adds
    later fails here, not as a puzzling difference elsewhere."""
    user = make_user("reader")
    assert login_through_form(client, user).status_code == 302
    planted = login_as(app.test_client(), user)
    real, fake = _session_of(client), _session_of(planted)
    assert [category for category, _ in real.pop("_flashes")] == ["success"]
    for key in ("login_at", "last_seen"):
        assert abs(real.pop(key) - fake.pop(key)) < 60, key
    assert fake == real
    # The planted session passes Flask-Login's session protection: still a
    # fresh login after a request, and logged in.
    assert planted.get("/account/wachtwoord").status_code == 200
    assert _session_of(planted)["_fresh"] is True
    # None: anonymous, whatever the client was before.
    assert _session_of(login_as(planted, None)) == {}
    response = planted.get("/account/wachtwoord")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
