"""Attachments of a good practice: add (the file is stored, then its row
written and audited) and remove. Flush, never commit."""
from __future__ import annotations

from sqlalchemy.orm import Session

from portal.core.audit import record
from portal.core.errors import ServiceError
from portal.core.uploads import delete_stored, store_upload
from portal.models import User
from portal.models.practice import GoodPractice, PracticeAttachment
from portal.services.practices.operations import OBJECT_TYPE, begin_write, reindex


def add_attachment(session: Session, practice: GoodPractice, file_storage, title: str,
                   actor: User | None) -> PracticeAttachment:
    title = " ".join((title or "").split())
    begin_write(session, practice)
    if not title:
        raise ServiceError({"title": ["Geef de bijlage een titel."]})
    if len(title) > 200:
        raise ServiceError({"title": ["De titel is te lang (hoogstens 200 tekens)."]})
    stored = store_upload(file_storage, field="file")
    try:
        attachment = PracticeAttachment(
            title=title, stored_name=stored.stored_name, original_name=stored.original_name,
            content_type=stored.content_type, size=stored.size, sha256=stored.sha256,
            uploaded_by_id=actor.id if actor else None,
        )
        practice.attachments.append(attachment)
        session.flush()
        record(session, actor, OBJECT_TYPE, practice.id, "add_attachment",
               after={"attachment_id": attachment.id, "title": title, "file": stored.original_name,
                      "size": stored.size, "sha256": stored.sha256})
        reindex(session, practice)
    except BaseException:
        delete_stored(stored.stored_name)  # no file on disk without its row
        raise
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
