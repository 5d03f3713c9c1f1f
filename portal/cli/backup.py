"""flask backup PATH and flask restore PATH."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from portal.core import backup as backup_service
from portal.extensions import db


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False))
@with_appcontext
def backup_command(path: str) -> None:
    """Maak een back-up van de hele database (SQLite: online backup-API; PostgreSQL: pg_dump)."""
    try:
        report = backup_service.backup(db.engine, path)
    except backup_service.BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Back-up gemaakt: {report.summary()}.")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Niet om bevestiging vragen.")
@with_appcontext
def restore_command(path: str, yes: bool) -> None:
    """Zet een back-up terug. Dit vervangt ALLE gegevens in de database."""
    if not yes:
        click.confirm(f"Alle gegevens in de database worden vervangen door {path}. Doorgaan?",
                      abort=True)
    db.session.remove()
    try:
        backup_service.restore(db.engine, path)
    except backup_service.BackupError as exc:
        raise click.ClickException(f"Niets teruggezet. {exc}") from None
    click.echo(f"Back-up teruggezet uit {path}.")
