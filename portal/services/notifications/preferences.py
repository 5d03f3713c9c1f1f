"""A user's notification choices and their notifications in the portal."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.core.audit import record
from portal.core.errors import ConflictError, ServiceError
from portal.core.locking import lock_for_write
from portal.domain import notifications as rules
from portal.models import Notification, NotificationPreference, Region, User
from portal.services.reference.boundaries import current_region_year

RECENT = 50


def preferences(session: Session, user: User) -> NotificationPreference:
    """The stored choices, or the defaults (not added to the session)."""
    pref = session.get(NotificationPreference, user.id)
    if pref is None:
        pref = NotificationPreference(user_id=user.id, email_events=rules.email_events_default(), regions=[],
                                      weekly_digest=False, version_id=0)
    return pref


def region_choices(session: Session) -> list[tuple[str, str]]:
    """(code, name) of the arbeidsmarktregio's of the indeling in use."""
    year = current_region_year(session)
    if year is None:
        return []
    return [(r.code, r.name) for r in session.scalars(select(Region).where(Region.year == year)
                                                         .order_by(Region.name))]


def _stored(session: Session, user: User) -> NotificationPreference:
    lock_for_write(session, user)  # serialises the first save (the row's insert) as well
    pref = session.get(NotificationPreference, user.id, populate_existing=True)
    if pref is None:
        pref = NotificationPreference(user_id=user.id, email_events=rules.email_events_default(), regions=[],
                                      weekly_digest=False)
        session.add(pref)
        session.flush()
    return pref


def save_preferences(session: Session, user: User, *, email_events: Iterable[str], regions: Iterable[str],
                     weekly_digest: bool, expected_version: int | None) -> NotificationPreference:
    events = [e for e in rules.EVENTS if e in set(email_events)]
    unknown = set(email_events) - set(rules.EVENTS)
    known_regions = {code for code, _ in region_choices(session)}
    chosen = sorted(set(regions))
    errors: dict[str, list[str]] = {}
    if unknown:
        errors["email_events"] = ["Kies alleen meldingen uit de lijst."]
    if set(chosen) - known_regions:
        errors["regions"] = ["Kies alleen arbeidsmarktregio's uit de lijst."]
    if errors:
        raise ServiceError(errors)
    pref = _stored(session, user)
    if expected_version is not None and expected_version not in (0, pref.version_id):
        error = ConflictError("Je meldingen zijn intussen in een ander venster gewijzigd. Bekijk ze en sla "
                              "opnieuw op.")
        error.current_version = pref.version_id
        raise error
    before = {"email_events": list(pref.email_events), "regions": list(pref.regions),
              "weekly_digest": pref.weekly_digest}
    pref.email_events = events
    pref.regions = chosen
    pref.weekly_digest = bool(weekly_digest)
    session.flush()
    record(session, user, "notification_preference", user.id, "update", before=before,
           after={"email_events": events, "regions": chosen, "weekly_digest": pref.weekly_digest})
    return pref


def unsubscribe(session: Session, user: User, event: str) -> None:
    """No more e-mail about `event` (the digest: no more e-mail at all); the
    notifications stay visible in the portal."""
    if event not in rules.ALL_EVENTS:
        raise ServiceError("Onbekend soort melding.")
    pref = _stored(session, user)
    before = {"email_events": list(pref.email_events), "weekly_digest": pref.weekly_digest}
    if event == rules.DIGEST:
        pref.email_events = []
        pref.weekly_digest = False
    else:
        pref.email_events = [e for e in pref.email_events if e != event]
    session.flush()
    record(session, user, "notification_preference", user.id, "unsubscribe", before=before,
           after={"email_events": list(pref.email_events), "weekly_digest": pref.weekly_digest, "event": event})


def recent(session: Session, user: User, limit: int = RECENT) -> list[Notification]:
    """The user's own notifications, newest first (the digests themselves left out)."""
    return list(session.scalars(
        select(Notification).where(Notification.user_id == user.id, Notification.event != rules.DIGEST)
        .order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)))
