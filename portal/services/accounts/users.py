"""Accounts: create, deactivate, change password, log in."""
from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from portal.core.audit import record
from portal.core.errors import ServiceError
from portal.domain.email import email_error
from portal.domain.vocab import ROLES, codes
from portal.models import Organisation, User
from portal.models.base import utcnow
from portal.models.user import new_session_token
from portal.services.accounts import throttle
from portal.services.accounts.passwords import (
    hash_password,
    needs_rehash,
    password_policy_errors,
    verify_password,
)


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def find_user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalise_email(email)))


def _snapshot(user: User) -> dict:
    return {
        "email": user.email, "name": user.name, "role": user.role,
        "organisation_id": user.organisation_id, "active": user.active,
    }


def create_user(
    session: Session,
    *,
    email: str,
    name: str,
    role: str,
    password: str,
    organisation: Organisation | None = None,
    actor: User | None = None,
    is_demo: bool = False,
) -> User:
    errors: dict[str, list[str]] = {}
    email_n = normalise_email(email)
    if not email_n or (message := email_error(email_n)):
        # the same strict rule as the forms, also for `flask create-user`
        errors.setdefault("email", []).append(message or "Vul een geldig e-mailadres in.")
    elif find_user_by_email(session, email_n) is not None:
        errors.setdefault("email", []).append("Er bestaat al een account met dit e-mailadres.")
    if not (name or "").strip():
        errors.setdefault("name", []).append("Vul een naam in.")
    if role not in codes(ROLES):
        errors.setdefault("role", []).append("Kies een geldige rol.")
    if role == "coordinator" and organisation is None:
        errors.setdefault("organisation", []).append("Een coördinator hoort bij een organisatie.")
    policy = password_policy_errors(password, email_n, name)
    if policy:
        errors["password"] = policy
    if errors:
        raise ServiceError(errors)
    user = User(
        email=email_n, name=name.strip(), role=role,
        organisation_id=organisation.id if organisation else None,
        password_hash=hash_password(password), active=True, is_demo=is_demo,
    )
    session.add(user)
    session.flush()
    record(session, actor, "user", user.id, "create", after=_snapshot(user))
    return user


def set_active(session: Session, user: User, active: bool, actor: User) -> None:
    if actor.id == user.id and not active:
        raise ServiceError("Je kunt je eigen account niet deactiveren.")
    before = _snapshot(user)
    user.active = active
    if not active:
        user.session_token = new_session_token()  # end every session at once
    session.flush()
    record(session, actor, "user", user.id, "activate" if active else "deactivate",
           before=before, after=_snapshot(user))


def change_password(session: Session, user: User, current: str, new: str) -> None:
    if not verify_password(user.password_hash, current):
        raise ServiceError({"current_password": ["Het huidige wachtwoord klopt niet."]})
    policy = password_policy_errors(new, user.email, user.name)
    if policy:
        raise ServiceError({"new_password": policy})
    user.password_hash = hash_password(new)
    user.session_token = new_session_token()  # every other session ends
    session.flush()
    record(session, user, "user", user.id, "change_password")


def rotate_session_token(session: Session, user: User) -> None:
    """Logout: every session of this user ends, also copied cookies."""
    user.session_token = new_session_token()
    session.flush()
    record(session, user, "user", user.id, "logout", data_change=False)


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The user when email and password match an active account; else None.
    Always verifies a hash, so timing does not reveal unknown accounts."""
    user = find_user_by_email(session, email)
    ok = verify_password(user.password_hash if user else None, password or "")
    if not ok or user is None or not user.active:
        return None
    rehashed = needs_rehash(user.password_hash)
    if rehashed:
        user.password_hash = hash_password(password)
    # A plain UPDATE, not through the versioned mapper: two logins of one
    # account at the same moment (double click, two devices) must not collide
    # on the version column, which is for edits (found by `make soak`).
    now = utcnow()
    session.flush()
    session.execute(update(User.__table__).where(User.__table__.c.id == user.id).values(last_login_at=now))
    set_committed_value(user, "last_login_at", now)
    record(session, user, "user", user.id, "login", after={"rehashed": True} if rehashed else None,
           data_change=False)
    return user


PASSWORD_AGAIN_WRONG = "Het wachtwoord klopt niet."
PASSWORD_AGAIN_THROTTLED = "Te veel mislukte inlogpogingen. Wacht {minutes} minuten en probeer het dan opnieuw."


def check_password_again(session: Session, user: User, password: str | None,
                         address: str | None) -> tuple[str, int] | None:
    """Re-authentication of the logged-in user before a weighty action (signing
    on behalf of a bevoegd gezag). None when the password is right; else the
    message and the seconds to wait (0: just wrong). A wrong password counts as
    a failed login in the login throttle, and while the throttle holds the
    password is not checked at all. The caller commits (the failure must stay)."""
    keys = throttle.login_keys(user.email, address)
    wait = throttle.retry_after(session, keys)
    if wait:
        return PASSWORD_AGAIN_THROTTLED.format(minutes=max(1, -(-wait // 60))), wait
    if not verify_password(user.password_hash, password or ""):
        throttle.record_failure(session, keys)
        return PASSWORD_AGAIN_WRONG, 0
    return None


def count_users(session: Session) -> int:
    return session.scalar(select(func.count(User.id))) or 0
