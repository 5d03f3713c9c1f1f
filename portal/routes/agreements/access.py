"""Load-or-404 and the permission checks of the agreement views, and the
message after a save (views and editors share them)."""
from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.models.agreement import Agreement, AgreementParty
from portal.permissions import can_edit_agreement, can_view_agreement_details, is_staff


def load(agreement_id: int, *, archived: bool = False) -> Agreement:
    """The agreement or 404. An archived one does not exist, except with
    archived=True for staff (its page and restoring it)."""
    # Parties with their organisations in one go: no query per party.
    agreement = db.session.get(Agreement, agreement_id, options=[
        selectinload(Agreement.parties).joinedload(AgreementParty.organisation)])
    if agreement is None or (agreement.archived_at is not None and not (archived and is_staff(current_user))):
        abort(404)
    return agreement


def require_details(agreement: Agreement) -> None:
    if not current_user.is_authenticated:
        abort(403)
    if not can_view_agreement_details(current_user, agreement):
        abort(403)


def require_edit(agreement: Agreement) -> None:
    if not current_user.is_authenticated or not can_edit_agreement(current_user, agreement):
        abort(403)


def saved_message(agreement: Agreement, changed: bool | str) -> str:
    """The flash after a save, from what the service returned: False, True or "addendum"."""
    if not changed:
        return "Er was niets gewijzigd."
    if changed == "addendum":
        in_force = (f" Versie {agreement.in_force_revision} blijft in werking tot alle partijen het addendum "
                    f"hebben getekend." if agreement.in_force_revision else "")
        return (f"Opgeslagen als versie {agreement.revision} (addendum): alle partijen tekenen opnieuw."
                + in_force)
    return "De wijzigingen zijn opgeslagen."
