import pytest
from sqlalchemy import select

from portal.core.errors import ServiceError
from portal.models import AuditLog
from portal.services.accounts import users
from portal.services.accounts.passwords import COMMON, PERSONAL
from tests.factories import PASSWORD, make_organisation, make_user


def test_create_user_normalises_email_and_audits(db_session):
    org = make_organisation("mbo")
    user = users.create_user(db_session, email="  Coordinator@School.NL ", name="C", role="coordinator",
                             password="twaalf tekens of meer", organisation=org)
    assert user.email == "coordinator@school.nl"
    assert user.password_hash.startswith("$argon2id$")
    entry = db_session.scalar(select(AuditLog).where(AuditLog.object_type == "user", AuditLog.object_id == user.id))
    assert entry.action == "create" and entry.after["role"] == "coordinator"
    assert "password_hash" not in entry.after


def test_email_is_unique_case_insensitively(db_session):
    make_user("reader", email="lezer@example.org")
    with pytest.raises(ServiceError) as exc:
        users.create_user(db_session, email="LEZER@example.org", name="X", role="reader",
                          password="twaalf tekens of meer")
    assert exc.value.errors["email"] == ["Er bestaat al een account met dit e-mailadres."]


@pytest.mark.parametrize("kwargs,field", [
    (dict(email="geen-adres", name="X", role="reader", password="twaalf tekens of meer"), "email"),
    (dict(email="a@b.nl", name="", role="reader", password="twaalf tekens of meer"), "name"),
    (dict(email="a@b.nl", name="X", role="baas", password="twaalf tekens of meer"), "role"),
    (dict(email="a@b.nl", name="X", role="coordinator", password="twaalf tekens of meer"), "organisation"),
    (dict(email="a@b.nl", name="X", role="reader", password="kort"), "password"),
    (dict(email="lang.genoeg@b.nl", name="X", role="reader", password="lang.genoeg@b.nl"), "password"),
])
def test_create_user_rejects_bad_input_at_the_field(db_session, kwargs, field):
    with pytest.raises(ServiceError) as exc:
        users.create_user(db_session, **kwargs)
    assert field in exc.value.errors


def test_authenticate(db_session):
    user = make_user("reader")
    assert users.authenticate(db_session, user.email.upper(), PASSWORD) == user
    assert user.last_login_at is not None
    assert users.authenticate(db_session, user.email, "fout wachtwoord") is None
    assert users.authenticate(db_session, "niemand@example.org", PASSWORD) is None
    user.active = False
    assert users.authenticate(db_session, user.email, PASSWORD) is None


def test_change_password_rotates_session_token(db_session):
    user = make_user("reader")
    token = user.session_token
    with pytest.raises(ServiceError) as exc:
        users.change_password(db_session, user, "fout", "nieuw wachtwoord 123")
    assert "current_password" in exc.value.errors
    users.change_password(db_session, user, PASSWORD, "nieuw wachtwoord 123")
    assert user.session_token != token
    assert users.authenticate(db_session, user.email, "nieuw wachtwoord 123") == user


def test_deactivate_ends_sessions_but_not_ones_own(db_session):
    admin = make_user("admin")
    other = make_user("reader")
    token = other.session_token
    users.set_active(db_session, other, False, admin)
    assert not other.active and other.session_token != token
    with pytest.raises(ServiceError):
        users.set_active(db_session, admin, False, admin)


@pytest.mark.parametrize("password", ["123456789012", "wachtwoord12", "welkom123456"])
def test_create_user_and_change_password_refuse_common_passwords(db_session, password):
    with pytest.raises(ServiceError) as exc:
        users.create_user(db_session, email="nieuw@example.org", name="Nieuw", role="reader", password=password)
    assert exc.value.errors == {"password": [COMMON]}
    user = make_user("reader")
    hash_before = user.password_hash
    with pytest.raises(ServiceError) as exc:
        users.change_password(db_session, user, PASSWORD, password)
    assert exc.value.errors == {"new_password": [COMMON]}
    assert user.password_hash == hash_before


def test_the_name_given_to_create_user_counts_as_personal(db_session):
    with pytest.raises(ServiceError) as exc:
        users.create_user(db_session, email="a.b@example.org", name="Wilhelmina Vermeulen", role="reader",
                          password="Vermeulen2026!")
    assert exc.value.errors == {"password": [PERSONAL]}
