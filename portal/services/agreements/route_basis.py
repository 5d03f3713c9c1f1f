"""When an agreement stops being in force (terminated or expired), the DLRs
and GLRs that ran under it lose their basis: they leave "actief".

Stored, not computed: the route's status becomes beëindigd in the same
transaction that ends the agreement (or, for a termination or end date that
lies ahead, in the daily `flask agreements expire` run on that date). Every
count and list of active routes already reads the route's status through the
one definition (domain/route_state.py), so the map, the figures, the API and
the exports follow without a join on agreements. A route that another
agreement in force still covers keeps running. Each ended route is audited
on the route, naming the agreement, so its coordinators see why in its
history; the agreement and route pages say it too."""
from __future__ import annotations

from datetime import date

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import Session

from portal.core.audit import record
from portal.core.locking import lock_for_write, locks_enabled
from portal.models import LearningRoute, User
from portal.models.agreement import Agreement, agreement_in_force_routes
from portal.services.agreements import queries
from portal.services.notifications import outbox as notifications

ROUTE_AUDIT_TYPE = "learning_route"


def basis_ended(agreement: Agreement, on: date) -> bool:
    """The agreement had a version in force and that version's period is over on `on`."""
    period = queries.in_force(agreement)
    return period is not None and on > period.end_date


def _covered_elsewhere(session: Session, route: LearningRoute, agreement: Agreement, on: date) -> bool:
    return bool(session.scalar(
        select(exists().where(agreement_in_force_routes.c.route_id == route.id,
                              agreement_in_force_routes.c.agreement_id == Agreement.id,
                              Agreement.id != agreement.id, queries.in_force_on(on)))))


def _route_lock_free(session: Session, route: LearningRoute) -> bool:
    """Take the route's row lock unless another transaction holds it (PostgreSQL
    SKIP LOCKED). The caller holds the agreement's lock; a route writer (an
    activation) takes the route's lock first and then reads the agreement FOR
    SHARE, so waiting here could deadlock. A route skipped now is ended by the
    daily run; an activation that was waiting is refused, as the agreement is
    no longer in force when it reads it."""
    if not locks_enabled() or session.get_bind().dialect.name != "postgresql":
        return True
    return session.scalar(select(LearningRoute.id).where(LearningRoute.id == route.id)
                          .with_for_update(key_share=True, skip_locked=True)) is not None


def end_routes(session: Session, agreement: Agreement, actor: User | None, on: date | None = None,
               ) -> list[LearningRoute]:
    """Set the agreement's active DLRs and GLRs to beëindigd when its version in
    force has ended on `on` (default today) and no other agreement in force
    covers them. Returns the routes it ended. The caller holds the agreement's lock."""
    on = on or queries.today()
    if not basis_ended(agreement, on):
        return []
    last_day = agreement.in_force_end_date or agreement.end_date
    reason = ("opgezegd per " + agreement.terminated_on.strftime("%d-%m-%Y")
              if agreement.status == "opgezegd" and agreement.terminated_on else
              "verlopen na " + last_day.strftime("%d-%m-%Y"))
    return _end(session, agreement, agreement.in_force_routes, actor, on,
                f"De samenwerkingsovereenkomst is {reason}; de leerroute heeft geen getekende overeenkomst meer.")


def end_dropped_routes(session: Session, agreement: Agreement, dropped: list[LearningRoute],
                       actor: User | None) -> list[LearningRoute]:
    """After an addendum came into force without some routes of the version
    before it: those lose their basis too, unless another agreement covers them."""
    return _end(session, agreement, dropped, actor, queries.today(),
                f"Addendum versie {agreement.in_force_revision} van de samenwerkingsovereenkomst dekt de "
                f"leerroute niet meer; de leerroute heeft geen getekende overeenkomst meer.")


def _end(session: Session, agreement: Agreement, routes: list[LearningRoute], actor: User | None, on: date,
         reason: str) -> list[LearningRoute]:
    ended: list[LearningRoute] = []
    for route in list(routes):
        if route.kind_code not in queries.COVERAGE_KINDS or route.archived_at is not None:
            continue
        if not _route_lock_free(session, route):
            continue
        lock_for_write(session, route)  # held already: refreshes the route's state
        if route.status != "actief" or _covered_elsewhere(session, route, agreement, on):
            continue
        route.status = "beeindigd"
        session.flush()
        record(session, actor, ROUTE_AUDIT_TYPE, route.id, "end_basis", before={"status": "actief"},
               after={"status": "beeindigd", "agreement": agreement.title, "agreement_id": agreement.id,
                      "reden": reason})
        notifications.record(session, "route_basis_ended", route, actor, agreement=agreement, reason=reason)
        ended.append(route)
    return ended


def ended_routes(agreement: Agreement, on: date | None = None) -> list[LearningRoute]:
    """For the agreement page: its DLRs and GLRs that are beëindigd now that its version in force has ended."""
    if not basis_ended(agreement, on or queries.today()):
        return []
    return [r for r in agreement.in_force_routes if r.kind_code in queries.COVERAGE_KINDS and r.status == "beeindigd"]


def routes_still_active(session: Session, on: date) -> list[Agreement]:
    """Agreements whose version in force has ended by `on` but that still have
    an active DLR or GLR (the daily run ends those routes)."""
    active_route = exists().where(agreement_in_force_routes.c.agreement_id == Agreement.id,
                                  agreement_in_force_routes.c.route_id == LearningRoute.id,
                                  LearningRoute.status == "actief",
                                  LearningRoute.kind_code.in_(queries.COVERAGE_KINDS))
    ended = or_(Agreement.in_force_end_date < on,
                and_(Agreement.status == "opgezegd", Agreement.terminated_on <= on))
    candidates = session.scalars(select(Agreement).where(
        Agreement.archived_at.is_(None), Agreement.in_force_revision.is_not(None), active_route, ended))
    return [a for a in candidates if basis_ended(a, on)]
