"""Frozen snapshots of the indicators on a peildatum (issue 17): taken once,
never edited; taking one again for the same peildatum adds a new version."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.core.audit import record
from portal.core.code_version import code_version
from portal.domain import monitoring as rules
from portal.domain.school_year import school_year_of
from portal.models import MonitorSnapshot
from portal.services.monitoring.facts import Facts, load_facts
from portal.services.reference.boundaries import current_region_year


def freeze(facts: Facts, school_year: str) -> dict:
    """The snapshot's data: every indicator nationally and per region, the
    regions, and the routes that counted."""
    results = rules.compute(facts.counted_routes(school_year), facts.region_codes, facts.vmbo_regions)
    return {
        "indicators": {code: {"value": r.value, "region_total": r.region_total, "regions": r.regions}
                       for code, r in results.items()},
        "regions": facts.region_names,
        "routes": route_rows(facts, school_year),
    }


def route_rows(facts: Facts, school_year: str) -> list[dict]:
    """The routes that counted in the school year, as a snapshot keeps them.
    A route's row is one dict shared by the years it counts in with the same
    coverage: read them, never change them."""
    covered = facts.covered.get(school_year, set())
    return [r.snapshot_row(r.id in covered) for r in facts.counted(school_year)]


def take_snapshot(session: Session, peildatum: date, actor=None) -> MonitorSnapshot:
    """Freeze the indicators of the school year the peildatum lies in, as the
    data stands now. A new version when this peildatum has one already."""
    school_year = school_year_of(peildatum)
    region_year = current_region_year(session)
    facts = load_facts(session, region_year, [school_year])
    version = (session.scalar(select(func.max(MonitorSnapshot.version))
                              .where(MonitorSnapshot.peildatum == peildatum)) or 0) + 1
    snapshot = MonitorSnapshot(peildatum=peildatum, version=version, school_year=school_year,
                               region_year=region_year, code_version=code_version(),
                               data=freeze(facts, school_year))
    session.add(snapshot)
    session.flush()
    record(session, actor, "monitor_snapshot", snapshot.id, "snapshot",
           after={"peildatum": peildatum.isoformat(), "version": version})
    return snapshot


@dataclass(frozen=True)
class SnapshotInfo:
    id: int
    peildatum: date
    version: int
    school_year: str

    @property
    def label(self) -> str:
        return f"stand op {self.peildatum:%d-%m-%Y}"

    @property
    def title(self) -> str:
        suffix = f" (versie {self.version})" if self.version > 1 else ""
        return f"{self.peildatum:%d-%m-%Y}{suffix}, schooljaar {self.school_year}"


def list_snapshots(session: Session) -> list[SnapshotInfo]:
    """Every snapshot, newest peildatum and version first. One query."""
    return [SnapshotInfo(*row) for row in session.execute(
        select(MonitorSnapshot.id, MonitorSnapshot.peildatum, MonitorSnapshot.version, MonitorSnapshot.school_year)
        .order_by(MonitorSnapshot.peildatum.desc(), MonitorSnapshot.version.desc()))]


def latest_per_school_year(snapshots: list[SnapshotInfo]) -> dict[str, SnapshotInfo]:
    """The snapshot that stands for each school year: its latest peildatum, latest version."""
    result: dict[str, SnapshotInfo] = {}
    for info in snapshots:  # newest first
        result.setdefault(info.school_year, info)
    return result


def snapshot_data(session: Session, ids: list[int]) -> dict[int, dict]:
    """The frozen data of these snapshots. One query."""
    if not ids:
        return {}
    return dict(session.execute(select(MonitorSnapshot.id, MonitorSnapshot.data)
                                .where(MonitorSnapshot.id.in_(ids))).tuples().all())


def results_of(data: dict) -> dict[str, rules.Result]:
    return {code: rules.Result(code, item["value"], dict(item["regions"]), item["region_total"])
            for code, item in data["indicators"].items()}
