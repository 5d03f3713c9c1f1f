"""Use cases for leerroutes: register, update (optimistic locking), archive,
restore. Every write is checked against portal.domain.routes and audited
with the before/after values of each changed field. Flush, never commit."""
from __future__ import annotations

from collections.abc import Iterable, Mapping

from dataclasses import dataclass

from sqlalchemy import insert, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.exc import StaleDataError

from portal.domain import routes as rules
from portal.domain.routes import FIELD_LABELS, PartyFacts, RouteInput
from portal.models import (
    AuditLog, LearningRoute, Organisation, Pathway, Profile, Region, RouteParty, route_pathways,
    route_profiles,
)
from portal.models.base import utcnow
from portal.core.errors import ConflictError, ServiceError
from portal.core.audit import record, record_many
from portal.services.agreements import queries as agreement_queries
from portal.services.learning_routes.filters import route_region_pairs

AUDIT_TYPE = "learning_route"
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


def snapshot(route: LearningRoute, names: Mapping[int, str] | None = None) -> dict:
    """The route's user-visible values, for the audit log and the history tab."""
    def party_names(role: str) -> list[str]:
        return [(names or {}).get(p.organisation_id) or (p.organisation.display_name if p.organisation else str(p.organisation_id))
                for p in route.parties if p.role == role]

    return {
        "title": route.title,
        "kind": route.kind_code,
        "status": route.status,
        "vmbo_parties": party_names("vmbo"),
        "mbo_parties": party_names("mbo"),
        "employer_parties": party_names("employer"),
        "pathways": [p.code for p in route.pathways],
        "profiles": [p.code for p in route.profiles],
        "crebo": route.crebo,
        "qualification_name": route.qualification_name,
        "mbo_domain": route.mbo_domain_code,
        "mbo_level": route.mbo_level_code,
        "teaching_location": route.teaching_location,
        "first_school_year": route.first_school_year,
        "last_school_year": route.last_school_year,
        "pupils_per_cohort": route.pupils_per_cohort,
        "contact_name": route.contact_name,
        "contact_email": route.contact_email,
        "contact_phone": route.contact_phone,
        "description": route.description,
        "version_id": route.version_id,
    }


def route_input_from(route: LearningRoute) -> RouteInput:
    """The current values of a route as a RouteInput (to pre-fill a form)."""
    return RouteInput(
        title=route.title, kind=route.kind_code,
        vmbo_parties=[p.organisation_id for p in route.parties if p.role == "vmbo"],
        mbo_parties=[p.organisation_id for p in route.parties if p.role == "mbo"],
        employer_parties=[p.organisation_id for p in route.parties if p.role == "employer"],
        pathways=[p.code for p in route.pathways], profiles=[p.code for p in route.profiles],
        crebo=route.crebo, qualification_name=route.qualification_name,
        mbo_domain=route.mbo_domain_code, mbo_level=route.mbo_level_code,
        teaching_location=route.teaching_location, first_school_year=route.first_school_year,
        last_school_year=route.last_school_year, status=route.status,
        pupils_per_cohort=route.pupils_per_cohort, contact_name=route.contact_name,
        contact_email=route.contact_email, contact_phone=route.contact_phone,
        description=route.description,
    )


# --- validation ----------------------------------------------------------------

def validate(session: Session, data: RouteInput, actor, *, route: LearningRoute | None = None,
             facts_cache: dict[int, PartyFacts] | None = None) -> tuple[RouteInput, rules.RuleResult]:
    """Normalise and check; adds the rules that need the actor or the database."""
    data = rules.normalise(data)
    facts = party_facts(session, [*data.vmbo_parties, *data.mbo_parties, *data.employer_parties],
                        facts_cache)
    result = rules.check_route(data, facts)
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
        result.error(name, "Uw eigen organisatie moet partij blijven in de route.")


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
    route.rule_warnings = result.warnings
    return route


@dataclass
class CreatedRoute:
    """A route written by register_routes (not loaded into the session)."""

    id: int
    title: str
    rule_warnings: dict[str, list[str]]


