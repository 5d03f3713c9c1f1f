"""The statements the region page runs, each built once (per school year,
database dialect or list length) with what varies per request as named
parameters: building a statement and its cache key costs SQLAlchemy more
than running it on a small region. A Select is immutable and SQLAlchemy
memoizes its cache key on it, so a built statement is reused as it is.

Parameters: `region_id` and `year` (the region and its indeling), id sets
(services.id_sets) `selected` (the page's routes), `schools` (vmbo schools).
"""
from __future__ import annotations

import dataclasses
from functools import lru_cache

from sqlalchemy import Date, Integer, Select, bindparam, case, cast, func, literal_column, null, select, union_all

from portal.core.id_sets import id_set_parameter
from portal.models import (
    Agreement,
    LearningRoute,
    MunicipalityRegion,
    Organisation,
    RouteParty,
    organisation_profiles,
    route_profiles,
)
from portal.models.agreement import agreement_in_force_routes
from portal.services.agreements.queries import in_force_on
from portal.services.coverage.figures import selected_route_ids, selection_filters
from portal.services.coverage.trend import counted_routes
from portal.services.learning_routes.filters import RouteFilters, route_region_pairs


def in_region(region_id, year) -> Select:
    """The region's routes, any status: the route list's region filter for one
    region, by id, so the database can push it into the DISTINCT pairs."""
    return select(route_region_pairs(year, region_ids=[region_id]).c.route_id)


def selected(filters: RouteFilters, year) -> Select:
    """The selection's routes apart from the region filter."""
    return selected_route_ids(dataclasses.replace(filters, region=[]), None, year)


@lru_cache(maxsize=256)
def routes_of_region(region_id: int, year: int, school_year: str, current: str) -> Select:
    """The region's routes with, per route, what the figures and the trend
    group by, and whether it is in the selection of the school year and
    counted by the trend (of the `current` year)."""
    filters = selection_filters(school_year=school_year)
    return (
        select(LearningRoute.id, LearningRoute.kind_code, LearningRoute.mbo_level_code,
               LearningRoute.first_school_year, LearningRoute.last_school_year, LearningRoute.status,
               LearningRoute.pupils_per_cohort, case((selected(filters, year).whereclause, 1), else_=0),
               case((counted_routes(school_year), 1), else_=0))
        .where(LearningRoute.id.in_(in_region(region_id, year))))


def municipalities(region_id, year) -> Select:
    return select(MunicipalityRegion.municipality_id).where(
        MunicipalityRegion.region_id == region_id, MunicipalityRegion.year == year)


@lru_cache(maxsize=1)
def organisations_of_region() -> Select:
    """Every organisation in the region (`region_id`, `year`): id, kind,
    pupils, and name, city and coordinates (the region page's map)."""
    return (select(Organisation.id, Organisation.kind, Organisation.pupils, Organisation.name, Organisation.city,
                   Organisation.lat, Organisation.lon)
            .where(Organisation.municipality_id.in_(municipalities(bindparam("region_id"), bindparam("year")))))


@lru_cache(maxsize=4)
def profiles(dialect: str):
    """Rows ('p', profiel, niveau, routes) of the `selected` routes and
    ('o', profiel) offered by the `schools`."""
    per_profile = (  # first: its columns type the others' NULLs (PostgreSQL)
        select(literal_column("'p'").label("part"), route_profiles.c.profile_code.label("code"),
               LearningRoute.mbo_level_code.label("level"), func.count(LearningRoute.id).label("n"))
        .join(route_profiles, route_profiles.c.route_id == LearningRoute.id)
        .where(LearningRoute.id.in_(id_set_parameter(dialect, "selected")))
        .group_by(route_profiles.c.profile_code, LearningRoute.mbo_level_code))
    offered = (select(literal_column("'o'"), organisation_profiles.c.profile_code, null(), cast(null(), Integer))
               .where(organisation_profiles.c.organisation_id.in_(id_set_parameter(dialect, "schools")))
               .distinct())  # typed NULL: DISTINCT would make an untyped one text
    return union_all(per_profile, offered)


@lru_cache(maxsize=16)
def first_routes(dialect: str, limit: int) -> Select:
    """The first `limit` `selected` routes in title order."""
    return (select(LearningRoute.id, LearningRoute.title, LearningRoute.kind_code, LearningRoute.mbo_level_code,
                   LearningRoute.first_school_year, LearningRoute.last_school_year, LearningRoute.pupils_per_cohort)
            .where(LearningRoute.id.in_(id_set_parameter(dialect, "selected")))
            .order_by(LearningRoute.title, LearningRoute.id).limit(limit))


def organisations_query(route_ids) -> Select:
    """The organisations taking part in the given routes, per role (vmbo,
    mbo, bedrijf) by name, with their number of routes."""
    return (
        select(Organisation.id, Organisation.name, Organisation.city, Organisation.kind, RouteParty.role,
               func.count(RouteParty.route_id).label("routes"))
        .join(RouteParty, RouteParty.organisation_id == Organisation.id)
        .where(RouteParty.route_id.in_(route_ids))
        .group_by(Organisation.id, Organisation.name, Organisation.city, Organisation.kind, RouteParty.role)
        .order_by(RouteParty.role, Organisation.name, Organisation.id))


@lru_cache(maxsize=4)
def organisations_taking_part(dialect: str) -> Select:
    """organisations_query of the `selected` routes."""
    return organisations_query(id_set_parameter(dialect, "selected"))


def schools_query(*where) -> Select:
    """vmbo schools by name, rows as schools_without_route's (without the region code)."""
    return (select(Organisation.id, Organisation.name, Organisation.city, Organisation.lat, Organisation.lon)
            .where(*where).order_by(Organisation.name, Organisation.id))


@lru_cache(maxsize=16)
def first_schools(dialect: str, limit: int) -> Select:
    """The first `limit` of the `schools`, by name."""
    return schools_query(Organisation.id.in_(id_set_parameter(dialect, "schools"))).limit(limit)


@lru_cache(maxsize=4)
def agreement_counts(dialect: str) -> Select:
    """The statement counting, for the `selected` routes, the signed
    agreements in force on `today`, those of them ending by `soon`, and the
    routes without one."""
    today = bindparam("today", type_=Date)
    chosen = id_set_parameter(dialect, "selected").subquery("chosen")
    # The version in force (not a draft addendum's status): services.agreements.queries.in_force_on.
    in_force = in_force_on(today)
    # The routes of the version in force, not those of a draft addendum.
    links = agreement_in_force_routes
    linked = select(links.c.agreement_id).where(links.c.route_id.in_(select(chosen.c[0])))
    covered = select(links.c.route_id).join(Agreement, Agreement.id == links.c.agreement_id).where(in_force)
    missing = select(func.count()).select_from(chosen).where(chosen.c[0].not_in(covered)).scalar_subquery()
    return (select(func.count(Agreement.id),
                   func.count(case((Agreement.in_force_end_date <= bindparam("soon", type_=Date), Agreement.id))), missing)
            .where(in_force, Agreement.id.in_(linked)))
