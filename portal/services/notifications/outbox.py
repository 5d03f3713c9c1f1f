"""Writing notifications: one outbox row per recipient, added to the session
of the change that caused it, so that a rolled-back change leaves no row and
sends nothing. Services call `record(session, event, obj, actor)` once per
event site; this module decides who hears of it and in which words. The
messages name the object and the action, never another person."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.core.id_sets import id_set
from portal.domain import notifications as rules
from portal.domain.route_state import ACTIVE
from portal.models import GoodPractice, LearningRoute, Notification, NotificationPreference, RouteParty, User
from portal.models.agreement import Agreement
from portal.services.notifications import recipients as who

ROUTE_STATUS = "route_status"  # a route's status changed: the outbox derives the region events
# A follower told of more new routes at once than this gets their titles up to here, then "en nog N".
LISTED_TITLES = 10


@dataclass(frozen=True)
class Message:
    event: str
    subject: str
    summary: str
    link: str
    object_type: str
    object_id: int
    dedupe_key: str | None = None


def preferences_for(session: Session, users: Iterable[User]) -> dict[int, NotificationPreference]:
    ids = [u.id for u in users]
    if not ids:
        return {}
    rows = session.scalars(select(NotificationPreference).where(NotificationPreference.user_id.in_(ids)))
    return {p.user_id: p for p in rows}


def add(session: Session, users: Iterable[User], message: Message) -> list[Notification]:
    """One row per user (each user once), in the state their choices give it."""
    unique = list({u.id: u for u in users}.values())
    prefs = preferences_for(session, unique)
    rows = []
    for user in unique:
        pref = prefs.get(user.id)
        by_email = message.event in (pref.email_events if pref else rules.email_events_default())
        digest = bool(pref and pref.weekly_digest)
        row = Notification(
            user_id=user.id, event=message.event, subject=rules.clean_header(message.subject),
            summary=message.summary, link=message.link, object_type=message.object_type,
            object_id=message.object_id,
            dedupe_key=f"{message.dedupe_key}:{user.id}" if message.dedupe_key else None,
            status=rules.initial_status(message.event, by_email=by_email, digest=digest))
        session.add(row)
        rows.append(row)
    session.flush()
    return rows


def _not(actor: User | None, users: list[User]) -> list[User]:
    return [u for u in users if actor is None or u.id != actor.id]


def _agreement(session: Session, event: str, agreement: Agreement, actor: User | None, context: dict) -> list:
    link = f"/overeenkomsten/{agreement.id}"
    title = agreement.title
    party = context.get("party")
    signer = party.organisation.name if party is not None else "Een partij"
    texts = {
        "agreement_sent": ("Ter ondertekening", f"De samenwerkingsovereenkomst “{title}” ligt ter ondertekening. "
                           "Teken namens je organisatie als die nog niet getekend heeft."),
        "agreement_signed": ("Getekend door een partij",
                             f"{signer} heeft de samenwerkingsovereenkomst “{title}” getekend."),
        "agreement_fully_signed": ("Door alle partijen getekend",
                                   f"Alle partijen hebben de samenwerkingsovereenkomst “{title}” getekend. "
                                   "De leerroutes die zij dekt, kunnen nu actief worden."),
        "agreement_addendum": ("Addendum gemaakt",
                               f"Er is een addendum (versie {agreement.revision}) op de samenwerkingsovereenkomst "
                               f"“{title}” gemaakt. Alle partijen tekenen opnieuw."),
        "agreement_expiring_90": ("Verloopt binnen 90 dagen",
                                  f"De samenwerkingsovereenkomst “{title}” loopt af op "
                                  f"{agreement.end_date:%d-%m-%Y}. Maak op tijd een vervolg."),
        "agreement_expiring_30": ("Verloopt binnen 30 dagen",
                                  f"De samenwerkingsovereenkomst “{title}” loopt af op "
                                  f"{agreement.end_date:%d-%m-%Y}. Maak op tijd een vervolg."),
    }
    prefix, summary = texts[event]
    dedupe = f"{event}:{agreement.id}:{agreement.end_date.isoformat()}" if event in rules.EXPIRY_EVENTS.values() \
        else None
    users = _not(actor, who.coordinators_of(session, (p.organisation_id for p in agreement.parties)))
    return add(session, users, Message(event, f"{prefix}: {title}", summary, link, "agreement", agreement.id,
                                       dedupe))


def _practice(session: Session, event: str, practice: GoodPractice, actor: User | None) -> list:
    author = session.get(User, practice.author_id) if practice.author_id else None
    if author is None or not author.active or (actor is not None and actor.id == author.id):
        return []
    if event == "practice_sent_back":
        message = Message(event, f"Teruggestuurd: {practice.title}",
                          f"Je goede voorbeeld “{practice.title}” is teruggestuurd. Bekijk de toelichting van de "
                          "redactie, pas het aan en dien het opnieuw in.",
                          f"/bibliotheek/{practice.id}", "practice", practice.id)
    else:
        message = Message(event, f"Gepubliceerd: {practice.title}",
                          f"Je goede voorbeeld “{practice.title}” is gepubliceerd in de bibliotheek.",
                          f"/bibliotheek/{practice.id}", "practice", practice.id)
    return add(session, [author], message)


def _route_basis_ended(session: Session, route: LearningRoute, actor: User | None, context: dict) -> list:
    """Issue 20: terminating or expiring an agreement ends the basis of its routes; the coordinators of
    the route's parties are told which route left "actief" and why."""
    agreement = context["agreement"]
    reason = context.get("reason") or "De samenwerkingsovereenkomst geldt niet meer."
    users = _not(actor, who.coordinators_of(session, (p.organisation_id for p in route.parties)))
    return add(session, users, Message(
        "route_basis_ended", f"Leerroute beëindigd: {route.title}",
        f"De leerroute “{route.title}” is niet meer actief (samenwerkingsovereenkomst “{agreement.title}”). "
        f"{reason} Maak een nieuwe overeenkomst om de route weer actief te maken.",
        f"/leerroutes/{route.id}", "route", route.id))


