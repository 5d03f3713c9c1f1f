"""Which year's indeling the portal uses, and switching it safely.

A year is loaded in two files: its region boundaries (`flask geo import`) and
its gemeente -> region mapping (`flask geo import-municipalities`). Until both
are in, the new year's regions hold no gemeenten and so no schools: every
figure on the map would be 0. So a year only becomes the one in use when it is
complete:

- it has regions, and every one of them has a boundary;
- every region of the year has at least one gemeente of that year;
- every gemeente mapped in that year maps to a region of that same year.

Loading a file that makes a year complete switches to it when it is at least
as new as the year in use (loading an older year for reference does not);
`activate_region_year` (`--activate`, `flask geo activate`) switches on
request, also to an incomplete or older year. The year in use is the setting
`region_year`; a database without it (loaded before there was one) uses its
newest complete year, or failing that its newest loaded year.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Integer, and_, cast, delete, exists, func, select
from sqlalchemy.orm import Session, aliased

from portal.core.audit import record
from portal.core.data_version import put_setting
from portal.core.errors import ServiceError
from portal.core.settings import get_setting
from portal.models import Municipality, MunicipalityRegion, Organisation, Region, Setting, User
from portal.models.practice import practice_regions

ACTIVE_REGION_YEAR = "region_year"


def _complete_year_condition(year_column):
    """SQL: the year in `year_column` is complete (see the module docstring)."""
    region, membership, other = aliased(Region), aliased(MunicipalityRegion), aliased(Region)
    without_boundary = exists().where(region.year == year_column, region.geometry.is_(None))
    without_gemeente = exists().where(
        region.year == year_column,
        ~exists().where(membership.region_id == region.id, membership.year == region.year))
    mapped_elsewhere = exists().where(
        membership.year == year_column, other.id == membership.region_id, other.year != year_column)
    return and_(~without_boundary, ~without_gemeente, ~mapped_elsewhere)


def _current_year_statement():
    """One statement, one row: the stored year; else the newest complete year;
    else the newest loaded year. COALESCE evaluates the later (heavier)
    arguments only when the stored setting is missing."""
    stored = select(cast(Setting.value, Integer)).where(Setting.key == ACTIVE_REGION_YEAR).scalar_subquery()
    newest_complete = select(func.max(Region.year)).where(_complete_year_condition(Region.year)).scalar_subquery()
    newest = select(func.max(Region.year)).scalar_subquery()
    return select(func.coalesce(stored, newest_complete, newest))


# Built once: current_region_year runs it on every page.
CURRENT_YEAR = _current_year_statement()


@dataclass(frozen=True)
class YearStatus:
    year: int
    regions: int
    with_boundary: int
    with_gemeente: int
    municipalities: int
    mapped_elsewhere: int
    organisations_outside: int  # organisations in a gemeente that this year does not map
    current: bool

    @property
    def complete(self) -> bool:
        return (self.regions > 0 and self.with_boundary == self.regions and self.with_gemeente == self.regions
                and self.mapped_elsewhere == 0)

    def problems(self) -> list[str]:
        """What keeps the year from being complete, in Dutch."""
        found = []
        if not self.regions:
            found.append("er zijn geen arbeidsmarktregio's geladen")
        elif self.with_boundary < self.regions:
            found.append(f"{self.regions - self.with_boundary} van de {self.regions} regio's hebben geen grens")
        if self.regions and not self.municipalities:
            found.append("de gemeenten (koppeling gemeente → regio) zijn nog niet geladen")
        elif self.with_gemeente < self.regions:
            found.append(f"{self.regions - self.with_gemeente} van de {self.regions} regio's hebben geen gemeente")
        if self.mapped_elsewhere:
            found.append(f"{self.mapped_elsewhere} gemeenten verwijzen naar een regio van een ander jaar")
        return found

    def summary(self) -> str:
        state = "in gebruik" if self.current else ("compleet" if self.complete else "niet compleet")
        return (f"Indeling {self.year}: {self.regions} regio's ({self.with_boundary} met grens), "
                f"{self.municipalities} gemeenten; {state}.")


def year_statuses(session: Session) -> list[YearStatus]:
    """Every loaded year (regions or gemeenten), newest first."""
    regions = {year: (n, boundary) for year, n, boundary in session.execute(
        select(Region.year, func.count(Region.id), func.count(Region.geometry)).group_by(Region.year))}
    with_gemeente = dict(session.execute(
        select(Region.year, func.count(func.distinct(Region.id)))
        .join(MunicipalityRegion, and_(MunicipalityRegion.region_id == Region.id,
                                       MunicipalityRegion.year == Region.year))
        .group_by(Region.year)).all())
    municipalities = dict(session.execute(
        select(MunicipalityRegion.year, func.count(MunicipalityRegion.id)).group_by(MunicipalityRegion.year)).all())
    elsewhere = dict(session.execute(
        select(MunicipalityRegion.year, func.count(MunicipalityRegion.id))
        .join(Region, Region.id == MunicipalityRegion.region_id)
        .where(Region.year != MunicipalityRegion.year).group_by(MunicipalityRegion.year)).all())
    current = session.scalar(CURRENT_YEAR)
    statuses = []
    for year in sorted(set(regions) | set(municipalities), reverse=True):
        outside = session.scalar(
            select(func.count(Organisation.id)).where(
                Organisation.municipality_id.is_not(None),
                ~exists().where(MunicipalityRegion.municipality_id == Organisation.municipality_id,
                                MunicipalityRegion.year == year))) or 0
        n, boundary = regions.get(year, (0, 0))
        statuses.append(YearStatus(
            year=year, regions=n, with_boundary=boundary, with_gemeente=with_gemeente.get(year, 0),
            municipalities=municipalities.get(year, 0), mapped_elsewhere=elsewhere.get(year, 0),
            organisations_outside=outside, current=year == current))
    return statuses


def year_status(session: Session, year: int) -> YearStatus | None:
    return next((s for s in year_statuses(session) if s.year == year), None)


def _is_complete(session: Session, year: int) -> bool:
    return bool(session.scalar(select(exists().where(Region.year == year)
                                      .where(_complete_year_condition(Region.year)))))


def _store(session: Session, year: int, actor: User | None, reason: str) -> None:
    old = get_setting(session, ACTIVE_REGION_YEAR)
    put_setting(session, ACTIVE_REGION_YEAR, str(year))
    record(session, actor, "region_set", year, "activate",
           before={"year": int(old) if old else None}, after={"year": year, "reason": reason})


def activate_if_complete(session: Session, year: int, actor: User | None = None) -> bool:
    """After loading part of `year`: make it the year in use when it is now
    complete and at least as new as the year in use. True when it switched."""
    session.flush()
    current = session.scalar(CURRENT_YEAR)
    if current is not None and year < current:
        return False
    if get_setting(session, ACTIVE_REGION_YEAR) == str(year) or not _is_complete(session, year):
        return False
    _store(session, year, actor, "compleet geladen")
    return True


def activate_region_year(session: Session, year: int, actor: User | None = None) -> YearStatus:
    """Use `year` from now on, complete or not (the administrator decides)."""
    status = year_status(session, year)
    if status is None or not status.regions:
        raise ServiceError(f"Er zijn geen arbeidsmarktregio's van {year} geladen; laad eerst de regiogrenzen "
                           f"(flask geo import BESTAND --year {year}).")
    if get_setting(session, ACTIVE_REGION_YEAR) != str(year):
        _store(session, year, actor, "geactiveerd" if status.complete else "geactiveerd, niet compleet")
    return status


@dataclass(frozen=True)
class DropReport:
    year: int
    regions: int
    memberships: int
    municipalities: int  # gemeenten no other year maps and no organisation lies in


def drop_region_year(session: Session, year: int, actor: User | None = None) -> DropReport:
    """Remove a year's regions and gemeente mapping. Refused for the year in
    use and while good practices still point at one of its regions."""
    status = year_status(session, year)
    if status is None:
        raise ServiceError(f"Indeling {year} is niet geladen.")
    if year == session.scalar(CURRENT_YEAR):
        raise ServiceError(f"Indeling {year} is nu in gebruik en kan niet worden verwijderd. Zet eerst een ander "
                           f"jaar in gebruik (flask geo activate JAAR).")
    practices = session.scalar(
        select(func.count(func.distinct(practice_regions.c.practice_id)))
        .join(Region, Region.id == practice_regions.c.region_id).where(Region.year == year)) or 0
    if practices:
        raise ServiceError(f"Indeling {year} kan niet worden verwijderd: {practices} goede voorbeeld(en) verwijzen "
                           f"naar regio's van {year}. Koppel die eerst aan regio's van de indeling in gebruik.")
    memberships = session.execute(delete(MunicipalityRegion).where(MunicipalityRegion.year == year)).rowcount
    regions = session.execute(delete(Region).where(Region.year == year)).rowcount
    orphans = session.execute(delete(Municipality).where(
        ~exists().where(MunicipalityRegion.municipality_id == Municipality.id),
        ~exists().where(Organisation.municipality_id == Municipality.id))).rowcount
    report = DropReport(year=year, regions=regions, memberships=memberships, municipalities=orphans)
    record(session, actor, "region_set", year, "drop",
           before={"year": year, "regions": regions, "municipalities": memberships},
           after={"removed_municipalities": orphans})
    return report
