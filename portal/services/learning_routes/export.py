"""Export of leerroutes: CSV with ';' and a BOM, as Dutch Excel expects, and
XLSX; the rows the list shows, contact details only when allowed."""
from __future__ import annotations

import csv
import io
from collections.abc import Mapping

from portal.core import local_time
from portal.core.spreadsheets import append_row, bold_row, csv_cell, new_workbook
from portal.domain import route_state, vocab
from portal.domain.routes import STATUS_NAMES
from portal.domain.school_year import current_school_year
from portal.models import LearningRoute, Region
from portal.services.learning_routes.columns import CONTACT_COLUMNS, IMPORT_COLUMNS


def _party_cell(route: LearningRoute, role: str) -> str:
    items = []
    for party in route.parties:
        if party.role != role:
            continue
        org = party.organisation
        key = org.vestigingscode or f"id:{org.id}"
        items.append(f"{org.display_name} [{key}]")
    return " | ".join(items)


def _rio_cell(route: LearningRoute) -> str:
    """Each vmbo school's registration of the route at DUO (RIO), ISO dates."""
    items = []
    for party in route.parties:
        if party.role != "vmbo":
            continue
        org = party.organisation
        text = f"{org.display_name} [{org.vestigingscode or f'id:{org.id}'}]: "
        if party.rio_registered:
            text += "geregistreerd"
            if party.rio_registered_on:
                text += f" {party.rio_registered_on.isoformat()}"
            if party.rio_code:
                text += f" RIO-code {party.rio_code}"
        else:
            text += "niet geregistreerd"
        items.append(text)
    return " | ".join(items)


def export_header(show_contact: bool) -> list[str]:
    header = ["id"] + [c for c, _ in IMPORT_COLUMNS if show_contact or c not in CONTACT_COLUMNS]
    header.insert(header.index("profielen") + 1, "profielnamen")
    header.insert(header.index("mbo_partijen") + 1, "mbo_locatie")
    return header + ["stand", "arbeidsmarktregios", "gearchiveerd", "laatst_gewijzigd", "duo_registratie"]


def export_rows(routes: list[LearningRoute], regions: Mapping[int, list[Region]], show_contact: bool) -> list[list]:
    """Header plus one row per route; contact details only when allowed."""
    header = export_header(show_contact)
    kinds = vocab.names(vocab.ROUTE_KINDS)
    domains = vocab.names(vocab.MBO_DOMAINS)
    profile_names = vocab.names(vocab.PROFILES)
    school_year = current_school_year()
    rows: list[list] = [header]
    for r in routes:
        values = {
            "id": r.id, "titel": r.title, "soort": kinds.get(r.kind_code, r.kind_code),
            "status": STATUS_NAMES.get(r.status, r.status),
            # The state this school year (the status column is what the import reads back).
            "stand": route_state.STATE_NAMES[route_state.route_state(
                r.status, r.first_school_year, r.last_school_year, school_year)],
            "vmbo_partijen": _party_cell(r, "vmbo"), "mbo_partijen": _party_cell(r, "mbo"),
            "mbo_locatie": " | ".join(p.mbo_location.display_name for p in r.parties
                                      if p.role == "mbo" and p.mbo_location is not None),
            "bedrijven": _party_cell(r, "employer"),
            "leerwegen": ", ".join(p.code for p in r.pathways),
            "profielen": ", ".join(vocab.PROFILE_ABBREVIATIONS.get(p.code, p.code) for p in r.profiles),
            # The names contain commas, so they are separated by " | " (the import reads the codes).
            "profielnamen": " | ".join(profile_names.get(p.code, p.code) for p in r.profiles),
            "mbo_niveau": r.mbo_level_code or "", "opleidingsdomein": domains.get(r.mbo_domain_code or "", ""),
            "crebo": r.crebo or "", "kwalificatie": r.qualification_name or "",
            "lesplaats": r.teaching_location, "eerste_schooljaar": r.first_school_year,
            "laatste_schooljaar": r.last_school_year or "",
            "leerlingen_per_cohort": "" if r.pupils_per_cohort is None else r.pupils_per_cohort,
            "contactpersoon": r.contact_name or "", "contact_email": r.contact_email or "",
            "contact_telefoon": r.contact_phone or "", "omschrijving": r.description or "",
            "arbeidsmarktregios": ", ".join(f"{g.name} ({g.code})" for g in regions.get(r.id, [])),
            "gearchiveerd": "ja" if r.archived_at else "nee",
            "laatst_gewijzigd": local_time.iso(r.updated_at),
            "duo_registratie": _rio_cell(r),
        }
        rows.append([values[c] for c in header])
    return rows


def to_csv(rows: list[list]) -> bytes:
    """Formula-like text gets a leading apostrophe (core/spreadsheets.py)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(rows: list[list], title: str = "Leerroutes") -> bytes:
    """Text cells stay text, formula-like ones quote-prefixed; characters a
    workbook cannot hold never break the file (core/spreadsheets.py)."""
    workbook = new_workbook(write_only=False)
    sheet = workbook.active
    sheet.title = title[:31]
    for row in rows:
        append_row(sheet, row)
    bold_row(sheet)
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
