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
from portal.core import idempotency
from portal.core.errors import ServiceError
from portal.extensions import db
from portal.models import Organisation
from portal.services.accounts import users as user_service
from portal.services.reference.boundaries import import_municipalities, import_regions
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


def _run_import(load, raw: bytes) -> None:
    try:
        report = load(raw)
    except ReferenceDataError as exc:
        db.session.rollback()
        raise click.ClickException(f"Niets geladen. {exc}") from None
    db.session.commit()
    click.echo(f"Geladen: {report.summary()}.")


@geo_cli.command("import")
@click.argument("source")
@click.option("--year", type=int, required=True, help="Jaar van de indeling, bijvoorbeeld 2025.")
def geo_import(source: str, year: int) -> None:
    """Laad arbeidsmarktregiogrenzen uit GeoJSON (bestand of URL; statcode/statnaam, WGS84)."""
    _run_import(lambda raw: import_regions(db.session, raw, year), _read_source(source))


@geo_cli.command("import-municipalities")
@click.argument("source")
@click.option("--year", type=int, required=True)
def geo_import_municipalities(source: str, year: int) -> None:
    """Laad de koppeling gemeente -> arbeidsmarktregio uit CSV."""
    _run_import(lambda raw: import_municipalities(db.session, raw, year),
                _read_source(source))


@schools_cli.command("import")
@click.argument("source")
def schools_import(source: str) -> None:
    """Laad de vo-vestigingen met vmbo (idempotent op vestigingscode)."""
    _run_import(lambda raw: import_schools(db.session, raw), _read_source(source))


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
    if not demo:
        return
    outcome = seed_demo(db.session)
    db.session.commit()
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
    try:
        user = user_service.create_user(db.session, email=email, name=name or email, role=role,
                                        password=password, organisation=org)
    except ServiceError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"Account aangemaakt: {user.email} ({user.role}).")


@click.command("prune-submissions")
def prune_submissions_command() -> None:
    """Vergeet formuliersleutels ouder dan 30 dagen (dagelijks via cron)."""
    removed = idempotency.prune(db.session)
    db.session.commit()
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
    app.cli.add_command(schools_cli)
    app.cli.add_command(seed_command)
    app.cli.add_command(create_user_command)
    app.cli.add_command(prune_submissions_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(demo_cli)


if __name__ == "__main__":  # pragma: no cover
    sys.exit("Gebruik: flask --app wsgi <commando>")
