"""Factories for the leerroutes tests (the shared tests/factories.py has the basics)."""
from __future__ import annotations

from sqlalchemy import select

from portal.extensions import db
from portal.models import Pathway, Profile
from tests.factories import make_organisation, make_user


def make_school(pathways=("BB", "KB"), profiles=(), **fields):
    org = make_organisation("vmbo", **fields)
    org.pathways = list(db.session.scalars(select(Pathway).where(Pathway.code.in_(pathways))))
    org.profiles = list(db.session.scalars(select(Profile).where(Profile.code.in_(profiles))))
    db.session.flush()
    return org


def route_data(vmbo, mbo, **changes) -> dict:
    """Valid input for a GLR between these parties."""
    data = dict(title="GLR Zorg", kind="glr", status="voorbereiding", vmbo_parties=[vmbo.id], mbo_parties=[mbo.id],
                pathways=["BB"], profiles=["ZW"], mbo_level="2", crebo="25498",
                qualification_name="Helpende zorg en welzijn", first_school_year="2025-2026",
                contact_name="Jan Contact", contact_email="jan@example.org", contact_phone="0318-123456")
    data.update(changes)
    return data


class RouteWorld:
    """Two organisations pairs with their coordinators, plus staff, admin, reader."""

    def __init__(self):
        self.school = make_school(name="Vmbo De Eerste")
        self.roc = make_organisation("mbo", name="ROC Eerste")
        self.other_school = make_school(name="Vmbo De Andere")
        self.other_roc = make_organisation("mbo", name="ROC Andere")
        self.coordinator = make_user("coordinator", self.school)
        self.mbo_coordinator = make_user("coordinator", self.roc)
        self.other_coordinator = make_user("coordinator", self.other_school)
        self.staff = make_user("staff")
        self.admin = make_user("admin")
        self.reader = make_user("reader")
