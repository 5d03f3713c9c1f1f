"""Each target against its indicator: the series per school year, the status
(portal.domain.targets.assess) and the regions that do not meet it yet."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from portal.domain import monitoring as rules
from portal.domain import targets as target_rules
from portal.models import Target
from portal.services.monitoring.indicators import YearIndicators, indicator_years
from portal.services.monitoring.targets import list_targets


@dataclass
class Progress:
    target: Target
    indicator: rules.Indicator
    series: list[tuple[str, float]]
    assessment: target_rules.Assessment
    region_total: int
    behind: list[tuple[str, str]] = field(default_factory=list)  # (code, name) of regions not meeting it


def regions_behind(indicator: rules.Indicator, result: rules.Result, target_value: float,
                   names: dict[str, str]) -> list[tuple[str, str]]:
    """The regions that do not meet a region indicator (or, for a percentage,
    that lie below the target value). A count has no per-region target."""
    if indicator.counts_regions:
        codes = result.regions_not_meeting()
    elif indicator.unit == rules.PERCENT:
        codes = sorted(code for code, value in result.regions.items() if value < target_value)
    else:
        codes = []
    return [(code, names.get(code, code)) for code in codes]


def progress_of(targets: list[Target], years: list[YearIndicators]) -> list[Progress]:
    """Every target against the years' indicators (oldest year first)."""
    out = []
    latest = years[-1] if years else None
    for target in targets:
        indicator = rules.INDICATORS[target.indicator]
        series = [(y.school_year, y.results[target.indicator].value) for y in years
                  if target.indicator in y.results]
        assessment = target_rules.assess(series, target.target_value, target.target_school_year)
        behind: list[tuple[str, str]] = []
        total = 0
        if latest is not None and target.indicator in latest.results:
            result = latest.results[target.indicator]
            total = result.region_total
            behind = regions_behind(indicator, result, target.target_value, latest.region_names or {})
        out.append(Progress(target, indicator, series, assessment, total, behind))
    return out


def dashboard_progress(session: Session, region_year: int | None, school_years: list[str]
                       ) -> tuple[list[Progress], list[YearIndicators]]:
    years = indicator_years(session, region_year, school_years)
    return progress_of(list_targets(session), years), years
