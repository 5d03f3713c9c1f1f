"""The year report (/kaart/rapportage/<schooljaar>): a school year next to the
previous one, every indicator with its targets, their status and the change
per region; and the same comparison between any two snapshots."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.core.aggregates import kept
from portal.domain import monitoring as rules
from portal.domain.school_year import school_years_between, shift_school_year
from portal.models import LearningRoute
from portal.services.learning_routes.filters import visibility_clause
from portal.services.monitoring.facts import COUNTED_STATUSES
from portal.services.monitoring.indicators import YearIndicators, indicator_years, snapshot_year
from portal.services.monitoring.progress import Progress, progress_of
from portal.services.monitoring.snapshots import SnapshotInfo, list_snapshots
from portal.services.monitoring.targets import list_targets


@dataclass
class RegionChange:
    code: str
    name: str
    before: float | None
    after: float | None

    @property
    def change(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return round(self.after - self.before, 1)


@dataclass
class IndicatorRow:
    indicator: rules.Indicator
    after: rules.Result | None
    before: rules.Result | None
    progress: list[Progress] = field(default_factory=list)
    regions: list[RegionChange] = field(default_factory=list)

    @property
    def change(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return round(self.after.value - self.before.value, 1)


@dataclass
class Report:
    after: YearIndicators
    before: YearIndicators | None
    rows: list[IndicatorRow]
    progress: list[Progress]

    @property
    def region_total(self) -> int:
        return max((r.after.region_total for r in self.rows if r.after), default=0)


def first_counted_year(session: Session) -> str | None:
    """The first school year of a public route that counts. One query."""
    return session.scalar(select(func.min(LearningRoute.first_school_year))
                          .where(visibility_clause(None), LearningRoute.status.in_(COUNTED_STATUSES)))


def build(after: YearIndicators, before: YearIndicators | None, progress: list[Progress]) -> Report:
    names = {**(before.region_names or {} if before else {}), **(after.region_names or {})}
    rows = []
    for code, indicator in rules.INDICATORS.items():
        now, then = after.results.get(code), before.results.get(code) if before else None
        regions = sorted(set(now.regions if now else {}) | set(then.regions if then else {}))
        rows.append(IndicatorRow(
            indicator, now, then, [p for p in progress if p.indicator.code == code],
            [RegionChange(region, names.get(region, region), then.regions.get(region) if then else None,
                          now.regions.get(region) if now else None) for region in regions]))
    return Report(after, before, rows, progress)


def year_report(session: Session, region_year: int | None, school_year: str) -> Report:
    """The school year (from its snapshot when one exists) next to the previous
    one; the targets' status from the series up to that school year. The
    indicators are kept per aggregates version (core/aggregates); the targets
    (ORM rows, a handful) are read per request, so nothing kept holds a row of
    a closed session."""
    first_year = kept(session, ("first_counted_year",), lambda: first_counted_year(session))
    first = min(first_year or school_year, shift_school_year(school_year, -1))
    years = indicator_years(session, region_year, school_years_between(first, school_year), routes_of=school_year)
    progress = progress_of(list_targets(session), years)
    return build(years[-1], years[-2] if len(years) > 1 else None, progress)


def snapshot_report(session: Session, first: SnapshotInfo, second: SnapshotInfo) -> Report:
    """Two snapshots side by side, the older first (a nulmeting against a later
    one); the targets' status from these two points."""
    older, newer = sorted((first, second), key=lambda s: (s.peildatum, s.version))
    before, after = snapshot_year(session, older), snapshot_year(session, newer)
    return build(after, before, progress_of(list_targets(session), [before, after]))


def find_snapshot(session: Session, snapshot_id: int) -> SnapshotInfo | None:
    return next((s for s in list_snapshots(session) if s.id == snapshot_id), None)