def register_routes(session: Session, items: list[RouteInput], actor, *, write: bool = True,
                    vocabulary: Vocabulary | None = None,
                    facts_cache: dict[int, PartyFacts] | None = None) -> list[tuple[CreatedRoute | None, rules.RuleResult]]:
    """register_route for many routes at once (the CSV import): every item is
    validated exactly as register_route does; the valid ones are inserted with
    one multi-row INSERT per table and get one audit entry each (the same
    snapshot register_route records). With write=False only validates.
    Returns (created route or None, RuleResult) per item, in order."""
    facts_cache = {} if facts_cache is None else facts_cache
    checked = [validate(session, item, actor, facts_cache=facts_cache) for item in items]
    valid = [data for data, result in checked if result.ok] if write else []
    created: list[CreatedRoute] = []
    if valid:
        actor_id = getattr(actor, "id", None)
        table = LearningRoute.__table__
        ids = session.execute(
            insert(table).returning(table.c.id, sort_by_parameter_order=True),
            [{"title": d.title, "kind_code": d.kind, "mbo_level_code": d.mbo_level, "mbo_domain_code": d.mbo_domain,
              "crebo": d.crebo, "qualification_name": d.qualification_name, "teaching_location": d.teaching_location,
              "first_school_year": d.first_school_year, "last_school_year": d.last_school_year, "status": d.status,
              "pupils_per_cohort": d.pupils_per_cohort, "contact_name": d.contact_name,
              "contact_email": d.contact_email, "contact_phone": d.contact_phone, "description": d.description,
              "created_by_id": actor_id, "is_demo": False, "version_id": 1} for d in valid],
        ).scalars().all()
        parties = [{"route_id": i, "organisation_id": o, "role": role} for i, d in zip(ids, valid)
                   for role, field_name in (("vmbo", "vmbo_parties"), ("mbo", "mbo_parties"),
                                            ("employer", "employer_parties"))
                   for o in getattr(d, field_name)]
        session.execute(insert(RouteParty.__table__), parties)
        pathway_rows = [{"route_id": i, "pathway_code": c} for i, d in zip(ids, valid) for c in d.pathways]
        if pathway_rows:
            session.execute(insert(route_pathways), pathway_rows)
        profile_rows = [{"route_id": i, "profile_code": c} for i, d in zip(ids, valid) for c in d.profiles]
        if profile_rows:
            session.execute(insert(route_profiles), profile_rows)
        record_many(session, actor, [(AUDIT_TYPE, i, "create", None, _input_snapshot(d, facts_cache))
                                     for i, d in zip(ids, valid)])
        created = [CreatedRoute(i, d.title, {}) for i, d in zip(ids, valid)]
    by_data = iter(created)
    out: list[tuple[CreatedRoute | None, rules.RuleResult]] = []
    for data, result in checked:
        route = next(by_data) if (write and result.ok) else None
        if route is not None:
            route.rule_warnings = result.warnings
        out.append((route, result))
    return out


def _input_snapshot(data: RouteInput, facts: Mapping[int, PartyFacts]) -> dict:
    """snapshot() of a new route straight from its (validated) input; the order
    of pathways and profiles follows the vocabulary, as the relationships do."""
    from portal.domain import vocab
    order = {t.code: n for n, t in enumerate(vocab.PATHWAYS)}
    profile_order = {t.code: n for n, t in enumerate(vocab.PROFILES)}
    return {
        "title": data.title, "kind": data.kind, "status": data.status,
        "vmbo_parties": [facts[i].name for i in data.vmbo_parties],
        "mbo_parties": [facts[i].name for i in data.mbo_parties],
        "employer_parties": [facts[i].name for i in data.employer_parties],
        "pathways": sorted(data.pathways, key=order.get), "profiles": sorted(data.profiles, key=profile_order.get),
        "crebo": data.crebo, "qualification_name": data.qualification_name, "mbo_domain": data.mbo_domain,
        "mbo_level": data.mbo_level, "teaching_location": data.teaching_location,
        "first_school_year": data.first_school_year, "last_school_year": data.last_school_year,
        "pupils_per_cohort": data.pupils_per_cohort, "contact_name": data.contact_name,
        "contact_email": data.contact_email, "contact_phone": data.contact_phone,
        "description": data.description, "version_id": 1,
    }


