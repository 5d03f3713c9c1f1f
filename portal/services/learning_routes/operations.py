"""Use cases for leerroutes: register, update (optimistic locking), archive,
restore (many routes at once: bulk.py). Every write is checked against
portal.domain.routes and audited with the before/after values of each
changed field (snapshots.py). Flush, never commit."""
from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from portal.core.audit import record
from portal.core.errors import ConflictError, ServiceError
from portal.core.locking import lock_for_write
from portal.domain import routes as rules
from portal.domain.routes import FIELD_LABELS, PartyFacts, RouteInput
from portal.models import LearningRoute, Organisation, Pathway, Profile, RouteParty
from portal.models.base import utcnow
from portal.permissions import can_restore_route
from portal.services.agreements import queries as agreement_queries
from portal.services.learning_routes.history import display_value, field_changes, history
from portal.services.learning_routes.locations import apply_mbo_location, check_mbo_location
from portal.services.learning_routes.snapshots import AUDIT_TYPE, route_input_from, snapshot
from portal.services.notifications import outbox as notifications

ROLE_FIELDS = {"vmbo": "vmbo_parties", "mbo": "mbo_parties", "employer": "employer_parties"}


class Vocabulary:
    """The vocabulary rows, loaded once per use case (or once per import)."""

    def __init__(self, session: Session):
        self.pathways = {p.code: p for p in session.scalars(select(Pathway))}
        self.profiles = {p.code: p for p in session.scalars(select(Profile))}


def party_facts(session: Session, ids: Iterable[int],
                cache: dict[int, PartyFacts] | None = None) -> dict[int, PartyFacts]:
    """Facts about the organisations with these ids (unknown ids are absent)."""
    ids = {i for i in ids if isinstance(i, int)}
    out = {i: cache[i] for i in ids if cache is not None and i in cache}
    wanted = ids - out.keys()
    if wanted:
        orgs = session.scalars(
            select(Organisation).where(Organisation.id.in_(wanted))
            .options(selectinload(Organisation.pathways), selectinload(Organisation.profiles))
        )
        for org in orgs:
            facts = PartyFacts(org.id, org.display_name, org.kind,
                               frozenset(p.code for p in org.pathways), frozenset(p.code for p in org.profiles))
            out[org.id] = facts
            if cache is not None:
                cache[org.id] = facts
    return out


# --- validation ----------------------------------------------------------------

def validate(session: Session, data: RouteInput, actor, *, route: LearningRoute | None = None,
             facts_cache: dict[int, PartyFacts] | None = None) -> tuple[RouteInput, rules.RuleResult]:
    """Normalise and check; adds the rules that need the actor or the database."""
    data = rules.normalise(data)
    facts = party_facts(session, [*data.vmbo_parties, *data.mbo_parties, *data.employer_parties],
                        facts_cache)
    result = rules.check_route(data, facts)
    check_mbo_location(session, data, route, result)
    _check_own_organisation(data, actor, route, result)
    _check_status_change(session, route, data.status, result, data=data)
    return data, result


def _check_own_organisation(data: RouteInput, actor, route, result: rules.RuleResult) -> None:
    """A coordinator registers routes of their own organisation: it stays a party."""
    if actor is None or getattr(actor, "role", None) in ("staff", "admin"):
        return
    org_id = getattr(actor, "organisation_id", None)
    if org_id is None:
        result.error("__all__", "Alleen een coördinator van een organisatie kan leerroutes registreren.")
        return
    if org_id not in (*data.vmbo_parties, *data.mbo_parties, *data.employer_parties):
        kind = getattr(getattr(actor, "organisation", None), "kind", "vmbo")
        name = {"mbo": "mbo_parties", "employer": "employer_parties", "other": "employer_parties"}.get(kind, "vmbo_parties")
        result.error(name, "Je eigen organisatie moet partij blijven in de route.")


def _check_status_change(session: Session, route: LearningRoute | None, new_status: str,
                         result: rules.RuleResult, *, data: RouteInput | None = None) -> None:
    """The one place where a status change is validated (new routes too, with
    route None). Rules that need other aggregates (e.g. a signed agreement
    before a DLR/GLR becomes actief) are added here."""
    old = route.status if route is not None else None
    if old == new_status:
        return
    message = rules.check_status_transition(old, new_status)
    if message:
        result.error("status", message)
    if new_status == "actief":  # issue 4: a signed agreement covers it (a new DLR/GLR: never yet)
        first_year = data.first_school_year if data is not None else getattr(route, "first_school_year", None)
        year = agreement_queries.activation_school_year(first_year)
        for error in agreement_queries.activation_errors(session, route, year, kind=data.kind if data else None):
            result.error("status", error)


def _raise_if_invalid(result: rules.RuleResult) -> None:
    if result.errors:
        raise ServiceError(result.errors)


# --- writing ------------------------------------------------------------------

def _apply(session: Session, route: LearningRoute, data: RouteInput, vocabulary: Vocabulary) -> None:
    route.title = data.title
    route.kind_code = data.kind
    route.mbo_level_code = data.mbo_level
    route.mbo_domain_code = data.mbo_domain
    route.crebo = data.crebo
    route.qualification_name = data.qualification_name
    route.teaching_location = data.teaching_location
    route.first_school_year = data.first_school_year
    route.last_school_year = data.last_school_year
    route.status = data.status
    route.pupils_per_cohort = data.pupils_per_cohort
    route.contact_name = data.contact_name
    route.contact_email = data.contact_email
    route.contact_phone = data.contact_phone
    route.description = data.description
    route.pathways = [vocabulary.pathways[c] for c in data.pathways]
    route.profiles = [vocabulary.profiles[c] for c in data.profiles]
    wanted = [(i, "vmbo") for i in data.vmbo_parties] + [(i, "mbo") for i in data.mbo_parties] + \
        [(i, "employer") for i in data.employer_parties]
    existing = {(p.organisation_id, p.role): p for p in route.parties}
    route.parties = [existing.get(key) or RouteParty(organisation_id=key[0], role=key[1]) for key in wanted]
    apply_mbo_location(session, route, data)


