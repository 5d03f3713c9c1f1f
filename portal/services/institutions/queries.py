"""The staff list of mbo institutions, with their number of locations."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from portal.models import MboLocation, Municipality, MunicipalityRegion, Organisation, Region


@dataclass
class InstitutionRow:
    id: int
    name: str
    brin: str | None
    city: str | None
    is_funded: bool
    locations: int
    ended_locations: int


def list_institutions(session: Session, search: str = "", funded: bool | None = None) -> list[InstitutionRow]:
    """Every mbo institution matching `search` (name, BRIN, plaats), funded
    first and then by name, with its current and ended locations. One query."""
    current = func.count(MboLocation.id).filter(MboLocation.ended_on.is_(None))
    ended = func.count(MboLocation.id).filter(MboLocation.ended_on.is_not(None))
    query = (select(Organisation.id, Organisation.name, Organisation.brin, Organisation.city, Organisation.is_funded,
                    current, ended)
             .outerjoin(MboLocation, MboLocation.organisation_id == Organisation.id)
             .where(Organisation.kind == "mbo")
             .group_by(Organisation.id)
             .order_by(Organisation.is_funded.desc(), Organisation.name, Organisation.id))
    text = search.strip()[:100]
    if text:
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(or_(Organisation.name.ilike(pattern, escape="\\"),
                                Organisation.brin.ilike(pattern, escape="\\"),
                                Organisation.city.ilike(pattern, escape="\\")))
    if funded is not None:
        query = query.where(Organisation.is_funded.is_(funded))
    return [InstitutionRow(*row) for row in session.execute(query)]


@dataclass
class LocationRow:
    name: str
    street: str | None
    postcode: str | None
    city: str | None
    municipality: str | None
    region_code: str | None
    region_name: str | None
    ended_on: object


def locations_of(session: Session, organisation_id: int, region_year: int | None) -> list[LocationRow]:
    """An mbo institution's locations with their gemeente and arbeidsmarktregio, current ones first. One query."""
    query = (select(MboLocation.name, MboLocation.street, MboLocation.postcode, MboLocation.city, Municipality.name,
                    Region.code, Region.name, MboLocation.ended_on)
             .outerjoin(Municipality, Municipality.id == MboLocation.municipality_id)
             .outerjoin(MunicipalityRegion, (MunicipalityRegion.municipality_id == Municipality.id)
                        & (MunicipalityRegion.year == (region_year or 0)))
             .outerjoin(Region, Region.id == MunicipalityRegion.region_id)
             .where(MboLocation.organisation_id == organisation_id)
             .order_by(MboLocation.ended_on.is_not(None), MboLocation.city, MboLocation.name))
    return [LocationRow(*row) for row in session.execute(query)]
