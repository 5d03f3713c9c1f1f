"""Where plan regions lie. A plan region's area is the convex hull of its
schools (vmbo and vso vestigingen: mbo institutions and employers may lie far
away and do not stretch it); the arbeidsmarktregio's it overlaps are those
(of the indeling in use) whose boundary that hull overlaps, computed with
shapely (portal.core.geometry.hull_overlaps). The region of each school's
gemeente counts as well, so that a school without coordinates, or a year
loaded without boundaries, still places the plan in its own region.

The map draws the hull with a margin around each school (domain.plan_area),
so that one or two schools still show an area; the overlap is computed from
the schools themselves, so a school a few hundred metres from a border does
not put the plan in the neighbouring region."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from portal.core.geometry import hull_overlaps
from portal.domain import plans as dom
from portal.domain.plan_area import as_geojson_polygon, school_area
from portal.models import MunicipalityRegion, Organisation, Region
from portal.models.plan import PlanRegion, PlanRegionMember, PlanRound, RegionalPlan
from portal.services.reference.boundaries import current_region_year


@dataclass
class PlanArea:
    plan_id: int
    name: str
    state: str
    hull: dict | None  # GeoJSON Polygon, None without schools with coordinates
    region_codes: list[str] = field(default_factory=list)  # the arbeidsmarktregio's it overlaps


@dataclass
class AreaMap:
    plans: list[PlanArea]
    regions: list[tuple[str, str, str]]  # (code, name, geometry text) of every region a plan overlaps


@dataclass
class _Schools:
    points: list[tuple[float, float]] = field(default_factory=list)  # (lat, lon)
    codes: set[str] = field(default_factory=set)  # the regions of the schools' gemeenten


def _schools(session: Session, year: int | None, plan_region_ids: list[int] | None) -> dict[int, _Schools]:
    """Per plan region its schools' coordinates and their gemeenten's regions,
    in one statement (every plan region when `plan_region_ids` is None)."""
    query = (select(PlanRegionMember.plan_region_id, Organisation.lat, Organisation.lon, Region.code)
             .join(Organisation, Organisation.id == PlanRegionMember.organisation_id)
             .outerjoin(MunicipalityRegion, (MunicipalityRegion.municipality_id == Organisation.municipality_id)
                        & (MunicipalityRegion.year == (year or 0)))
             .outerjoin(Region, Region.id == MunicipalityRegion.region_id)
             .where(PlanRegionMember.kind.in_(dom.VMBO_KINDS)))
    if plan_region_ids is not None:
        query = query.where(PlanRegionMember.plan_region_id.in_(plan_region_ids))
    out: dict[int, _Schools] = {}
    for region_id, lat, lon, code in session.execute(query):
        schools = out.setdefault(region_id, _Schools())
        if lat is not None and lon is not None:
            schools.points.append((lat, lon))
        if code:
            schools.codes.add(code)
    return out


def _overlapped(schools: _Schools, shapes: list[tuple[str, str]]) -> set[str]:
    return set(hull_overlaps([(lon, lat) for lat, lon in schools.points], shapes)) | schools.codes


def plan_areas(session: Session, plans: list[RegionalPlan]) -> AreaMap:
    if not plans:
        return AreaMap([], [])
    year = current_region_year(session)
    by_region = {p.plan_region_id: p for p in plans}
    schools = _schools(session, year, list(by_region))
    regions = list(session.execute(
        select(Region.code, Region.name, Region.geometry).where(Region.year == (year or 0),
                                                                Region.geometry.is_not(None))
        .order_by(Region.code)).tuples())
    shapes = [(code, geometry) for code, _name, geometry in regions]
    areas = []
    for region_id, plan in by_region.items():
        mine = schools.get(region_id, _Schools())
        areas.append(PlanArea(plan.id, plan.region.name, plan.state, as_geojson_polygon(school_area(mine.points)),
                              sorted(_overlapped(mine, shapes))))
    wanted = {c for a in areas for c in a.region_codes}
    return AreaMap(areas, [(c, n, g) for c, n, g in regions if c in wanted and g])


def region_names(session: Session, codes: list[str]) -> list[tuple[str, str]]:
    """(code, name) of the regions of the indeling in use with these codes."""
    if not codes:
        return []
    year = current_region_year(session)
    return list(session.execute(select(Region.code, Region.name).where(Region.code.in_(codes),
                                                                       Region.year == (year or 0))
                                .order_by(Region.code)).tuples())


def plans_covering(session: Session, region: Region) -> list[RegionalPlan]:
    """Every plan (in any state) whose area overlaps this arbeidsmarktregio,
    newest round first; who may see which is the caller's question
    (portal.permissions.can_list_plan). A fixed number of statements, whatever the number of plans."""
    shapes = [(region.code, region.geometry)] if region.geometry else []
    covering = [region_id for region_id, schools in _schools(session, region.year, None).items()
                if region.code in _overlapped(schools, shapes)]
    if not covering:
        return []
    return list(session.scalars(
        select(RegionalPlan).join(PlanRegion).join(PlanRound).where(PlanRegion.id.in_(covering))
        .order_by(PlanRound.submission_deadline.desc(), PlanRound.id, PlanRegion.name)
        .options(selectinload(RegionalPlan.region).selectinload(PlanRegion.round),
                 selectinload(RegionalPlan.region).selectinload(PlanRegion.members))))
