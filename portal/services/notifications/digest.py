"""The weekly digest: per user, the notifications that waited for it become
one digest message (pending, sent by `flask notifications deliver`)."""
from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from portal.core.errors import ServiceError
from portal.domain import notifications as rules
from portal.models import Notification, User


def build_digests(session: Session) -> int:
    """Make the digests; returns how many. Rows are taken with `UPDATE ...
    WHERE status = 'digest'`: a row goes into one digest only, also when
    two runs overlap (the second one's count differs and it rolls back)."""
    waiting = session.execute(
        select(Notification.user_id, Notification.id).where(Notification.status == rules.WAITING_FOR_DIGEST)
        .order_by(Notification.user_id, Notification.id)).all()
    by_user: dict[int, list[int]] = {}
    for user_id, notification_id in waiting:
        by_user.setdefault(user_id, []).append(notification_id)
    made = 0
    for user_id, ids in by_user.items():
        user = session.get(User, user_id)
        if user is None:
            continue
        digest = Notification(
            user_id=user_id, event=rules.DIGEST, status=rules.PENDING, link="/account/meldingen",
            subject=f"Weekoverzicht: {len(ids)} {'melding' if len(ids) == 1 else 'meldingen'}",
            summary=f"In de afgelopen week {'was er' if len(ids) == 1 else 'waren er'} {len(ids)} "
                    f"{'melding' if len(ids) == 1 else 'meldingen'} voor je.",
            object_type="user", object_id=user_id)
        session.add(digest)
        session.flush()
        taken = session.execute(
            update(Notification).where(Notification.id.in_(ids), Notification.status == rules.WAITING_FOR_DIGEST)
            .values(status=rules.DIGESTED, digest_id=digest.id).execution_options(synchronize_session=False))
        if taken.rowcount != len(ids):
            raise ServiceError("Een andere run maakt op dit moment de weekoverzichten; probeer het later opnieuw.")
        made += 1
    return made


def items(session: Session, digest: Notification) -> list[Notification]:
    return list(session.scalars(select(Notification).where(Notification.digest_id == digest.id)
                                .order_by(Notification.id)))
