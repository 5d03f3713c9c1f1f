"""Everything the region page shows about one arbeidsmarktregio, plus the
optional neighbours (agreements, good practices) guarded by import."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from portal.domain import coverage as rules
from portal.models import (
    LearningRoute, MunicipalityRegion, Organisation, Region, RouteParty, route_profiles,
)
from portal.services.coverage import (
    RegionFigures, add_organisation_figures, schools_without_route, selected_route_ids, selection_filters,
    vmbo_parties,
)
from portal.services.coverage_trend import YearFigures, trend
from portal.services.route_filters import RouteFilters, route_region_pairs


# --- one region -------------------------------------------------------------------

@dataclass
class RegionDetail:
    figures: RegionFigures
    filters: RouteFilters
    matrix: dict[tuple[str, str], int]
    gap_profiles: list[str]
    gap_levels: list[str]
    schools_without_route: list[tuple]
    routes: list
    organisations: list
    trend: list[YearFigures]
    route_ids: list[int] = field(default_factory=list)


def region_detail(session: Session, region: Region, school_year: str | None = None) -> RegionDetail:
    """Everything the region page shows, public figures. A fixed number of queries."""
    filters = selection_filters(school_year=school_year, region=region.code)
    year = region.year
    # The region's routes (any status, for the trend) and its selected routes,
    # once each; the other queries use these id lists. Selecting by region id
    # is the route list's region filter for one region, in a form the database
    # can push into the DISTINCT pairs subquery.
    pairs = route_region_pairs(year, region_ids=[region.id])
    in_region = list(session.scalars(select(pairs.c.route_id)))
    without_region = dataclasses.replace(filters, region=[])
    ids = list(session.scalars(
        selected_route_ids(without_region, None, year).where(LearningRoute.id.in_(in_region))))
    figures = one_region_figures(session, region, ids)
    matrix = {
        (profile, level): count
        for profile, level, count in session.execute(
            select(route_profiles.c.profile_code, LearningRoute.mbo_level_code,
                   func.count(LearningRoute.id))
            .join(route_profiles, route_profiles.c.route_id == LearningRoute.id)
            .where(LearningRoute.id.in_(ids))
            .group_by(route_profiles.c.profile_code, LearningRoute.mbo_level_code))
        if level
    }
    routes = list(session.execute(
        select(LearningRoute.id, LearningRoute.title, LearningRoute.kind_code, LearningRoute.mbo_level_code,
               LearningRoute.first_school_year, LearningRoute.last_school_year,
               LearningRoute.pupils_per_cohort)
        .where(LearningRoute.id.in_(ids)).order_by(LearningRoute.title, LearningRoute.id)))
    organisations = list(session.execute(
        select(Organisation.id, Organisation.name, Organisation.city, Organisation.kind, RouteParty.role,
               func.count(RouteParty.route_id).label("routes"))
        .join(RouteParty, RouteParty.organisation_id == Organisation.id)
        .where(RouteParty.route_id.in_(ids))
        .group_by(Organisation.id, Organisation.name, Organisation.city, Organisation.kind, RouteParty.role)
        .order_by(RouteParty.role, Organisation.name)))
    from portal.domain import vocab
    profile_order = [t.code for t in vocab.PROFILES]
    return RegionDetail(
        figures=figures, filters=filters, matrix=matrix,
        gap_profiles=[p for p in profile_order if p in figures.profiles_offered - figures.route_profiles],
        gap_levels=[lv for lv in rules.MBO_LEVEL_CODES if lv not in figures.levels],
        schools_without_route=schools_without_route(session, filters, None, year, [region.code], ids),
        routes=routes, organisations=organisations,
        trend=trend(session, year, region.code, until=filters.school_year, route_ids=in_region),
        route_ids=ids,
    )


def one_region_figures(session: Session, region: Region, route_ids: list[int]) -> RegionFigures:
    """region_figures for one region whose selected routes are known
    (`route_ids`, all in this region): aggregates over those routes only, no
    derivation of every route's regions. Five queries."""
    figures = RegionFigures(region.id, region.code, region.name)
    for kind, level, count, pupils in session.execute(
        select(LearningRoute.kind_code, LearningRoute.mbo_level_code, func.count(LearningRoute.id),
               func.coalesce(func.sum(LearningRoute.pupils_per_cohort), 0))
        .where(LearningRoute.id.in_(route_ids))
        .group_by(LearningRoute.kind_code, LearningRoute.mbo_level_code)
    ):
        figures.routes += count
        figures.by_kind[kind] = figures.by_kind.get(kind, 0) + count
        figures.pupils_in_routes += int(pupils or 0)
        if level:
            figures.levels.add(level)
    add_organisation_figures(session, {region.id: figures}, region.year)
    figures.vmbo_schools_with_route = session.scalar(
        select(func.count(Organisation.id))
        .join(MunicipalityRegion, and_(MunicipalityRegion.municipality_id == Organisation.municipality_id,
                                       MunicipalityRegion.year == region.year))
        .where(MunicipalityRegion.region_id == region.id, Organisation.id.in_(vmbo_parties(route_ids)))) or 0
    figures.route_profiles.update(session.scalars(
        select(route_profiles.c.profile_code).distinct().where(route_profiles.c.route_id.in_(route_ids))))
    return figures


# --- optional neighbours ------------------------------------------------------------

EXPIRING_DAYS = 90  # as the agreements overview (services.agreements.list_expiring)


def agreement_figures(session: Session, region: Region, school_year: str | None = None,
                      route_ids: list[int] | None = None) -> dict | None:
    """For the region's active routes: signed agreements in force, those of them
    ending within 90 days, and routes without a signed agreement in force.
    None while the agreements model is not available. Two queries."""
    try:
        from portal.models.agreement import Agreement, agreement_routes
    except ImportError:
        return None
    from datetime import date, timedelta
    today = date.today()
    filters = selection_filters(school_year=school_year, region=region.code)
    ids = selected_route_ids(filters, None, region.year) if route_ids is None else route_ids
    in_force = and_(Agreement.archived_at.is_(None), Agreement.status == "getekend",
                    Agreement.start_date <= today, Agreement.end_date >= today)
    linked = select(agreement_routes.c.agreement_id).where(agreement_routes.c.route_id.in_(ids))
    signed, expiring = session.execute(
        select(func.count(Agreement.id),
               func.count(case((Agreement.end_date <= today + timedelta(days=EXPIRING_DAYS), Agreement.id))))
        .where(in_force, Agreement.id.in_(linked))).one()
    covered = (select(agreement_routes.c.route_id)
               .join(Agreement, Agreement.id == agreement_routes.c.agreement_id).where(in_force))
    missing = session.scalar(
        select(func.count(LearningRoute.id)).where(LearningRoute.id.in_(ids), LearningRoute.id.not_in(covered)))
    return {"signed": signed, "expiring": expiring, "missing": missing or 0}


def practices_for_region(session: Session, region_code: str, limit: int = 5) -> list | None:
    """The library's good practices linked to the region, or None without a library."""
    try:
        from portal.services.practices import practices_for_region as find
    except ImportError:
        return None
    return find(session, region_code, limit=limit)
