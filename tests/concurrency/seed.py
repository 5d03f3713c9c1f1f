"""What a race needs, made in this process through the test factories and
committed to the servers' database, and what the database holds afterwards.
Everything is returned as plain values (ids, e-mail addresses): the objects
belong to a session that is closed before the servers get the requests."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import LearningRoute
from portal.models.agreement import Agreement, AgreementParty, FundingShare, TransferGuarantee
from portal.models.audit import AuditLog
from portal.models.practice import GoodPractice
from portal.services.agreements import lifecycle
from tests.factories import make_user
from tests.factories_agreements import make_agreement, make_parties_and_route
from tests.factories_practices import make_practice


@contextmanager
def committed(app) -> Iterator[None]:
    """A session on the servers' database whose work is committed for real."""
    with app.app_context():
        try:
            yield
            db.session.commit()
        finally:
            db.session.remove()


@dataclass
class AgreementCase:
    agreement_id: int
    vmbo_party_id: int
    mbo_party_id: int
    vmbo_email: str
    mbo_email: str
    route_id: int


def agreement(app, *, out_for_signature: bool = False) -> AgreementCase:
    """A complete concept agreement (funding 60/40, two guarantee phases)
    between a new vmbo and mbo organisation, each with a coordinator; sent for
    signature when asked."""
    with committed(app):
        vmbo, mbo, route, vmbo_user, mbo_user = make_parties_and_route()
        made = make_agreement(vmbo_user, route, mbo)
        if out_for_signature:
            lifecycle.send_for_signature(db.session, made, vmbo_user)
        parties = {p.role: p.id for p in made.parties}
        case = AgreementCase(made.id, parties["vmbo"], parties["mbo"], vmbo_user.email, mbo_user.email, route.id)
    return case


@dataclass
class RouteCase:
    route_id: int
    vmbo_email: str
    mbo_email: str


def route(app) -> RouteCase:
    """A route in preparation with a coordinator at each of its two parties."""
    with committed(app):
        _vmbo, _mbo, made, vmbo_user, mbo_user = make_parties_and_route(kind="dlr")
        case = RouteCase(made.id, vmbo_user.email, mbo_user.email)
    return case


def practice(app) -> tuple[int, str]:
    """A concept practice and the e-mail address of its author (a coordinator)."""
    with committed(app):
        author = make_user("coordinator")
        made = make_practice(author, status="concept", organisation_ids=[author.organisation_id])
        case = (made.id, author.email)
    return case


# --- what the database holds -------------------------------------------------

def share_sums(app, agreement_id: int) -> dict[tuple[str, str], Decimal]:
    with app.app_context():
        rows = db.session.execute(
            select(FundingShare.stream, FundingShare.school_year, func.sum(FundingShare.percentage))
            .where(FundingShare.agreement_id == agreement_id)
            .group_by(FundingShare.stream, FundingShare.school_year)).all()
        db.session.remove()
    return {(stream, year): Decimal(total) for stream, year, total in rows}


def shares(app, agreement_id: int, school_year: str) -> list[tuple[int, Decimal]]:
    """The shares of one school year (the agreement is funded for every year of its period)."""
    with app.app_context():
        rows = db.session.execute(select(FundingShare.party_id, FundingShare.percentage)
                                  .where(FundingShare.agreement_id == agreement_id,
                                         FundingShare.school_year == school_year)
                                  .order_by(FundingShare.party_id)).all()
        db.session.remove()
    return [(party, Decimal(p)) for party, p in rows]


def phases(app, agreement_id: int) -> list[tuple[int, int, int]]:
    with app.app_context():
        rows = db.session.execute(select(TransferGuarantee.from_month, TransferGuarantee.to_month,
                                         TransferGuarantee.max_wait_days)
                                  .where(TransferGuarantee.agreement_id == agreement_id)
                                  .order_by(TransferGuarantee.from_month, TransferGuarantee.id)).all()
        db.session.remove()
    return [tuple(r) for r in rows]


def parties(app, agreement_id: int) -> list[tuple[int, str, str | None]]:
    with app.app_context():
        rows = db.session.execute(select(AgreementParty.organisation_id, AgreementParty.role,
                                         AgreementParty.governing_body_name)
                                  .where(AgreementParty.agreement_id == agreement_id)
                                  .order_by(AgreementParty.role, AgreementParty.id)).all()
        db.session.remove()
    return [tuple(r) for r in rows]


def signing(app, agreement_id: int) -> tuple[str, list, int]:
    """(status, [(party id, signed_at)], number of `sign` audit entries)."""
    with app.app_context():
        status = db.session.scalar(select(Agreement.status).where(Agreement.id == agreement_id))
        signed = db.session.execute(select(AgreementParty.id, AgreementParty.signed_at)
                                    .where(AgreementParty.agreement_id == agreement_id)
                                    .order_by(AgreementParty.id)).all()
        entries = db.session.scalar(select(func.count()).select_from(AuditLog).where(
            AuditLog.object_type == "agreement", AuditLog.object_id == agreement_id, AuditLog.action == "sign"))
        db.session.remove()
    return status, [tuple(r) for r in signed], entries


def routes_titled(app, title: str) -> list[int]:
    with app.app_context():
        ids = list(db.session.scalars(select(LearningRoute.id).where(LearningRoute.title == title)))
        db.session.remove()
    return ids


def route_title(app, route_id: int) -> str:
    with app.app_context():
        title = db.session.scalar(select(LearningRoute.title).where(LearningRoute.id == route_id))
        db.session.remove()
    return title


def agreement_title(app, agreement_id: int) -> str:
    with app.app_context():
        title = db.session.scalar(select(Agreement.title).where(Agreement.id == agreement_id))
        db.session.remove()
    return title


def practice_title(app, practice_id: int) -> str:
    with app.app_context():
        title = db.session.scalar(select(GoodPractice.title).where(GoodPractice.id == practice_id))
        db.session.remove()
    return title
