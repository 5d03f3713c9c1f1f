"""The routes, agreements and practices a merge changes get a new version.

A merge re-points rows that belong to other aggregates: a route's parties, an
agreement's parties and examining organisation, a practice's organisation
links. An editor who opened one of those forms before the merge still holds
the removed organisation's id and the old version number; saving it would
silently write over the merge (or fail on an organisation that is gone).
So every touched route, agreement and practice gets a new version, which is
its optimistic-lock column `version_id`, and an audit entry of its own that
carries that version: a form opened before is refused with the usual Dutch
conflict message, naming who merged and how the parties changed.

An agreement's `revision` is a different thing: the number of the text the
parties sign, raised only by an addendum after a signature (services/
agreements/changes.py). A merge changes who an organisation is called in the
portal, not what was agreed or by whom it was signed, so the revision, the
signatures, the version in force and the stored version snapshots (the text
as signed, with the old name) are left alone: no addendum, no new signing.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from portal.core.audit import record
from portal.models import Agreement, AgreementParty, GoodPractice, LearningRoute, RouteParty, User
from portal.models.base import utcnow
from portal.models.practice import practice_organisations
from portal.services.agreements.snapshots import content_snapshot
from portal.services.learning_routes.snapshots import AUDIT_TYPE as ROUTE_AUDIT_TYPE
from portal.services.learning_routes.snapshots import snapshot as route_snapshot
from portal.services.practices import operations as practices

AGREEMENT_AUDIT_TYPE = "agreement"
ACTION = "merge_organisations"


@dataclass
class Touched:
    """The ids of what a merge will change, each with its values before."""
    routes: dict[int, dict] = field(default_factory=dict)
    agreements: dict[int, dict] = field(default_factory=dict)
    practices: dict[int, dict] = field(default_factory=dict)


def touched_ids(session: Session, removed_id: int) -> tuple[list[int], list[int], list[int]]:
    """(route ids, agreement ids, practice ids) that point at the removed
    organisation, in id order (the order their locks are taken in)."""
    routes = session.scalars(select(RouteParty.route_id).where(RouteParty.organisation_id == removed_id)
                             .distinct().order_by(RouteParty.route_id)).all()
    agreements = session.scalars(select(Agreement.id).where(or_(
        Agreement.id.in_(select(AgreementParty.agreement_id).where(AgreementParty.organisation_id == removed_id)),
        Agreement.examining_organisation_id == removed_id)).order_by(Agreement.id)).all()
    practice_ids = session.scalars(select(practice_organisations.c.practice_id)
                                   .where(practice_organisations.c.organisation_id == removed_id)
                                   .distinct().order_by(practice_organisations.c.practice_id)).all()
    return list(routes), list(agreements), list(practice_ids)


def _agreement_values(agreement: Agreement) -> dict:
    return {**content_snapshot(agreement), "version_id": agreement.version_id}


def _practice_values(practice: GoodPractice) -> dict:
    return {**practices.snapshot(practice), "version_id": practice.version_id}


def before_merge(session: Session, removed_id: int) -> Touched:
    """What the merge will touch, read under the merge's locks."""
    route_ids, agreement_ids, practice_ids = touched_ids(session, removed_id)
    touched = Touched()
    for route_id in route_ids:
        touched.routes[route_id] = route_snapshot(session.get_one(LearningRoute, route_id))
    for agreement_id in agreement_ids:
        touched.agreements[agreement_id] = _agreement_values(session.get_one(Agreement, agreement_id))
    for practice_id in practice_ids:
        touched.practices[practice_id] = _practice_values(session.get_one(GoodPractice, practice_id))
    return touched


def bump_versions(session: Session, actor: User | None, touched: Touched) -> int:
    """After the merge's writes: a new version_id and an audit entry on every
    touched object (the merge's writes went round the ORM, so the session
    must have been expired before). Returns the number of objects."""
    now = utcnow()
    for route_id, before in touched.routes.items():
        route = session.get_one(LearningRoute, route_id)
        route.updated_at = now  # the row changes, so its version_id moves
        session.flush()
        record(session, actor, ROUTE_AUDIT_TYPE, route_id, ACTION, before=before, after=route_snapshot(route))
    for agreement_id, before in touched.agreements.items():
        agreement = session.get_one(Agreement, agreement_id)
        agreement.updated_at = now
        session.flush()
        record(session, actor, AGREEMENT_AUDIT_TYPE, agreement_id, ACTION, before=before,
               after=_agreement_values(agreement))
    for practice_id, before in touched.practices.items():
        practice = session.get_one(GoodPractice, practice_id)
        practice.updated_at = now
        session.flush()
        record(session, actor, practices.OBJECT_TYPE, practice_id, ACTION, before=before,
               after=_practice_values(practice))
        practices.reindex(session, practice)  # its search words name the kept organisation now
    return len(touched.routes) + len(touched.agreements) + len(touched.practices)
