"""Use cases of the good-practice library: write, submit, moderate, publish,
archive, and keep the full-text index in sync (attachments are in
attachments.py). Flush, never commit."""
from __future__ import annotations

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session, object_session

from portal.core.audit import changes_since, record
from portal.core.errors import ConflictError, ServiceError
from portal.core.locking import lock_for_write
from portal.domain import practices as rules
from portal.domain.markdown import to_plain_text
from portal.domain.vocab import MBO_DOMAINS, MBO_LEVELS, names
from portal.models import LearningRoute, MboDomain, MboLevel, MunicipalityRegion, Organisation, Region, User
from portal.models.base import utcnow
from portal.models.practice import (
    GoodPractice,
    PracticeFacetKey,
    PracticeTag,
    PracticeTheme,
)
from portal.permissions import can_restore_practice, can_view_route
from portal.services.notifications import outbox as notifications
from portal.services.practices import search
from portal.services.reference.boundaries import current_region_year

OBJECT_TYPE = "good_practice"
# Field names for the conflict message (what somebody else changed).
LABELS = {
    "title": "Titel", "summary": "Samenvatting", "body": "Tekst", "status": "Status", "source": "Bron",
    "contact_name": "Contactpersoon", "contact_email": "E-mail contactpersoon", "themes": "Thema's",
    "tags": "Trefwoorden", "organisations": "Organisaties (id)", "regions": "Regio's (id)",
    "routes": "Leerroutes (id)", "domains": "Opleidingsdomeinen", "levels": "Niveaus",
    "moderation_reason": "Reden van terugsturen", "attachments": "Bijlagen", "archived_at": "Gearchiveerd op",
    "published_at": "Gepubliceerd op",
}
TEXT_FIELDS = ("title", "summary", "body", "source", "contact_name", "contact_email")


def snapshot(practice: GoodPractice) -> dict:
    return {
        "title": practice.title, "summary": practice.summary, "body": practice.body,
        "status": practice.status, "source": practice.source,
        "contact_name": practice.contact_name, "contact_email": practice.contact_email,
        "themes": practice.theme_codes, "tags": practice.tag_names,
        "organisations": sorted(o.id for o in practice.organisations),
        "regions": sorted(r.id for r in practice.regions),
        "routes": sorted(r.id for r in practice.routes),
        "domains": sorted(d.code for d in practice.domains),
        "levels": sorted(x.code for x in practice.levels),
        "moderation_reason": practice.moderation_reason,
        "attachments": [a.title for a in practice.attachments],
        "archived_at": practice.archived_at,
    }


# --- writing -------------------------------------------------------------------

def _load(session: Session, model, ids, key, field: str, errors: dict, message: str) -> list:
    wanted = []
    for value in ids or []:
        try:
            wanted.append(int(value) if key == "id" else str(value))
        except (TypeError, ValueError):
            errors.setdefault(field, []).append(message)
            return []
    wanted = list(dict.fromkeys(wanted))
    if not wanted:
        return []
    column = getattr(model, key)
    found = list(session.scalars(select(model).where(column.in_(wanted))))
    if len(found) != len(wanted):
        errors.setdefault(field, []).append(message)
    return found


def _regions_of(session: Session, organisations: list[Organisation]) -> list[Region]:
    """The arbeidsmarktregio's (current indeling) of the organisations' gemeenten."""
    municipality_ids = {o.municipality_id for o in organisations if o.municipality_id}
    year = current_region_year(session)
    if not municipality_ids or year is None:
        return []
    return list(session.scalars(
        select(Region).join(MunicipalityRegion, MunicipalityRegion.region_id == Region.id)
        .where(MunicipalityRegion.municipality_id.in_(municipality_ids), MunicipalityRegion.year == year)
    ))


