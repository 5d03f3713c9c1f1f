"""A vmbo school states the leerwegen and profielen it offers this school year."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.core.audit import record
from portal.core.errors import ServiceError
from portal.core.locking import lock_for_write
from portal.domain import offer as rules
from portal.domain.school_year import current_school_year
from portal.models import OfferStatement, Organisation, Pathway, Profile, User
from portal.models.base import utcnow
from portal.services.reference.offer_basis import refresh_offer


def state_offer(session: Session, organisation: Organisation, actor: User, pathways: list[str],
                profiles: list[str], school_year: str | None = None) -> OfferStatement:
    """Confirm or correct the school's offer of `school_year` (this school
    year): one statement per school and year, replaced by a later one; audited
    with what it was, and the school's current offer derived again (the
    statement wins over DUO's older figures)."""
    lock_for_write(session, organisation)
    if organisation.kind != "vmbo":
        raise ServiceError("Alleen een vmbo-school geeft haar aanbod van leerwegen en profielen op.")
    errors = rules.statement_errors(pathways, profiles)
    if errors:
        raise ServiceError(errors)
    year = school_year or current_school_year()
    statement = session.scalar(select(OfferStatement).where(
        OfferStatement.organisation_id == organisation.id, OfferStatement.school_year == year))
    before = None
    if statement is None:
        statement = OfferStatement(organisation_id=organisation.id, school_year=year)
        session.add(statement)
    else:
        before = {"leerwegen": [p.code for p in statement.pathways], "profielen": [p.code for p in statement.profiles],
                  "opgegeven_op": statement.stated_at}
    statement.pathways = list(session.scalars(select(Pathway).where(Pathway.code.in_(pathways))
                                              .order_by(Pathway.sort_order)))
    statement.profiles = list(session.scalars(select(Profile).where(Profile.code.in_(profiles))
                                              .order_by(Profile.sort_order)))
    statement.stated_at = utcnow()
    statement.stated_by_id = actor.id
    session.flush()
    record(session, actor, "organisation", organisation.id, "state_offer",
           before={"schooljaar": year, **before} if before else None,
           after={"schooljaar": year, "leerwegen": [p.code for p in statement.pathways],
                  "profielen": [p.code for p in statement.profiles], "opgegeven_op": statement.stated_at})
    refresh_offer(session, [organisation.id])
    return statement
