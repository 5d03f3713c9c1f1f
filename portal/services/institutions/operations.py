"""Staff mark an mbo institution as funded (bekostigd) or not."""
from __future__ import annotations

from sqlalchemy.orm import Session

from portal.core.audit import record
from portal.core.errors import ServiceError
from portal.core.locking import lock_for_write
from portal.models import Organisation, User


def set_funded(session: Session, institution: Organisation, funded: bool, actor: User) -> bool:
    """Set whether the government funds the institution; audited. Returns
    whether anything changed (the same value twice changes nothing)."""
    lock_for_write(session, institution)
    if institution.kind != "mbo":
        raise ServiceError("Alleen een mbo-instelling is bekostigd of niet.")
    if institution.is_funded == funded:
        return False
    before = institution.is_funded
    institution.is_funded = funded
    session.flush()
    record(session, actor, "organisation", institution.id, "set_funded",
           before={"bekostigd": before}, after={"bekostigd": funded})
    return True
