"""The indicators per school year, each year from where it stands: a past year
from its snapshot when one exists ("stand op 15-10-2025"), the current year
live ("actueel"), and a past year without a snapshot computed now ("berekend
achteraf, geen vastgestelde stand")."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from portal.core.aggregates import kept
from portal.domain import monitoring as rules
from portal.domain.school_year import current_school_year
from portal.services.monitoring.facts import load_facts
from portal.services.monitoring.snapshots import (
    SnapshotInfo,
    latest_per_school_year,
    list_snapshots,
    results_of,
    route_rows,
    snapshot_data,
)

LIVE = "actueel"
FROZEN = "vastgesteld"
BACKFILL = "achteraf"
BACKFILL_LABEL = "berekend achteraf, geen vastgestelde stand"


@dataclass
class YearIndicators:
    school_year: str
    results: dict[str, rules.Result]
    source: str
    snapshot: SnapshotInfo | None = None
    region_names: dict[str, str] | None = None
    routes: list[dict] | None = None  # the routes that counted (route_rows); only in the year asked for

    @property
    def label(self) -> str:
        if self.source == FROZEN and self.snapshot:
            return self.snapshot.label
        return LIVE if self.source == LIVE else BACKFILL_LABEL


def indicator_years(session: Session, region_year: int | None, school_years: list[str],
                    routes_of: str | None = None) -> list[YearIndicators]:
    """The indicators of each school year (_indicator_years), kept per
    aggregates version (core/aggregates). The routes that counted come along
    for the school year `routes_of` only (the year report's Excel lists them):
    at national scale they are tens of MBs per list of years, kept in every
    worker, and the dashboard and region pages show none of them."""
    key = ("indicator_years", region_year, tuple(school_years), routes_of)
    return kept(session, key, lambda: _indicator_years(session, region_year, school_years, routes_of))


def _indicator_years(session: Session, region_year: int | None, school_years: list[str],
                     routes_of: str | None = None) -> list[YearIndicators]:
    """The indicators of each school year (oldest first). A fixed number of
    queries: the snapshot list, their data, and the live facts once."""
    current = current_school_year()
    standing = latest_per_school_year(list_snapshots(session))
    frozen = [y for y in school_years if y < current and y in standing]
    data = snapshot_data(session, [standing[y].id for y in frozen])
    live_years = [y for y in school_years if y not in frozen]
    facts = load_facts(session, region_year, live_years) if live_years else None
    result = []
    for year in school_years:
        if year in frozen:
            frozen_data = data[standing[year].id]
            result.append(YearIndicators(year, results_of(frozen_data), FROZEN, standing[year],
                                         frozen_data.get("regions"),
                                         frozen_data.get("routes") if year == routes_of else None))
        elif facts is not None:
            results = rules.compute(facts.counted_routes(year), facts.region_codes, facts.vmbo_regions)
            result.append(YearIndicators(year, results, LIVE if year >= current else BACKFILL,
                                         region_names=facts.region_names,
                                         routes=route_rows(facts, year) if year == routes_of else None))
    return result


def snapshot_year(session: Session, info: SnapshotInfo) -> YearIndicators:
    """The indicators frozen in one snapshot. One query."""
    data = snapshot_data(session, [info.id])[info.id]
    return YearIndicators(info.school_year, results_of(data), FROZEN, info, data.get("regions"), data.get("routes"))
