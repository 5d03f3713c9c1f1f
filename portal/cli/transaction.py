"""How a flask command ends its transaction: through the same helper as a
request (web/transaction.save), with the service's message as the command's error."""
from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import click

from portal.domain import imports as import_rules
from portal.extensions import db
from portal.models.base import utcnow
from portal.services.imports import runs as import_runs
from portal.web.transaction import save

T = TypeVar("T")


def run(write: Callable[[], T], prefix: str = "") -> T:
    """A command's write in one transaction (web/transaction.save): committed,
    or rolled back with the service's Dutch message as the command's error."""
    saved = save(write)
    if not saved.ok:
        raise click.ClickException(f"{prefix}{saved.error}")
    return saved.result


def _rows_of(report) -> tuple[int, int]:
    """(rows in the file, rows that went in) of a loader's report (or a tuple of reports)."""
    reports = report if isinstance(report, tuple) else (report,)
    done = skipped = 0
    for item in reports:
        done += sum(getattr(item, name, 0) or 0 for name in ("created", "updated", "unchanged"))
        skipped += getattr(item, "skipped", 0) or 0
    return done + skipped, done


def run_import(kind: str, write: Callable[[], T], *, prefix: str = "", scope: str = "", source: str = "",
               rows: Callable[[T], tuple[int, int]] | None = None) -> T:
    """run() for an import, which leaves a record of the run (services/imports)
    in a transaction of its own after the import's: also when the import is
    refused and rolled back, so nothing is half-loaded and the report stays."""
    started_at = utcnow()

    def record(committed: bool, total: int, done: int, errors: list[import_rules.RunError]) -> None:
        db.session.rollback()  # nothing of the import is pending any more
        saved = save(lambda: import_runs.record_run(db.session, kind, None, committed=committed, rows_total=total,
                                                    rows_ok=done, errors=errors, scope=scope, channel="cli",
                                                    source=source, started_at=started_at))
        if not saved.ok:
            click.echo(f"Let op: het verslag van deze import is niet opgeslagen ({saved.error}).", err=True)

    try:
        result = run(write, prefix)
    except click.ClickException as exc:
        message = exc.message.removeprefix(prefix)
        record(False, 0, 0, [import_rules.error_from_message(message)])
        raise
    except Exception as exc:
        record(False, 0, 0, [import_rules.RunError(None, "", f"Onverwachte fout: {type(exc).__name__}; niets "
                                                             "geladen.")])
        raise
    total, done = (rows or _rows_of)(result)
    record(True, total, done, [])
    return result
