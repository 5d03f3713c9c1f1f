"""Factories for the map, region and API tests: schools placed in a real
arbeidsmarktregio (through a real gemeente of the 2025 indeling)."""
from __future__ import annotations

import itertools

from sqlalchemy import select

from portal.extensions import db
from portal.models import Municipality, MunicipalityRegion, Profile, Region
from tests.factories import make_organisation, make_route

_seq = itertools.count(1)


def municipality_in(region_code: str, year: int = 2025) -> Municipality:
    return db.session.scalar(
        select(Municipality).join(MunicipalityRegion, MunicipalityRegion.municipality_id == Municipality.id)
        .join(Region, Region.id == MunicipalityRegion.region_id)
        .where(Region.code == region_code, Region.year == year, MunicipalityRegion.year == year)
        .order_by(Municipality.code).limit(1))


def make_school(region_code: str, kind: str = "vmbo", profiles: tuple[str, ...] = (), pupils: int | None = None,
                **fields):
    n = next(_seq)
    municipality = municipality_in(region_code)
    org = make_organisation(kind, name=fields.pop("name", f"Kaarttest {kind} {region_code} {n}"),
                            municipality_id=municipality.id, city=municipality.name,
                            lat=fields.pop("lat", 52.0 + n / 1000), lon=fields.pop("lon", 5.0 + n / 1000),
                            pupils=pupils, **fields)
    if profiles:
        org.profiles = list(db.session.scalars(select(Profile).where(Profile.code.in_(profiles))))
        db.session.flush()
    return org


def make_region_route(region_code: str, *, vmbo=None, mbo=None, profiles: tuple[str, ...] = ("ZW",), **fields):
    """A route whose vmbo party lies in the region."""
    vmbo = vmbo or make_school(region_code)
    mbo = mbo or make_school(region_code, kind="mbo")
    route = make_route(parties=[(vmbo, "vmbo"), (mbo, "mbo")], **fields)
    if profiles:
        route.profiles = list(db.session.scalars(select(Profile).where(Profile.code.in_(profiles))))
        db.session.flush()
    return route
