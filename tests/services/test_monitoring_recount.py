"""Issue 21: the live indicators (indicator_years) equal a straightforward
recount, route by route and year by year, on generated data plus hand-built
agreements and routes: signed, terminated mid-year, expired, with an addendum
waiting, archived; routes ended, archived, running over a span of years.

The recount asks the one rule per question, without any grouping: for each
school year and each public route, route_state.counted_in; for each of the
route's agreements, agreements.queries.in_force_in on the ORM object. The
service may organise the same questions any way it likes, but its figures
and the routes it lists must be the same."""
from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

import pytest
from flask import current_app
from sqlalchemy import select

from portal.devdata.generator import generate
from portal.domain import monitoring as rules
from portal.domain import route_state
from portal.domain.school_year import current_school_year, school_year_bounds, shift_school_year
from portal.models import LearningRoute, MunicipalityRegion, Organisation, Region
from portal.models.agreement import Agreement
from portal.services.agreements.queries import in_force_in
from portal.services.learning_routes.filters import route_region_pairs, visibility_clause
from portal.services.monitoring import indicators
from portal.services.reference.boundaries import current_region_year
from tests.conftest import DATA_DIR

NOW = current_school_year()
YEARS = [shift_school_year(NOW, n) for n in range(-9, 3)]  # past, current and future years


def recount(session, region_year: int, school_years: list[str]) -> dict[str, tuple[dict, list[dict]]]:
    """Per school year: the indicators and the routes that counted, recounted
    from ORM objects one route, one year and one agreement at a time."""
    current = current_school_year()
    codes = list(session.scalars(select(Region.code).where(Region.year == region_year)))
    routes = session.scalars(select(LearningRoute).where(visibility_clause(None))
                             .order_by(LearningRoute.id)).all()
    pairs = route_region_pairs(region_year)
    regions: dict[int, set[str]] = defaultdict(set)
    for route_id, code in session.execute(select(pairs.c.route_id, Region.code)
                                          .join(Region, Region.id == pairs.c.region_id)):
        regions[route_id].add(code)
    agreements_of: dict[int, list[Agreement]] = defaultdict(list)
    for agreement in session.scalars(select(Agreement)):
        for route in agreement.in_force_routes:
            agreements_of[route.id].append(agreement)
    vmbo_regions: dict[int, str | None] = {}
    for school in session.scalars(select(Organisation).where(Organisation.kind == "vmbo")):
        vmbo_regions[school.id] = session.scalar(
            select(Region.code).join(MunicipalityRegion, MunicipalityRegion.region_id == Region.id)
            .where(MunicipalityRegion.municipality_id == school.municipality_id,
                   MunicipalityRegion.year == region_year))
    out = {}
    for year in school_years:
        counted, rows = [], []
        for r in routes:
            if r.status not in ("actief", "beeindigd") or r.first_school_year > max(school_years):
                continue
            if not route_state.counted_in(r.status, r.first_school_year, r.last_school_year, year, current):
                continue
            covered = any(in_force_in(a, year) for a in agreements_of[r.id])
            parties = sorted(r.parties, key=lambda p: p.id)
            pathways = {p.code for p in r.pathways}
            counted.append(rules.CountedRoute(
                id=r.id, kind=r.kind_code, level=r.mbo_level_code, teaching_location=r.teaching_location,
                pathways=frozenset(pathways), regions=frozenset(regions[r.id]), pupils=r.pupils_per_cohort,
                covered=covered, vmbo_ids=frozenset(p.organisation_id for p in parties if p.role == "vmbo")))
            rows.append({"id": r.id, "title": r.title, "kind": r.kind_code, "level": r.mbo_level_code,
                         "status": r.status, "teaching_location": r.teaching_location,
                         "pathways": sorted(pathways), "pupils": r.pupils_per_cohort, "covered": covered,
                         "parties": [p.organisation.name for p in parties], "regions": sorted(regions[r.id])})
        out[year] = (rules.compute(counted, codes, vmbo_regions), rows)
    return out


def signed(agreement: Agreement, start: date, end: date, *, status: str = "getekend",
           terminated_on: date | None = None, revision: int = 1, in_force_revision: int = 1) -> None:
    agreement.status, agreement.revision, agreement.terminated_on = status, revision, terminated_on
    agreement.start_date, agreement.end_date = start, end
    agreement.in_force_revision, agreement.in_force_start_date, agreement.in_force_end_date = \
        in_force_revision, start, end


