"""flask monitor snapshot: freeze the programme's indicators on a peildatum
(cron on 15 October, see the README)."""
from __future__ import annotations

from datetime import date

import click
from flask.cli import AppGroup

from portal.cli.transaction import run
from portal.extensions import db
from portal.services.monitoring.snapshots import take_snapshot

monitor_cli = AppGroup("monitor", help="Programmamonitoring: vastgestelde standen op een peildatum.")


def _peildatum(_ctx, _param, value: str | None) -> date:
    if not value:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter("Schrijf de peildatum als JJJJ-MM-DD, bijvoorbeeld 2025-10-15.") from exc


@monitor_cli.command("snapshot")
@click.option("--peildatum", callback=_peildatum, default=None,
              help="De peildatum (JJJJ-MM-DD); standaard vandaag.")
def snapshot_command(peildatum: date) -> None:
    """Leg alle indicatoren landelijk en per regio vast, met de routes die meetelden."""
    snapshot = run(lambda: take_snapshot(db.session, peildatum), prefix="Geen stand vastgelegd. ")
    routes = len(snapshot.data["routes"])
    click.echo(f"Stand op {peildatum:%d-%m-%Y} vastgelegd (versie {snapshot.version}, schooljaar "
               f"{snapshot.school_year}, {routes} meetellende routes, code {snapshot.code_version}).")
