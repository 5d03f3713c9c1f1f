"""Attachments of a plan's labour-market analysis: add (the file is stored,
then its row written and audited) and remove, only while the plan can be
edited. Flush, never commit."""
from __future__ import annotations

from sqlalchemy.orm import Session

from portal.core.audit import record
from portal.core.errors import ServiceError
from portal.core.uploads import delete_stored, store_upload
from portal.models import User
from portal.models.plan import PlanAttachment, RegionalPlan
from portal.services.plans.editing import begin_write, ensure_editable


def add_attachment(session: Session, plan: RegionalPlan, file_storage, title: str, actor: User) -> PlanAttachment:
    title = " ".join((title or "").split())
    begin_write(session, plan, None)
    ensure_editable(plan)
    if not title:
        raise ServiceError({"title": ["Geef de bijlage een titel."]})
    if len(title) > 200:
        raise ServiceError({"title": ["De titel is te lang (hoogstens 200 tekens)."]})
    stored = store_upload(file_storage, field="file")
    try:
        attachment = PlanAttachment(title=title, stored_name=stored.stored_name, original_name=stored.original_name,
                                    content_type=stored.content_type, size=stored.size, sha256=stored.sha256,
                                    uploaded_by_id=actor.id)
        plan.attachments.append(attachment)
        session.flush()
        record(session, actor, "regional_plan", plan.id, "add_attachment",
               after={"attachment_id": attachment.id, "title": title, "file": stored.original_name,
                      "size": stored.size, "sha256": stored.sha256})
    except BaseException:
        delete_stored(stored.stored_name)  # no file on disk without its row
        raise
    return attachment


def remove_attachment(session: Session, attachment: PlanAttachment, actor: User) -> None:
    plan = attachment.plan
    begin_write(session, plan, None)
    ensure_editable(plan)
    if attachment not in plan.attachments:
        raise ServiceError("Deze bijlage is al verwijderd.")
    record(session, actor, "regional_plan", plan.id, "remove_attachment",
           before={"attachment_id": attachment.id, "title": attachment.title, "file": attachment.original_name})
    plan.attachments.remove(attachment)
    session.flush()
