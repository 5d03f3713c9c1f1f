"""Factories for test data. The password hash is computed once (argon2 is slow
on purpose)."""
from __future__ import annotations

import itertools
from functools import lru_cache

from portal.extensions import db
from portal.models import LearningRoute, Organisation, RouteParty, User
from portal.services.accounts.passwords import hash_password

PASSWORD = "correct horse battery staple"
_seq = itertools.count(1)


@lru_cache(maxsize=1)
def password_hash() -> str:
    return hash_password(PASSWORD)


def make_organisation(kind: str = "vmbo", name: str | None = None, **fields) -> Organisation:
    n = next(_seq)
    org = Organisation(kind=kind, name=name or f"Testorganisatie {kind} {n}", **fields)
    db.session.add(org)
    db.session.flush()
    return org


def make_user(role: str = "coordinator", organisation: Organisation | None = None, **fields) -> User:
    n = next(_seq)
    if role == "coordinator" and organisation is None:
        organisation = make_organisation("vmbo")
    user = User(
        email=fields.pop("email", f"gebruiker{n}@example.org"),
        name=fields.pop("name", f"Test Gebruiker {n}"),
        role=role,
        organisation_id=organisation.id if organisation else None,
        password_hash=password_hash(),
        **fields,
    )
    db.session.add(user)
    db.session.flush()
    return user


def make_route(parties: list[tuple[Organisation, str]] | None = None, **fields) -> LearningRoute:
    """A route with the given (organisation, role) parties; defaults to one vmbo
    and one mbo party."""
    if parties is None:
        parties = [(make_organisation("vmbo"), "vmbo"), (make_organisation("mbo"), "mbo")]
    defaults = dict(title=f"Testroute {next(_seq)}", kind_code="dlr", mbo_level_code="2",
                    first_school_year="2025-2026", status="actief", teaching_location="beide")
    defaults.update(fields)
    route = LearningRoute(**defaults)
    route.parties = [RouteParty(organisation_id=o.id, role=r) for o, r in parties]
    db.session.add(route)
    db.session.flush()
    return route
