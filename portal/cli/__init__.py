"""Command-line tasks: reference data, demo data and accounts."""
from __future__ import annotations

import sys
import urllib.request
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import select

from portal.cli.backup import backup_command, restore_command
from portal.cli.devdata import demo_cli
from portal.cli.monitor import monitor_cli
from portal.cli.notifications import mail_cli, notifications_cli
from portal.cli.reference_offer import import_offer, mbo_cli
from portal.cli.transaction import run, run_import
from portal.core import idempotency
from portal.core.errors import ServiceError
from portal.domain import imports as import_rules
from portal.extensions import db
from portal.models import Organisation
from portal.services.accounts import users as user_service
from portal.services.monitoring.targets import seed_letter_targets
from portal.services.reference import region_years
from portal.services.reference.boundaries import current_region_year, import_municipalities, import_regions
from portal.services.reference.files import ReferenceDataError
from portal.services.reference.schools import import_schools
from seeds.demo import DEMO_PASSWORD, seed_demo
from seeds.reference import find_data_dir, load_reference_data

geo_cli = AppGroup("geo", help="Arbeidsmarktregio's en gemeenten laden.")
schools_cli = AppGroup("schools", help="Vo-vestigingen (DUO) laden.")


def _read_source(source: str) -> bytes:
    if source.startswith(("http://", "https://")):
        with urllib.request.urlopen(source, timeout=30) as response:  # noqa: S310  the admin gives the URL
            return response.read()
    path = Path(source)
    if not path.is_file():
        raise click.ClickException(f"Bestand niet gevonden: {source}")
    return path.read_bytes()


def _run_import(kind: str, source: str, load, raw: bytes, year: int | None = None, activate: bool = False) -> None:
    def write():
        try:
            report = load(raw)
        except ReferenceDataError as exc:
            raise ServiceError(str(exc)) from exc
        if activate and year is not None:
            region_years.activate_region_year(db.session, year)
        return report

    report = run_import(kind, write, prefix="Niets geladen. ", scope=import_rules.scope_for_year(year),
                        source=source)
    click.echo(f"Geladen: {report.summary()}.")
    for note in getattr(report, "notes", []):
        click.echo(note)
    if year is not None:
        _echo_year(year)


def _echo_year(year: int) -> None:
    """Say which indeling the portal uses after loading part of `year`, and why."""
    status = region_years.year_status(db.session, year)
    current = current_region_year(db.session)
    if status is None:
        return
    click.echo(status.summary())
    if status.current:
        click.echo(f"De portal gebruikt nu indeling {year}.")
        if not status.complete:
            click.echo(f"Let op: indeling {year} is niet compleet ({'; '.join(status.problems())}).")
    elif status.complete:
        click.echo(f"De portal blijft indeling {current} gebruiken. Zet {year} in gebruik met: "
                   f"flask geo activate {year}")
    else:
        click.echo(f"Nog niet compleet: {'; '.join(status.problems())}. De portal blijft indeling "
                   f"{current or '–'} gebruiken tot {year} compleet is (of zet het in gebruik met --activate).")
    if status.municipalities and status.organisations_outside:
        click.echo(f"Let op: {status.organisations_outside} organisaties liggen in een gemeente die in {year} "
                   f"niet bij een regio hoort (bijvoorbeeld na een gemeentelijke herindeling); die tellen in "
                   f"indeling {year} niet mee. Laad een actuele scholenlijst.")


ACTIVATE_HELP = "Zet dit jaar meteen in gebruik, ook als het nog niet compleet is."


@geo_cli.command("import")
@click.argument("source")
@click.option("--year", type=int, required=True, help="Jaar van de indeling, bijvoorbeeld 2025.")
@click.option("--activate", is_flag=True, help=ACTIVATE_HELP)
def geo_import(source: str, year: int, activate: bool) -> None:
    """Laad arbeidsmarktregiogrenzen uit GeoJSON (bestand of URL; statcode/statnaam, WGS84).

    Een nieuw jaar komt pas in gebruik als ook de gemeenten ervan geladen zijn."""
    _run_import("regions", source, lambda raw: import_regions(db.session, raw, year), _read_source(source), year,
                activate)


@geo_cli.command("import-municipalities")
@click.argument("source")
@click.option("--year", type=int, required=True)
@click.option("--activate", is_flag=True, help=ACTIVATE_HELP)
def geo_import_municipalities(source: str, year: int, activate: bool) -> None:
    """Laad de koppeling gemeente -> arbeidsmarktregio uit CSV."""
    _run_import("municipalities", source, lambda raw: import_municipalities(db.session, raw, year),
                _read_source(source), year, activate)


@geo_cli.command("years")
def geo_years() -> None:
    """Toon de geladen indelingen: compleet of niet, en welke in gebruik is."""
    statuses = region_years.year_statuses(db.session)
    if not statuses:
        click.echo("Er zijn nog geen arbeidsmarktregio's geladen.")
    for status in statuses:
        click.echo(status.summary())
        for problem in status.problems():
            click.echo(f"  - {problem}")


