"""Samenwerkingsovereenkomsten: sending for signature, signing per party,
termination, the signed PDF, archive/restore and expiry. Flush, never commit;
every write is audited."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.core.audit import record
from portal.core.errors import ServiceError
from portal.core.locking import lock_for_write
from portal.core.uploads import StoredFile
from portal.domain import agreements as dom
from portal.domain.in_force import ADDENDUM_STATUSES
from portal.models import LearningRoute, User
from portal.models.agreement import Agreement, AgreementParty
from portal.models.base import utcnow
from portal.permissions import can_restore_agreement
from portal.services.agreements import changes, queries, route_basis
from portal.services.notifications import outbox as notifications


def send_for_signature(session: Session, agreement: Agreement, actor: User) -> None:
    changes.begin_write(session, agreement)
    changes.ensure_editable(agreement)
    if not dom.can_transition(agreement.status, "ter_ondertekening"):
        raise ServiceError("Alleen een concept kan ter ondertekening worden verstuurd.")
    missing = [f"{i.label}: {i.message}" for i in queries.checklist(agreement) if not i.ok]
    if missing:
        raise ServiceError({"__all__": ["De overeenkomst is nog niet compleet."] + missing})
    if agreement.end_date < queries.today():
        raise ServiceError("De looptijd van deze overeenkomst is al voorbij.")
    agreement.status = "ter_ondertekening"
    agreement.sent_at = utcnow()
    session.flush()
    changes.store_version(session, agreement, actor, "Eerste versie")
    record(session, actor, "agreement", agreement.id, "send", before={"status": "concept"},
           after={"status": agreement.status})
    notifications.record(session, "agreement_sent", agreement, actor)


def sign(session: Session, agreement: Agreement, party: AgreementParty, actor: User,
         revision: int | None = None) -> None:
    """The actor signs for their own party, on behalf of its bevoegd gezag; the
    agreement is getekend when every party has signed. Decided under the
    agreement's lock on the current signatures: of two parties signing at the
    same moment the second sees the first's signature (and makes it getekend),
    and a party signs once (a repeated sign is refused, one audit entry).
    `revision` is the version the signer confirmed: refused when the agreement
    has another version by now."""
    changes.begin_write(session, agreement)
    if revision is not None and revision != agreement.revision:
        raise ServiceError(f"De overeenkomst is intussen gewijzigd: dit is nu versie {agreement.revision}. "
                           "Bekijk die versie en bevestig opnieuw.")
    if party not in agreement.parties:  # also when another save removed it meanwhile
        raise ServiceError("Deze partij hoort niet bij deze overeenkomst.")
    if actor.role != "coordinator" or actor.organisation_id != party.organisation_id:
        raise ServiceError("Je kunt alleen namens je eigen organisatie tekenen.")
    if party.is_signed:
        raise ServiceError("Deze partij heeft al getekend.")
    if queries.current_status(agreement) != "ter_ondertekening":
        raise ServiceError("Deze overeenkomst ligt niet ter ondertekening.")
    if not (party.governing_body_name or "").strip():
        raise ServiceError("Vul eerst het bevoegd gezag van deze partij in.")
    now = utcnow()
    party.signed_at = now
    party.signed_by_id = actor.id
    party.signed_by_name = actor.name
    party.signed_on_behalf_of = party.governing_body_name
    before_status = agreement.status
    if all(p.is_signed for p in agreement.parties) and dom.can_transition(agreement.status, "getekend"):
        # The last signature: this version (the first, or an addendum) is now
        # the version in force, with its period.
        agreement.status = "getekend"
        agreement.signed_at = now
        agreement.in_force_revision = agreement.revision
        agreement.in_force_start_date = agreement.start_date
        agreement.in_force_end_date = agreement.end_date
        dropped = [r for r in agreement.in_force_routes if r not in agreement.routes]
        agreement.in_force_routes = list(agreement.routes)
        session.flush()
        route_basis.end_dropped_routes(session, agreement, dropped, actor)
    session.flush()
    changes.store_version(session, agreement, actor, "Eerste versie")
    record(session, actor, "agreement", agreement.id, "sign",
           before={"status": before_status},
           after={"status": agreement.status, "party": party.organisation.name,
                  "on_behalf_of": party.signed_on_behalf_of})
    notifications.record(session, "agreement_fully_signed" if queries.is_fully_signed(agreement)
                         else "agreement_signed", agreement, actor, party=party)


def terminate(session: Session, agreement: Agreement, on: date | None, reason: str,
              actor: User) -> list[LearningRoute]:
    """Terminate (opzeggen) per `on`: the version in force ends the day before.
    Returns the routes that lost their basis now (a date ahead: the daily run
    ends them on that date)."""
    changes.begin_write(session, agreement)
    status = queries.current_status(agreement)
    period = queries.in_force(agreement)
    errors: dict[str, list[str]] = {}
    # An addendum in preparation does not stop the version in force from being terminated.
    if not (dom.can_transition(status, "opgezegd") or (period is not None and status in ADDENDUM_STATUSES)):
        raise ServiceError("Alleen een getekende of ter ondertekening verstuurde overeenkomst kan worden opgezegd.")
    start, end = (period.start_date, period.end_date) if period else (agreement.start_date, agreement.end_date)
    if on is None:
        errors["terminated_on"] = ["Vul de datum van opzegging in."]
    elif message := dom.termination_date_error(on, start, end):
        errors["terminated_on"] = [message]
    if not (reason or "").strip():
        errors["termination_reason"] = ["Geef de reden van de opzegging."]
    if errors:
        raise ServiceError(errors)
    agreement.status = "opgezegd"
    agreement.terminated_on = on
    agreement.termination_reason = reason.strip()
    session.flush()
    changes.store_version(session, agreement, actor, "Eerste versie")
    record(session, actor, "agreement", agreement.id, "terminate", before={"status": status},
           after={"status": "opgezegd", "terminated_on": on, "reason": agreement.termination_reason})
    return route_basis.end_routes(session, agreement, actor)


REPLACE_SIGNED_DOCUMENT = ("Het getekende document hoort bij de getekende versie; maak een addendum om het "
                           "te vervangen.")


def attach_document(session: Session, agreement: Agreement, stored: StoredFile | Callable[[], StoredFile],
                    actor: User) -> None:
    """The signed PDF of the signed version, once: replacing it is an
    addendum. `stored` is the file stored by uploads.store_upload (size- and
    content-checked), or a callable that stores it: then it is called only
    after the checks, so a refused upload writes no file at all."""
    changes.begin_write(session, agreement)
    if agreement.in_force_revision is None or agreement.in_force_revision != agreement.revision:
        raise ServiceError({"document": ["Upload het getekende document nadat alle partijen hebben getekend."]})
    if agreement.document_stored_name:
        raise ServiceError({"document": [REPLACE_SIGNED_DOCUMENT]})
    if callable(stored):
        stored = stored()
    before = {"document": agreement.document_name, "sha256": agreement.document_sha256}
    agreement.document_stored_name = stored.stored_name
    agreement.document_name = stored.original_name
    agreement.document_size = stored.size
    agreement.document_sha256 = stored.sha256
    agreement.document_uploaded_at = utcnow()
    session.flush()
    record(session, actor, "agreement", agreement.id, "upload_document", before=before,
           after={"document": stored.original_name, "sha256": stored.sha256})


def archive(session: Session, agreement: Agreement, actor: User) -> None:
    changes.begin_write(session, agreement)
    if (agreement.status in ("ter_ondertekening", "getekend") or queries.has_addendum(agreement)) \
            and queries.current_status(agreement) != "verlopen":
        raise ServiceError("Een getekende of ter ondertekening verstuurde overeenkomst kan niet worden "
                           "gearchiveerd; zeg haar eerst op.")
    if agreement.archived_at is not None:
        raise ServiceError("Deze overeenkomst is al gearchiveerd.")
    version = agreement.version_id
    agreement.archived_at = utcnow()
    session.flush()  # bumps version_id: an open form of the agreement now conflicts
    record(session, actor, "agreement", agreement.id, "archive", before={"archived": False, "version_id": version},
           after={"archived": True, "version_id": agreement.version_id})


def restore(session: Session, agreement: Agreement, actor: User) -> None:
    """Bring an archived agreement back (staff; the view checks can_restore_agreement),
    exactly as it was: status, parties, signatures and versions are untouched."""
    changes.begin_write(session, agreement)
    if agreement.archived_at is None:
        raise ServiceError("Deze overeenkomst is niet gearchiveerd.")
    if not can_restore_agreement(actor, agreement):
        raise ServiceError("Alleen programmamedewerkers kunnen een gearchiveerde overeenkomst herstellen.")
    version = agreement.version_id
    agreement.archived_at = None
    session.flush()
    record(session, actor, "agreement", agreement.id, "restore", before={"archived": True, "version_id": version},
           after={"archived": False, "version_id": agreement.version_id})


def expire_due(session: Session, on: date | None = None, actor: User | None = None) -> int:
    """The daily run (cron or CLI). Store verlopen for agreements whose version
    in force is past its end date (also with an addendum waiting: that draft
    lapses with it); reading already shows them as verlopen through
    queries.current_status(). Then end the routes of every agreement whose
    version in force has ended by now (expired, or terminated per a date that
    has come), in the same transaction."""
    on = on or queries.today()
    due = list(session.scalars(select(Agreement).where(
        Agreement.in_force_revision.is_not(None), Agreement.status.in_(dom.EDITABLE_STATUSES),
        Agreement.in_force_end_date < on)))
    count = 0
    for agreement in due:
        lock_for_write(session, agreement)  # and decide on its state as of now
        if agreement.status not in dom.EDITABLE_STATUSES or agreement.in_force_end_date is None \
                or not agreement.in_force_end_date < on:
            continue
        before = agreement.status
        agreement.status = "verlopen"
        record(session, actor, "agreement", agreement.id, "expire", before={"status": before},
               after={"status": "verlopen"})
        count += 1
    session.flush()
    for agreement in route_basis.routes_still_active(session, on):
        lock_for_write(session, agreement)
        route_basis.end_routes(session, agreement, actor, on)
    session.flush()
    return count