def update_route(session: Session, route: LearningRoute, data: RouteInput | Mapping, actor, *,
                 expected_version: int | None) -> LearningRoute:
    """Change a route. When somebody else saved it after `expected_version`
    was read, raise ConflictError carrying their change (nothing is written)."""
    if not isinstance(data, RouteInput):
        data = RouteInput.from_mapping(data)
    if expected_version is not None and route.version_id != expected_version:
        raise _conflict(session, route, expected_version)
    data, result = validate(session, data, actor, route=route)
    _raise_if_invalid(result)
    before = snapshot(route)
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
    route.rule_warnings = result.warnings
    return route


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
    message = (f"{who} heeft deze leerroute gewijzigd nadat u het formulier opende. Uw invoer is niet "
               "opgeslagen maar staat hieronder nog; controleer de wijziging hieronder en sla opnieuw op.")
    error = ConflictError({"__all__": [message]})
    error.changes = changes
    error.current_version = route.version_id
    return error


def archive_route(session: Session, route: LearningRoute, actor) -> LearningRoute:
    if route.archived_at is not None:
        raise ServiceError("Deze leerroute is al gearchiveerd.")
    version = route.version_id
    route.archived_at = utcnow()
    session.flush()
    record(session, actor, AUDIT_TYPE, route.id, "archive", before={"archived": False, "version_id": version},
           after={"archived": True, "version_id": route.version_id})
    return route


def restore_route(session: Session, route: LearningRoute, actor) -> LearningRoute:
    if route.archived_at is None:
        raise ServiceError("Deze leerroute is niet gearchiveerd.")
    from portal.permissions import can_restore_route
    if not can_restore_route(actor, route):  # also here, not only in the view
        raise ServiceError("Alleen programmamedewerkers kunnen een gearchiveerde leerroute herstellen.")
    version = route.version_id
    route.archived_at = None
    session.flush()
    record(session, actor, AUDIT_TYPE, route.id, "restore", before={"archived": True, "version_id": version},
           after={"archived": False, "version_id": route.version_id})
    return route


# --- reading helpers ------------------------------------------------------------

def history(session: Session, route: LearningRoute) -> list[AuditLog]:
    return list(session.scalars(
        select(AuditLog).where(AuditLog.object_type == AUDIT_TYPE, AuditLog.object_id == route.id)
        .options(selectinload(AuditLog.actor)).order_by(AuditLog.at.desc(), AuditLog.id.desc())
    ))


def field_changes(entry: AuditLog) -> list[tuple[str, object, object]]:
    """(field, before, after) of one audit entry, in form order, without version_id."""
    before, after = entry.before or {}, entry.after or {}
    keys = [k for k in FIELD_LABELS if k in before or k in after]
    return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]


def display_value(name: str, value) -> str:
    """A stored value as the user reads it."""
    from portal.domain import vocab
    if value is None or value == "" or value == []:
        return "–"
    lookup = {
        "kind": vocab.names(vocab.ROUTE_KINDS), "status": rules.STATUS_NAMES,
        "mbo_level": vocab.names(vocab.MBO_LEVELS), "mbo_domain": vocab.names(vocab.MBO_DOMAINS),
        "teaching_location": rules.TEACHING_LOCATION_NAMES, "pathways": vocab.names(vocab.PATHWAYS),
        "profiles": vocab.PROFILE_ABBREVIATIONS, "archived": {True: "ja", False: "nee"},
    }.get(name)
    if isinstance(value, list):
        return ", ".join(str(lookup.get(v, v)) if lookup else str(v) for v in value)
    if lookup and not isinstance(value, (dict, list)):
        return str(lookup.get(value, value))
    return str(value)


def regions_for_routes(session: Session, route_ids: Iterable[int], year: int | None) -> dict[int, list[Region]]:
    """The derived arbeidsmarktregio's of each route (see route_region_pairs)."""
    ids = list(route_ids)
    out: dict[int, list[Region]] = {i: [] for i in ids}
    if not ids or year is None:
        return out
    pairs = route_region_pairs(year)
    rows = session.execute(
        select(pairs.c.route_id, Region).join(Region, Region.id == pairs.c.region_id)
        .where(pairs.c.route_id.in_(ids)).order_by(Region.name)
    )
    for route_id, region in rows:
        out[route_id].append(region)
    return out
