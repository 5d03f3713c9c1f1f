"""Command-line loading of the mbo institutions and of each school's offer."""
from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from portal.cli.transaction import run_import
from portal.core.errors import ServiceError
from portal.domain import offer as offer_rules
from portal.extensions import db
from portal.services.reference.files import ReferenceDataError
from portal.services.reference.governing_bodies import import_governing_bodies
from portal.services.reference.mbo import import_mbo
from portal.services.reference.offer import import_exam_pathways, import_profile_figures
from portal.services.reference.offer_basis import refresh_offer
from seeds import reference as files

mbo_cli = AppGroup("mbo", help="Mbo-instellingen en hun locaties laden.")


def _path(value: str | None, default_name: str) -> Path:
    if value:
        path = Path(value)
    else:
        data_dir = current_app.config.get("PORTAL_DATA_DIR")
        if not data_dir:
            raise click.ClickException(f"Geef het bestand op, of zet PORTAL_DATA_DIR (zoekt {default_name}).")
        path = Path(data_dir) / default_name
    if not path.is_file():
        raise click.ClickException(f"Bestand niet gevonden: {path}")
    return path


def _guarded(kind: str, source: str, load, rows=None):
    def write():
        try:
            return load()
        except ReferenceDataError as exc:
            raise ServiceError(str(exc)) from exc
    return run_import(kind, write, prefix="Niets geladen. ", source=source, rows=rows)


def _offer_rows(reports) -> tuple[int, int]:
    """(rows in the files, rows that went in): the profile and exam files count their rows."""
    total = sum(getattr(r, "rows", 0) or r.created + r.updated + r.unchanged + r.skipped for r in reports)
    return total, max(0, total - sum(r.skipped for r in reports))


@mbo_cli.command("import")
@click.option("--institutions", "institutions", default=None,
              help=f"Instellingenbestand (standaard PORTAL_DATA_DIR/{files.MBO_INSTITUTION_FILE}).")
@click.option("--locations", "locations", default=None,
              help=f"Locatiebestand (standaard PORTAL_DATA_DIR/{files.MBO_LOCATION_FILE}).")
def mbo_import(institutions: str | None, locations: str | None) -> None:
    """Laad de mbo-instellingen (per BRIN) en hun locaties (per BRIN + vestiging).

    Herhaalbaar: wat veranderde wordt bijgewerkt en gemeld; een locatie die niet meer in het
    bestand staat wordt beëindigd, niet verwijderd."""
    institution_path = _path(institutions, files.MBO_INSTITUTION_FILE)
    location_path = _path(locations, files.MBO_LOCATION_FILE)
    raw_institutions, raw_locations = institution_path.read_bytes(), location_path.read_bytes()
    report = _guarded("mbo", f"{institution_path.name}, {location_path.name}",
                      lambda: import_mbo(db.session, raw_institutions, raw_locations),
                      rows=lambda r: (r.institutions + r.locations, r.institutions + r.locations))
    click.echo(f"Geladen: {report.summary()}.")


@click.command("import-offer")
@click.option("--profiles", default=None,
              help=f"DUO leerlingen per vestiging naar onderwijstype (standaard {files.PROFILE_FILE}).")
@click.option("--profiles-year", default=None,
              help="Schooljaar van dat bestand, bijvoorbeeld 2019-2020 (standaard: uit de bestandsnaam).")
@click.option("--exams", default=None, help=f"DUO examenkandidaten (standaard {files.EXAM_FILE}).")
@click.option("--governing-bodies", default=None,
              help=f"DUO alle vestigingen vo, voor het bevoegd gezag (standaard {files.GOVERNING_BODY_FILE}).")
def import_offer(profiles: str | None, profiles_year: str | None, exams: str | None,
                 governing_bodies: str | None) -> None:
    """Laad wat elke vmbo-vestiging aanbiedt (profielen en leerwegen per schooljaar, volgens DUO) en het
    bevoegd gezag, en leid het huidige aanbod per school af (het nieuwste schooljaar)."""
    profile_path = _path(profiles, files.PROFILE_FILE)
    year = profiles_year or offer_rules.school_year_from_file_name(profile_path.name)
    if not year:
        raise click.ClickException("Geef het schooljaar van het leerlingenbestand op met --profiles-year.")
    raws = (profile_path.read_bytes(), _path(exams, files.EXAM_FILE).read_bytes(),
            _path(governing_bodies, files.GOVERNING_BODY_FILE).read_bytes())

    def load():
        reports = (import_profile_figures(db.session, raws[0], year), import_exam_pathways(db.session, raws[1]),
                   import_governing_bodies(db.session, raws[2]))
        return reports, refresh_offer(db.session)

    (profile_report, exam_report, body_report), schools = _guarded(
        "school_offer", profile_path.name, load, rows=lambda result: _offer_rows(result[0]))
    click.echo(f"Profielen ({year}): {profile_report.summary()}.")
    click.echo(f"Examens: {exam_report.summary()}.")
    click.echo(f"Bevoegd gezag: {body_report.summary()}.")
    click.echo(f"Aanbod afgeleid voor {schools} vmbo-vestigingen (nieuwste schooljaar per school).")