def _apply(session: Session, practice: GoodPractice, data: dict, actor: User | None = None) -> None:
    errors = rules.practice_errors(data)
    orgs = _load(session, Organisation, data.get("organisation_ids"), "id", "organisation_ids", errors,
                 "Kies bestaande organisaties.")
    regions = _load(session, Region, data.get("region_ids"), "id", "region_ids", errors,
                    "Kies bestaande arbeidsmarktregio's.")
    routes = _load(session, LearningRoute, data.get("route_ids"), "id", "route_ids", errors,
                   "Kies bestaande leerroutes.")
    domains = _load(session, MboDomain, data.get("domain_codes"), "code", "domain_codes", errors,
                    "Kies opleidingsdomeinen uit de lijst.")
    levels = _load(session, MboLevel, data.get("level_codes"), "code", "level_codes", errors,
                   "Kies niveaus uit de lijst.")
    if any(r.archived_at is not None for r in routes):
        errors.setdefault("route_ids", []).append("Een gearchiveerde leerroute kun je niet koppelen.")
    linked = {r.id for r in practice.routes} if practice.id else set()
    if actor is not None and any(r.id not in linked and not can_view_route(actor, r) for r in routes):
        # Another organisation's concept route: it does not exist for this user.
        errors.setdefault("route_ids", []).append("Kies bestaande leerroutes.")
    if errors:
        raise ServiceError(errors)
    for name in TEXT_FIELDS:
        if name in data:
            value = (data.get(name) or "").strip()
            setattr(practice, name, value if value or name in ("title", "summary", "body") else None)
    themes = list(dict.fromkeys(data.get("themes") or []))
    practice.themes = [t for t in practice.themes if t.theme_code in themes] + [
        PracticeTheme(theme_code=c) for c in themes if c not in practice.theme_codes]
    tags = rules.normalise_tags(data.get("tags"))
    practice.tags = [t for t in practice.tags if t.tag in tags] + [
        PracticeTag(tag=t) for t in tags if t not in practice.tag_names]
    practice.organisations = orgs
    practice.regions = list({r.id: r for r in regions + _regions_of(session, orgs)}.values())
    practice.routes = routes
    practice.domains = domains
    practice.levels = levels


def reindex(session: Session, practice: GoodPractice) -> None:
    """Keep the search support in step with the practice: its facet keys, and
    its words in the full-text index, which holds published practices only
    (so a search never has to look at the practices table for visibility)."""
    session.flush()
    session.execute(delete(PracticeFacetKey).where(PracticeFacetKey.practice_id == practice.id))
    if practice.archived_at is not None:
        search.remove_document(session, practice.id)
        return
    keys = {f"thema:{c}" for c in practice.theme_codes} | {f"regio:{r.code}" for r in practice.regions}
    keys |= {f"niveau:{x.code}" for x in practice.levels} | {f"domein:{d.code}" for d in practice.domains}
    if keys:
        session.execute(insert(PracticeFacetKey), [{"practice_id": practice.id, "key": k} for k in sorted(keys)])
    if practice.status != "gepubliceerd":
        search.remove_document(session, practice.id)
        return
    extra = [rules.THEME_NAMES.get(c, c) for c in practice.theme_codes]
    extra += practice.tag_names
    extra += [a.title for a in practice.attachments]
    extra += [f"{o.name} {o.city or ''}" for o in practice.organisations]
    extra += [r.name for r in practice.regions]
    extra += [names(MBO_DOMAINS).get(d.code, d.name) for d in practice.domains]
    extra += [names(MBO_LEVELS).get(x.code, x.name) for x in practice.levels]
    search.index_document(session, practice.id, title=practice.title, summary=practice.summary,
                          body=to_plain_text(practice.body), extra=" · ".join(extra))


def create_practice(session: Session, data: dict, actor: User | None, *, is_demo: bool = False) -> GoodPractice:
    practice = GoodPractice(status="concept", author_id=actor.id if actor else None, is_demo=is_demo,
                            title="", summary="", body="")
    _apply(session, practice, data, actor)
    session.add(practice)
    session.flush()
    record(session, actor, OBJECT_TYPE, practice.id, "create", after=snapshot(practice))
    reindex(session, practice)
    return practice


def begin_write(session: Session, practice: GoodPractice, expected_version=None) -> None:
    """The first step of every write to a practice: its row lock for the rest
    of the transaction, its current state (core/locking.py), then the check
    against the version the form was opened at."""
    lock_for_write(session, practice)
    _check_version(practice, expected_version)


def _check_version(practice: GoodPractice, expected_version) -> None:
    if expected_version is not None and str(expected_version) != str(practice.version_id):
        error = ConflictError(
            "Iemand anders heeft dit voorbeeld intussen opgeslagen; je wijziging is niet opgeslagen. "
            "Je invoer staat hieronder nog: bekijk de wijziging van de ander en sla opnieuw op."
        )
        try:
            since = int(expected_version)
        except (TypeError, ValueError):
            since = 0
        session = object_session(practice)
        error.changes = changes_since(session, OBJECT_TYPE, practice.id, since, LABELS) if session else []
        error.current_version = practice.version_id
        raise error