def _names(facts: Mapping[int, PartyFacts]) -> dict[int, str]:
    return {i: f.name for i, f in facts.items()}


def register_route(session: Session, data: RouteInput | Mapping, actor, *, is_demo: bool = False,
                   vocabulary: Vocabulary | None = None,
                   facts_cache: dict[int, PartyFacts] | None = None) -> LearningRoute:
    """Register a new route. Raises ServiceError with Dutch messages per field.
    The route's non-blocking warnings are in `route.rule_warnings`."""
    if not isinstance(data, RouteInput):
        data = RouteInput.from_mapping(data)
    data, result = validate(session, data, actor, facts_cache=facts_cache)
    _raise_if_invalid(result)
    route = LearningRoute(created_by_id=getattr(actor, "id", None), is_demo=is_demo)
    _apply(session, route, data, vocabulary or Vocabulary(session))
    session.add(route)
    session.flush()
    names = _names(party_facts(session, [p.organisation_id for p in route.parties], facts_cache))
    record(session, actor, AUDIT_TYPE, route.id, "create", after=snapshot(route, names))
    notifications.record(session, notifications.ROUTE_STATUS, route, actor, before=None)
    route.rule_warnings = result.warnings
    return route


def update_route(session: Session, route: LearningRoute, data: RouteInput | Mapping, actor, *,
                 expected_version: int | None) -> LearningRoute:
    """Change a route. When somebody else saved it after `expected_version`
    was read, raise ConflictError carrying their change (nothing is written).
    Under the route's lock (core/locking.py), against its current state."""
    if not isinstance(data, RouteInput):
        data = RouteInput.from_mapping(data)
    lock_for_write(session, route)
    if expected_version is not None and route.version_id != expected_version:
        raise _conflict(session, route, expected_version)
    data, result = validate(session, data, actor, route=route)
    _raise_if_invalid(result)
    before = snapshot(route)
    status_before = route.status
    _apply(session, route, data, Vocabulary(session))
    route.updated_at = utcnow()  # the row always changes, so version_id always moves
    try:
        session.flush()
    except StaleDataError:
        raise ConflictError({"__all__": ["Iemand anders heeft deze leerroute zojuist gewijzigd. "
                                         "Laad de pagina opnieuw."]}) from None
    names = _names(party_facts(session, [p.organisation_id for p in route.parties]))
    after = snapshot(route, names)
    if {k: v for k, v in before.items() if k != "version_id"} != {k: v for k, v in after.items() if k != "version_id"}:
        record(session, actor, AUDIT_TYPE, route.id, "update", before=before, after=after)
    notifications.record(session, notifications.ROUTE_STATUS, route, actor, before=status_before)
    route.rule_warnings = result.warnings
    return route


def set_status(session: Session, route: LearningRoute, status: str, actor, *,
               expected_version: int | None) -> LearningRoute:
    """Change only the status (the to-do list's "zet op actief"), with every
    rule of update_route (the activation rule, the transition, the lock)."""
    data = dataclasses.replace(route_input_from(route), status=status)
    return update_route(session, route, data, actor, expected_version=expected_version)


def _conflict(session: Session, route: LearningRoute, expected_version: int) -> ConflictError:
    """A ConflictError describing what others saved since `expected_version`."""
    entries = [e for e in history(session, route) if (e.after or {}).get("version_id", 0) > expected_version]
    changes = []
    for entry in sorted(entries, key=lambda e: e.at):
        who = entry.actor.name if entry.actor else "onbekend"
        for name, old, new in field_changes(entry):
            changes.append({"who": who, "at": entry.at, "field": name, "label": FIELD_LABELS.get(name, name),
                            "before": display_value(name, old), "after": display_value(name, new)})
    who = changes[-1]["who"] if changes else "iemand anders"
    message = (f"{who} heeft deze leerroute gewijzigd nadat jij het formulier opende. Je invoer is niet "
               "opgeslagen maar staat hieronder nog; controleer de wijziging hieronder en sla opnieuw op.")
    error = ConflictError({"__all__": [message]})
    error.changes = changes
    error.current_version = route.version_id
    return error


def archive_route(session: Session, route: LearningRoute, actor) -> LearningRoute:
    lock_for_write(session, route)
    if route.archived_at is not None:
        raise ServiceError("Deze leerroute is al gearchiveerd.")
    version = route.version_id
    route.archived_at = utcnow()
    session.flush()
    record(session, actor, AUDIT_TYPE, route.id, "archive", before={"archived": False, "version_id": version},
           after={"archived": True, "version_id": route.version_id})
    notifications.record(session, notifications.ROUTE_STATUS, route, actor, before=route.status)
    return route


def restore_route(session: Session, route: LearningRoute, actor) -> LearningRoute:
    lock_for_write(session, route)
    if route.archived_at is None:
        raise ServiceError("Deze leerroute is niet gearchiveerd.")
    if not can_restore_route(actor, route):  # also here, not only in the view
        raise ServiceError("Alleen programmamedewerkers kunnen een gearchiveerde leerroute herstellen.")
    version = route.version_id
    route.archived_at = None
    session.flush()
    record(session, actor, AUDIT_TYPE, route.id, "restore", before={"archived": True, "version_id": version},
           after={"archived": False, "version_id": route.version_id})
    # Archiving an actief route told its regions' followers it ended; restoring it is news the other way.
    notifications.record(session, notifications.ROUTE_STATUS, route, actor, before=None)
    return route