@pytest.fixture
def world(db_session, reference_data):
    """Generated data, then hand-built cases on its agreements and routes."""
    generate(db_session, scale=0.03, seed=2121, data_dir=DATA_DIR)
    db_session.flush()
    agreements = db_session.scalars(select(Agreement).where(Agreement.in_force_revision.is_not(None))
                                    .order_by(Agreement.id)).all()
    assert len(agreements) >= 6
    year_start, year_end = school_year_bounds(shift_school_year(NOW, -3))
    cases = {}
    # Terminated in the middle of a school year: covers that year, not the next.
    signed(agreements[0], year_start - timedelta(days=365), year_end + timedelta(days=3 * 365),
           status="opgezegd", terminated_on=year_start + timedelta(days=100))
    cases["terminated"] = agreements[0]
    # Terminated on the first day of a school year: the year before is its last.
    signed(agreements[1], year_start - timedelta(days=730), year_end + timedelta(days=365),
           status="opgezegd", terminated_on=year_start)
    cases["terminated_on_first_day"] = agreements[1]
    # An addendum waits: version 1 stays in force.
    signed(agreements[2], year_start, year_end + timedelta(days=365), status="concept", revision=2)
    cases["addendum"] = agreements[2]
    # Archived: covers nothing.
    signed(agreements[3], year_start, year_end + timedelta(days=6 * 365))
    agreements[3].archived_at = agreements[3].created_at
    cases["archived"] = agreements[3]
    # Ends on the last day of a school year, and one ending on its first day.
    signed(agreements[4], year_start - timedelta(days=365), year_end)
    signed(agreements[5], year_start - timedelta(days=365), year_start)
    cases["ends_on_first_day"] = agreements[5]
    # Routes: ended after a span, archived, and one covered twice (two agreements).
    routes = db_session.scalars(select(LearningRoute).where(LearningRoute.status == "actief",
                                                            LearningRoute.archived_at.is_(None))
                                .order_by(LearningRoute.id)).all()
    routes[0].status, routes[0].last_school_year = "beeindigd", shift_school_year(NOW, -2)
    routes[1].archived_at = routes[1].created_at
    routes[2].first_school_year, routes[2].last_school_year = shift_school_year(NOW, -5), shift_school_year(NOW, 1)
    agreements[4].in_force_routes.append(routes[2])
    agreements[0].in_force_routes.append(routes[2])
    db_session.flush()
    return cases


def test_live_indicators_equal_a_recount_route_by_route(world, db_session):
    region_year = current_region_year(db_session)
    store = current_app.extensions["kept_aggregates"]
    store.enabled = False
    try:
        years = indicators.indicator_years(db_session, region_year, YEARS)
        # The routes come along only for the year asked for (the year report's).
        listed = {year: next(y for y in indicators.indicator_years(db_session, region_year, YEARS, routes_of=year)
                             if y.school_year == year).routes for year in YEARS}
    finally:
        store.enabled = True
    expected = recount(db_session, region_year, YEARS)
    assert [y.school_year for y in years] == YEARS
    for year in years:
        results, rows = expected[year.school_year]
        assert year.source in (indicators.LIVE, indicators.BACKFILL)
        assert year.results == results, year.school_year
        assert year.routes is None and listed[year.school_year] == rows, year.school_year
        assert year.region_names == dict(db_session.execute(
            select(Region.code, Region.name).where(Region.year == region_year)).tuples().all())
    # The data is not trivial: routes counted and covered in several years, and coverage changes over them.
    covered = {year: {r["id"] for r in rows if r["covered"]} for year, rows in listed.items()}
    assert sum(1 for ids in covered.values() if ids) >= 4
    assert len({frozenset(ids) for ids in covered.values()}) >= 4


def test_the_hand_built_agreements_cover_the_years_the_rule_says(world, db_session):
    terminated_year = shift_school_year(NOW, -3)
    cases = world
    assert in_force_in(cases["terminated"], terminated_year)
    assert not in_force_in(cases["terminated"], shift_school_year(terminated_year, 1))
    assert not in_force_in(cases["terminated_on_first_day"], terminated_year)
    assert in_force_in(cases["terminated_on_first_day"], shift_school_year(terminated_year, -1))
    assert in_force_in(cases["addendum"], terminated_year)
    assert not in_force_in(cases["archived"], terminated_year)
    assert in_force_in(cases["ends_on_first_day"], terminated_year)
