"""How a change to an agreement is made, shared by every write (operations,
funding, lifecycle): the check against a form opened before another's save,
the rule that only an editable agreement changes, the version snapshots
(addenda) and the one step that ends a change: a new version after a
signature, back to concept when it was out for signature, and the audit."""
from __future__ import annotations

from sqlalchemy import inspect
from sqlalchemy.orm import Session, object_session
from sqlalchemy.orm.attributes import flag_modified

from portal.core.audit import changes_since, record
from portal.core.errors import ConflictError, ServiceError
from portal.core.locking import lock_for_write
from portal.domain import agreements as dom
from portal.models import User
from portal.models.agreement import Agreement, AgreementVersion
from portal.services.agreements import queries
from portal.services.agreements.snapshots import content_snapshot, full_snapshot
from portal.services.notifications import outbox as notifications


def begin_write(session: Session, agreement: Agreement, expected_version: int | None = None) -> None:
    """The first step of every write to an agreement: take its row lock for
    the rest of the transaction and read its current state (core/locking.py),
    then compare the version the form was opened at with that current state.
    A second writer of the same agreement waits here for the first and then
    gets the conflict, never a merge of the two."""
    lock_for_write(session, agreement)
    check_version(agreement, expected_version)


def check_version(agreement: Agreement, expected_version: int | None) -> None:
    """A ConflictError, with what the others changed since, when the form was
    opened at another version of the agreement."""
    if expected_version is not None and int(expected_version) != agreement.version_id:
        error = ConflictError("Iemand anders heeft deze overeenkomst intussen gewijzigd; je wijziging is niet "
                              "opgeslagen. Je invoer staat hieronder nog: bekijk de wijziging van de ander en "
                              "sla opnieuw op.")
        session = object_session(agreement)
        error.changes = (changes_since(session, "agreement", agreement.id, int(expected_version),
                                       dom.SNAPSHOT_LABELS) if session is not None else [])
        error.current_version = agreement.version_id
        raise error


def ensure_editable(agreement: Agreement) -> None:
    """Refuse a change to an archived agreement or one whose status (as of today) is final."""
    if agreement.archived_at is not None:
        raise ServiceError("Deze overeenkomst is gearchiveerd.")
    status = queries.current_status(agreement)
    if status not in dom.EDITABLE_STATUSES:
        raise ServiceError(f"Een overeenkomst met status '{dom.STATUSES[status].lower()}' kan niet meer "
                           f"worden gewijzigd.")


def store_version(session: Session, agreement: Agreement, actor: User | None, reason: str) -> None:
    """Keep the full snapshot (content, status, signatures) as the version row
    of the current revision."""
    snapshot = full_snapshot(agreement)
    version = next((v for v in agreement.versions if v.number == agreement.revision), None)
    if version is None:
        agreement.versions.append(AgreementVersion(number=agreement.revision, reason=reason, snapshot=snapshot,
                                                   created_by_id=actor.id if actor else None))
    else:
        version.snapshot = snapshot
    session.flush()


def _keep_document_with_signed_version(agreement: Agreement) -> None:
    """The signed PDF belongs to the version that was signed: an addendum
    moves it from the agreement to that version's row (which keeps pointing
    at the file), and the new version gets its own signed document."""
    if not agreement.document_stored_name:
        return
    version = next((v for v in agreement.versions if v.number == agreement.revision - 1), None)
    if version is None:
        return
    version.snapshot = {**version.snapshot, "document": (
        f"{agreement.document_name} (sha256 {agreement.document_sha256}, bestand {agreement.document_stored_name})")}
    agreement.document_stored_name = agreement.document_name = None
    agreement.document_size = agreement.document_sha256 = agreement.document_uploaded_at = None


def derive_internal(agreement: Agreement) -> None:
    """is_internal follows from the parties: one bevoegd gezag on both sides."""
    agreement.is_internal = dom.is_internal_arrangement(
        (p.role, p.governing_body_name, p.governing_body_number) for p in agreement.parties
    )


def finish_change(session: Session, agreement: Agreement, actor: User, before: dict, action: str) -> bool | str:
    """After a change: new version if somebody had signed, else back to concept
    if it was out for signature; refresh the version snapshot; audit. Returns
    False (nothing changed), True, or "addendum" (a new version was made)."""
    start_version = agreement.version_id
    session.flush()
    # Read the changed rows back in their order (for the snapshot), but keep
    # the agreement's own columns: its version_id must stay the one this
    # write started from, so that the version bump below is a compare-and-set
    # against it (refreshing it here would adopt another writer's version).
    session.expire(agreement, [r.key for r in inspect(Agreement).relationships])
    derive_internal(agreement)
    after = content_snapshot(agreement)
    if after == before:
        return False
    reason = None
    if any(p.is_signed for p in agreement.parties):
        agreement.revision += 1
        for party in agreement.parties:
            party.signed_at = party.signed_by_id = party.signed_by_name = party.signed_on_behalf_of = None
        # The version in force (in_force_* and signed_at, when all had signed)
        # stays in force until all parties sign this addendum.
        agreement.sent_at = None
        agreement.status = "concept"
        _keep_document_with_signed_version(agreement)
        reason = f"Addendum {agreement.revision - 1}: wijziging na ondertekening"
    elif agreement.status == "ter_ondertekening":
        agreement.status = "concept"
        agreement.sent_at = None
    store_version(session, agreement, actor, reason or "Eerste versie")
    if agreement.version_id == start_version:
        # Only its rows changed (funding, guarantee, parties): still a new
        # version of the agreement, so a form opened before conflicts.
        flag_modified(agreement, "title")
    session.flush()
    # The version it made, for the conflict message of a form opened before.
    record(session, actor, "agreement", agreement.id, action, before=before,
           after={**after, "version_id": agreement.version_id})
    if reason:
        notifications.record(session, "agreement_addendum", agreement, actor)
    return "addendum" if reason else True
