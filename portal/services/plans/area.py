"""Where plan regions lie: per plan the hull of its schools and the
arbeidsmarktregio's (of the indeling in use) in which one of its parties lies."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain import plans as dom
from portal.domain.plan_area import as_geojson_polygon, school_area
from portal.models import MunicipalityRegion, Organisation, Region
from portal.models.plan import PlanRegionMember, RegionalPlan
from portal.services.reference.boundaries import current_region_year


@dataclass
class PlanArea:
    plan_id: int
    name: str
    state: str
    hull: dict | None  # GeoJSON Polygon, None without schools with coordinates
    region_codes: list[str] = field(default_factory=list)


@dataclass
class AreaMap:
    plans: list[PlanArea]
    regions: list[tuple[str, str, str]]  # (code, name, geometry text) of every region a plan touches


def plan_areas(session: Session, plans: list[RegionalPlan]) -> AreaMap:
    if not plans:
        return AreaMap([], [])
    year = current_region_year(session)
    region_ids = {p.plan_region_id: p for p in plans}
    rows = session.execute(
        select(PlanRegionMember.plan_region_id, Organisation.kind, Organisation.lat, Organisation.lon,
               Region.code)
        .join(Organisation, Organisation.id == PlanRegionMember.organisation_id)
        .outerjoin(MunicipalityRegion, (MunicipalityRegion.municipality_id == Organisation.municipality_id)
                   & (MunicipalityRegion.year == year))
        .outerjoin(Region, Region.id == MunicipalityRegion.region_id)
        .where(PlanRegionMember.plan_region_id.in_(region_ids))).all()
    points: dict[int, list[tuple[float, float]]] = {}
    codes: dict[int, set[str]] = {}
    for region_id, kind, lat, lon, code in rows:
        if kind in dom.VMBO_KINDS and lat is not None and lon is not None:
            points.setdefault(region_id, []).append((lat, lon))
        if code:
            codes.setdefault(region_id, set()).add(code)
    areas = [PlanArea(plan.id, plan.region.name, plan.state,
                      as_geojson_polygon(school_area(points.get(region_id, []))),
                      sorted(codes.get(region_id, set())))
             for region_id, plan in region_ids.items()]
    wanted = sorted({c for a in areas for c in a.region_codes})
    regions = list(session.execute(
        select(Region.code, Region.name, Region.geometry).where(Region.code.in_(wanted), Region.year == year,
                                                                Region.geometry.is_not(None))
        .order_by(Region.code)).tuples()) if wanted else []
    return AreaMap(areas, [(c, n, g) for c, n, g in regions if g])