def _route(session: Session, route: LearningRoute, actor: User | None, before: str | None) -> list:
    """A route that became actief is new in its regions; one that was ended or
    archived has ended there, and may leave a school without any route."""
    ended = route.archived_at is not None or route.status == "beeindigd"
    if ended and before == ACTIVE:
        event = "region_route_ended"
    elif not ended and route.status == ACTIVE and before != ACTIVE:
        event = "region_route_new"
    else:
        return []
    if not who.anybody_follows(session):  # the common case (imports, seeding): no region lookups at all
        return []
    regions_by_org = who.region_codes_of(session, (p.organisation_id for p in route.parties))
    regions = set().union(*regions_by_org.values()) if regions_by_org else set()
    link = f"/leerroutes/{route.id}"
    if event == "region_route_new":
        message = _new_route_message(route.id, route.title)
    else:
        message = Message(event, f"Leerroute beëindigd: {route.title}",
                          f"De leerroute “{route.title}” is beëindigd in een regio die je volgt.", link, "route",
                          route.id)
    rows = add(session, _not(actor, who.followers_of(session, regions)), message)
    if event == "region_route_ended":
        schools = who.schools_left_without_route(session, route)
        for school in schools:
            school_regions = who.region_codes_of(session, [school.id]).get(school.id, set())
            rows += add(session, _not(actor, who.followers_of(session, school_regions)), Message(
                "region_white_spot", f"Nieuwe witte vlek: {school.name}",
                f"{school.name} neemt na het einde van de leerroute “{route.title}” aan geen enkele actieve "
                "leerroute meer deel.", link, "route", route.id))
    return rows


def _new_route_message(route_id: int, title: str) -> Message:
    return Message("region_route_new", f"Nieuwe leerroute: {title}",
                   f"De leerroute “{title}” is actief in een regio die je volgt.", f"/leerroutes/{route_id}",
                   "route", route_id)


def record_new_routes(session: Session, routes: Sequence[tuple[int, str]], actor: User | None) -> list[Notification]:
    """region_route_new for routes created actief at once (the CSV import),
    in the import's transaction. Each follower gets ONE row per import: for
    one route of theirs the very message a route made in the form gives; for
    more, one message that counts them, names the first LISTED_TITLES and
    links to the actief routes of the regions they follow (a file of 300
    routes is one mail, not 300). `routes`: (id, title) of actief routes."""
    if not routes or not who.anybody_follows(session):
        return []
    ids = [route_id for route_id, _ in routes]
    parties = session.execute(select(RouteParty.route_id, RouteParty.organisation_id)
                              .where(RouteParty.route_id.in_(id_set(session, ids)))).all()
    regions_by_org = who.region_codes_of(session, {org_id for _, org_id in parties})
    route_regions: dict[int, set[str]] = {}
    for route_id, org_id in parties:
        route_regions.setdefault(route_id, set()).update(regions_by_org.get(org_id, set()))
    all_regions = set().union(*route_regions.values()) if route_regions else set()
    followers = _not(actor, who.followers_of(session, all_regions))
    prefs = preferences_for(session, followers)
    out: list[Notification] = []
    for user in followers:
        followed = set(prefs[user.id].regions or ()) if user.id in prefs else set()
        theirs = [(i, t) for i, t in routes if route_regions.get(i, set()) & followed]
        if len(theirs) == 1:
            out += add(session, [user], _new_route_message(*theirs[0]))
        elif theirs:
            codes = sorted(followed & set().union(*(route_regions[i] for i, _ in theirs)))
            titles = "; ".join(f"“{t}”" for _, t in theirs[:LISTED_TITLES])
            more = f" en nog {len(theirs) - LISTED_TITLES}" if len(theirs) > LISTED_TITLES else ""
            query = "&".join(f"region={code}" for code in codes)
            out += add(session, [user], Message(
                "region_route_new", f"{len(theirs)} nieuwe leerroutes in regio's die je volgt",
                f"Er zijn {len(theirs)} leerroutes geïmporteerd die actief zijn in een regio die je volgt: "
                f"{titles}{more}.", f"/leerroutes/?status=actief&{query}", "route", theirs[0][0]))
    return out


def record(session: Session, event: str, obj, actor: User | None = None, **context) -> list[Notification]:
    """Add the outbox rows of `event` about `obj` (an agreement, a practice, or
    for ROUTE_STATUS a route with `before=` its previous status) to the
    session of the change. The actor is never told about their own action."""
    if isinstance(obj, Agreement) and event in rules.EVENTS:
        return _agreement(session, event, obj, actor, context)
    if isinstance(obj, GoodPractice) and event in ("practice_sent_back", "practice_published"):
        return _practice(session, event, obj, actor)
    if isinstance(obj, LearningRoute) and event == ROUTE_STATUS:
        return _route(session, obj, actor, context.get("before"))
    if isinstance(obj, LearningRoute) and event == "route_basis_ended":
        return _route_basis_ended(session, obj, actor, context) + _route(session, obj, actor, ACTIVE)
    raise ValueError(f"unknown notification {event!r} for {type(obj).__name__}")