def update_practice(session: Session, practice: GoodPractice, data: dict, actor: User | None,
                    expected_version=None) -> GoodPractice:
    begin_write(session, practice, expected_version)
    if practice.archived_at is not None:
        raise ServiceError("Een gearchiveerd voorbeeld kun je niet meer bewerken.")
    before = {**snapshot(practice), "version_id": practice.version_id}
    _apply(session, practice, data, actor)
    practice.updated_at = utcnow()
    session.flush()
    record(session, actor, OBJECT_TYPE, practice.id, "update", before=before,
           after={**snapshot(practice), "version_id": practice.version_id})
    reindex(session, practice)
    return practice


def _transition(session: Session, practice: GoodPractice, action: str, actor: User | None,
                **changes) -> GoodPractice:
    """A status change; the caller has called begin_write."""
    if practice.archived_at is not None:
        raise ServiceError("Dit voorbeeld is gearchiveerd.")
    try:
        status = rules.next_status(practice.status, action)
    except rules.InvalidTransition as exc:
        raise ServiceError(str(exc)) from None
    before = {"status": practice.status, "moderation_reason": practice.moderation_reason,
              "published_at": practice.published_at, "version_id": practice.version_id}
    practice.status = status
    for key, value in changes.items():
        setattr(practice, key, value)
    session.flush()
    record(session, actor, OBJECT_TYPE, practice.id, action, before=before,
           after={"status": practice.status, "moderation_reason": practice.moderation_reason,
                  "published_at": practice.published_at, "version_id": practice.version_id})
    reindex(session, practice)
    return practice


def submit_practice(session: Session, practice: GoodPractice, actor: User | None,
                    expected_version=None) -> GoodPractice:
    begin_write(session, practice, expected_version)
    errors = rules.practice_errors({**snapshot(practice), "tags": practice.tag_names})
    if errors:
        raise ServiceError({"__all__": ["Vul eerst alle verplichte velden in."] + [
            m for ms in errors.values() for m in ms]})
    return _transition(session, practice, "submit", actor, submitted_at=utcnow())


def send_back_practice(session: Session, practice: GoodPractice, reason: str, actor: User | None,
                       expected_version=None) -> GoodPractice:
    problems = rules.reason_errors(reason)
    if problems:
        raise ServiceError({"reason": problems})
    begin_write(session, practice, expected_version)
    _transition(session, practice, "send_back", actor,
                moderation_reason=reason.strip(), moderated_by_id=actor.id if actor else None)
    notifications.record(session, "practice_sent_back", practice, actor)
    return practice


def publish_practice(session: Session, practice: GoodPractice, actor: User | None,
                     expected_version=None) -> GoodPractice:
    # The first publication date is kept when a practice is published again.
    begin_write(session, practice, expected_version)
    _transition(session, practice, "publish", actor,
                published_at=practice.published_at or utcnow(), moderation_reason=None,
                moderated_by_id=actor.id if actor else None)
    notifications.record(session, "practice_published", practice, actor)
    return practice


def archive_practice(session: Session, practice: GoodPractice, actor: User | None) -> GoodPractice:
    begin_write(session, practice)
    if practice.archived_at is not None:
        raise ServiceError("Dit voorbeeld is al gearchiveerd.")
    version = practice.version_id
    practice.archived_at = utcnow()
    session.flush()  # bumps version_id: an open form of the practice now conflicts
    record(session, actor, OBJECT_TYPE, practice.id, "archive", before={"archived_at": None, "version_id": version},
           after={"archived_at": practice.archived_at, "version_id": practice.version_id})
    reindex(session, practice)
    return practice


def restore_practice(session: Session, practice: GoodPractice, actor: User | None) -> GoodPractice:
    """Bring an archived practice back as it was (its status is kept, so a
    published practice is found by the search again). Staff only: the view
    checks can_restore_practice."""
    begin_write(session, practice)
    if practice.archived_at is None:
        raise ServiceError("Dit voorbeeld is niet gearchiveerd.")
    if not can_restore_practice(actor, practice):
        raise ServiceError("Alleen programmamedewerkers kunnen een gearchiveerd voorbeeld herstellen.")
    version, archived_at = practice.version_id, practice.archived_at
    practice.archived_at = None
    session.flush()
    record(session, actor, OBJECT_TYPE, practice.id, "restore", before={"archived_at": archived_at, "version_id": version},
           after={"archived_at": None, "version_id": practice.version_id})
    reindex(session, practice)
    return practice