@geo_cli.command("activate")
@click.argument("year", type=int)
def geo_activate(year: int) -> None:
    """Zet de indeling van YEAR in gebruik (ook terug naar een eerder jaar)."""
    status = run(lambda: region_years.activate_region_year(db.session, year))
    click.echo(f"De portal gebruikt nu indeling {year}.")
    if not status.complete:
        click.echo(f"Let op: indeling {year} is niet compleet ({'; '.join(status.problems())}).")


@geo_cli.command("drop-year")
@click.argument("year", type=int)
@click.option("--yes", is_flag=True, help="Niet om bevestiging vragen.")
def geo_drop_year(year: int, yes: bool) -> None:
    """Verwijder de regio's en gemeentekoppeling van YEAR (niet het jaar in gebruik)."""
    status = region_years.year_status(db.session, year)
    if status is not None and not yes:
        click.confirm(f"{status.summary()} Verwijderen?", abort=True)
    report = run(lambda: region_years.drop_region_year(db.session, year))
    click.echo(f"Indeling {year} verwijderd: {report.regions} regio's, {report.memberships} gemeentekoppelingen"
               f" en {report.municipalities} gemeenten die geen ander jaar meer kent.")


@schools_cli.command("import")
@click.argument("source")
def schools_import(source: str) -> None:
    """Laad de vo-vestigingen met vmbo (idempotent op vestigingscode)."""
    _run_import("schools", source, lambda raw: import_schools(db.session, raw), _read_source(source))


@click.command("seed")
@click.option("--demo/--no-demo", default=True, help="Ook de demodata laden.")
@click.option("--offline", is_flag=True, help="Niets downloaden.")
def seed_command(demo: bool, offline: bool) -> None:
    """Laad de referentiedata en (standaard) de demodata. Veilig om te herhalen."""

    data_dir = find_data_dir(current_app.config.get("PORTAL_DATA_DIR"), current_app.instance_path,
                             allow_download=not offline)
    result = load_reference_data(data_dir)
    click.echo(f"Referentiedata uit: {data_dir or '(geen map gevonden)'}")
    for line in result.loaded:
        click.echo(f"  geladen  {line}")
    for line in result.missing:
        click.echo(f"  ONTBREEKT {line}")
    if result.missing:
        click.echo("  Zet PORTAL_DATA_DIR op de map met de referentiebestanden om ze te laden.")
    added = run(lambda: seed_letter_targets(db.session))
    click.echo(f"Programmadoelen uit de Kamerbrieven: {added} toegevoegd." if added
               else "Programmadoelen uit de Kamerbrieven stonden er al.")
    if not demo:
        return
    outcome = run(lambda: seed_demo(db.session))
    if outcome.created_users:
        click.echo("\nDemodata geladen. Demo-accounts (wachtwoord voor allemaal: "
                   f"{DEMO_PASSWORD}):")
        for user in outcome.created_users:
            click.echo(f"  {user.role:<12} {user.email}")
    else:
        click.echo("Demodata was al geladen; niets dubbel aangemaakt.")


@click.command("create-user")
@click.option("--email", required=True)
@click.option("--role", required=True, type=click.Choice(["admin", "staff", "coordinator", "reader"]))
@click.option("--name", default=None, help="Naam (standaard het e-mailadres).")
@click.option("--organisation", default=None,
              help="Organisatie: id, vestigingscode of exacte naam (verplicht voor een coördinator).")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def create_user_command(email: str, role: str, name: str | None, organisation: str | None,
                        password: str) -> None:
    """Maak een account aan."""
    org = None
    if organisation:
        org = _find_organisation(organisation)
        if org is None:
            raise click.ClickException(f"Organisatie '{organisation}' niet gevonden.")
    user = run(lambda: user_service.create_user(db.session, email=email, name=name or email, role=role,
                                                password=password, organisation=org))
    click.echo(f"Account aangemaakt: {user.email} ({user.role}).")


@click.command("prune-submissions")
def prune_submissions_command() -> None:
    """Vergeet formuliersleutels ouder dan 30 dagen (dagelijks via cron)."""
    removed = run(lambda: idempotency.prune(db.session))
    click.echo(f"{removed} oude formuliersleutel(s) verwijderd.")


def _find_organisation(value: str) -> Organisation | None:
    if value.isdecimal():
        org = db.session.get(Organisation, int(value))
        if org:
            return org
    return db.session.scalar(
        select(Organisation).where(
            (Organisation.vestigingscode == value) | (Organisation.name == value)
        ).limit(1)
    )


def register_cli(app: Flask) -> None:
    app.cli.add_command(geo_cli)
    schools_cli.add_command(import_offer)
    app.cli.add_command(schools_cli)
    app.cli.add_command(mbo_cli)
    app.cli.add_command(seed_command)
    app.cli.add_command(create_user_command)
    app.cli.add_command(prune_submissions_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(demo_cli)
    app.cli.add_command(notifications_cli)
    app.cli.add_command(mail_cli)
    app.cli.add_command(monitor_cli)


if __name__ == "__main__":  # pragma: no cover
    sys.exit("Gebruik: flask --app wsgi <commando>")
