"""The to-do list of one user, computed from the objects as they are now:
nothing is stored, so it cannot drift. Every item names its object, why it
waits, and the action (a link, or for "zet op actief" a button), and is only
about objects the user may see and act on.

Coordinators: agreements waiting for their organisation's signature, their
agreements that expire within 90 days or lack funding for a school year,
addenda waiting for the other party, routes that can become actief or must
stop, their school's active DLR/GLR not yet registered with DUO, practices sent
back to them. Staff: practices waiting for moderation and organisations that are
probably duplicates (waiting for a merge decision), and imports that ended
with errors (services/imports: one item per run until a later run of the same
import succeeds or staff mark it handled); more can be added through
STAFF_SOURCES.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.core import local_time as local
from portal.domain.school_year import school_year_of
from portal.models import GoodPractice, User
from portal.permissions import (
    can_edit_route,
    can_merge_organisations,
    can_moderate_practices,
    can_review_imports,
    can_sign_for_party,
    is_agreement_party,
)
from portal.services.agreements import waiting
from portal.services.imports import runs as import_runs
from portal.services.learning_routes import rio
from portal.services.organisations import duplicates

KIND_NAMES = {
    "sign": "Wacht op jouw handtekening",
    "addendum": "Addendum wacht op de andere partij",
    "expiring": "Verloopt binnen 90 dagen",
    "funding": "Financiering mist een schooljaar",
    "activate": "Leerroute kan actief worden",
    "stop": "Leerroute moet stoppen",
    "practice_sent_back": "Goed voorbeeld teruggestuurd",
    "moderation": "Goede voorbeelden wachten op moderatie",
    "merge": "Organisaties wachten op een besluit over samenvoegen",
    "duo": "Niet geregistreerd bij DUO",
    "import_errors": "Import met fouten",
}


@dataclass(frozen=True)
class Item:
    kind: str
    title: str
    detail: str
    action_label: str
    url: str
    route_id: int | None = None  # "zet op actief": the button posts for this route
    version_id: int | None = None

    @property
    def kind_name(self) -> str:
        return KIND_NAMES[self.kind]


def _coordinator_items(session: Session, user: User, on: date | None) -> list[Item]:
    org = user.organisation_id
    items: list[Item] = []
    states = waiting.for_organisation(session, org, on)
    for agreement in states["sign"]:
        party = agreement.party_for(org)
        if party is not None and can_sign_for_party(user, party):
            items.append(Item("sign", agreement.title, f"Teken namens {party.organisation.name}.",
                              "Tekenen", f"/overeenkomsten/{agreement.id}/partijen/{party.id}/ondertekenen"))
    for agreement in states["addendum"]:
        if is_agreement_party(user, agreement):
            items.append(Item("addendum", agreement.title,
                              f"Versie {agreement.revision} is door jouw organisatie getekend; de andere partij "
                              "nog niet.", "Bekijk de overeenkomst", f"/overeenkomsten/{agreement.id}"))
    for agreement in states["expiring"]:
        if is_agreement_party(user, agreement):
            items.append(Item("expiring", agreement.title, f"Loopt af op {agreement.end_date:%d-%m-%Y}.",
                              "Bekijk de overeenkomst", f"/overeenkomsten/{agreement.id}"))
    for agreement in states["funding"]:
        if is_agreement_party(user, agreement):
            items.append(Item("funding", agreement.title, " ".join(waiting.missing_funding_years(agreement)),
                              "Financiering invullen", f"/overeenkomsten/{agreement.id}/financiering"))
    routes = waiting.route_states(session, org, on)
    for route in routes["activate"]:
        if can_edit_route(user, route):
            items.append(Item("activate", route.title, "Een getekende samenwerkingsovereenkomst dekt deze route.",
                              "Zet op actief", f"/leerroutes/{route.id}", route_id=route.id,
                              version_id=route.version_id))
    for route in routes["stop"]:
        if can_edit_route(user, route):
            items.append(Item("stop", route.title, "De samenwerkingsovereenkomst die de route dekte, is beëindigd.",
                              "Route bewerken", f"/leerroutes/{route.id}/bewerken"))
    unregistered = rio.unregistered_route_ids(session, org, school_year_of(on or date.today()))
    if unregistered:
        n = len(unregistered)
        items.append(Item("duo", f"{n} actieve {'leerroute' if n == 1 else 'leerroutes'} van je school",
                          "Registreer elke DLR en GLR bij DUO (RIO); DUO telt op 15 oktober.",
                          "Bekijk ze", "/leerroutes/mijn?duo=niet-geregistreerd"))
    for practice in session.scalars(select(GoodPractice).where(
            GoodPractice.author_id == user.id, GoodPractice.status == "teruggestuurd",
            GoodPractice.archived_at.is_(None)).order_by(GoodPractice.id)):
        items.append(Item("practice_sent_back", practice.title, practice.moderation_reason or "",
                          "Aanpassen", f"/bibliotheek/{practice.id}/bewerken"))
    return items


# The small interface for staff items that belong to other areas: a function
# (session, user) -> items, appended here by that area (e.g. the organisations
# area's probable_duplicates() as kind "merge"). Each source decides what the
# user may see; its items carry one of the kinds in KIND_NAMES.
StaffSource = Callable[[Session, User], list["Item"]]


def _merge_candidates(session: Session, user: User) -> list[Item]:
    if not can_merge_organisations(user):
        return []
    groups = duplicates.probable_duplicates(session)
    if not groups:
        return []
    names = ", ".join(g[0].name for g in groups[:3]) + (" …" if len(groups) > 3 else "")
    return [Item("merge", f"{len(groups)} {'groep' if len(groups) == 1 else 'groepen'} mogelijk dubbele organisaties",
                 names, "Naar samenvoegen", "/beheer/organisaties/samenvoegen")]


def _imports_with_errors(session: Session, user: User) -> list[Item]:
    """One item per import run that ended with errors and still waits (see
    services/imports/runs.open_runs), linking to the page with its errors."""
    if not can_review_imports(user):
        return []
    items = []
    for run in import_runs.open_runs(session):
        who = run.actor.name if run.actor else "de commandoregel"
        loaded = "niets geladen" if run.outcome == "failed" else f"{run.rows_ok} van {run.rows_total} regels geladen"
        items.append(Item("import_errors", run.kind_name,
                          f"{run.error_count} {'fout' if run.error_count == 1 else 'fouten'}, {loaded}; "
                          f"{local.display(run.finished_at)} door {who}.",
                          "Bekijk de fouten", f"/beheer/imports/{run.id}"))
    return items


STAFF_SOURCES: list[StaffSource] = [_merge_candidates, _imports_with_errors]


def _staff_items(session: Session, user: User) -> list[Item]:
    items: list[Item] = []
    for source in STAFF_SOURCES:
        items.extend(source(session, user))
    if can_moderate_practices(user):
        waiting_count = session.scalar(select(func.count()).select_from(GoodPractice).where(
            GoodPractice.status == "ingediend", GoodPractice.archived_at.is_(None))) or 0
        if waiting_count:
            items.append(Item("moderation", f"{waiting_count} ingediend{'' if waiting_count == 1 else 'e'} "
                              f"{'voorbeeld' if waiting_count == 1 else 'voorbeelden'}",
                              "Bekijk, publiceer of stuur terug.", "Naar de moderatie", "/bibliotheek/moderatie"))
    return items


def items_for(session: Session, user: User | None, on: date | None = None) -> list[Item]:
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    if user.is_staff:
        return _staff_items(session, user)
    if user.role == "coordinator" and user.organisation_id:
        return _coordinator_items(session, user, on)
    return []
