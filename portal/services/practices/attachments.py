"""Attachments of a good practice: add (the file is stored, then its row
written and audited) and remove. Flush, never commit."""
from __future__ import annotations

from sqlalchemy.orm import Session

from portal.core.audit import record
from portal.core.errors import ServiceError
from portal.core.uploads import attachment_title, stored_attachment
from portal.models import User
from portal.models.practice import GoodPractice, PracticeAttachment
from portal.services.practices.operations import OBJECT_TYPE, begin_write, reindex


def add_attachment(session: Session, practice: GoodPractice, file_storage, title: str,
                   actor: User | None) -> PracticeAttachment:
    begin_write(session, practice)
    title = attachment_title(title)
    with stored_attachment(file_storage) as stored:
        attachment = PracticeAttachment(title=title, **stored.columns(), uploaded_by_id=actor.id if actor else None)
        practice.attachments.append(attachment)
        session.flush()
        record(session, actor, OBJECT_TYPE, practice.id, "add_attachment",
               after={"attachment_id": attachment.id, "title": title, **stored.audit_values()})
        reindex(session, practice)
    return attachment


def remove_attachment(session: Session, attachment: PracticeAttachment, actor: User | None) -> None:
    practice = attachment.practice
    begin_write(session, practice)
    if attachment not in practice.attachments:
        raise ServiceError("Deze bijlage is al verwijderd.")
    record(session, actor, OBJECT_TYPE, practice.id, "remove_attachment",
           before={"attachment_id": attachment.id, "title": attachment.title,
                   "file": attachment.original_name})
    practice.attachments.remove(attachment)
    session.flush()
    reindex(session, practice)
