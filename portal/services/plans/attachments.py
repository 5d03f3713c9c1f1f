"""Attachments of a plan's labour-market analysis: add (the file is stored,
then its row written and audited) and remove, only while the plan can be
edited. Flush, never commit."""
from __future__ import annotations

from sqlalchemy.orm import Session

from portal.core.audit import record
from portal.core.errors import ServiceError
from portal.core.uploads import attachment_title, stored_attachment
from portal.models import User
from portal.models.plan import PlanAttachment, RegionalPlan
from portal.services.plans.editing import begin_write, ensure_editable


def add_attachment(session: Session, plan: RegionalPlan, file_storage, title: str, actor: User) -> PlanAttachment:
    begin_write(session, plan, None)
    ensure_editable(plan)
    title = attachment_title(title)
    with stored_attachment(file_storage) as stored:
        attachment = PlanAttachment(title=title, **stored.columns(), uploaded_by_id=actor.id)
        plan.attachments.append(attachment)
        session.flush()
        record(session, actor, "regional_plan", plan.id, "add_attachment",
               after={"attachment_id": attachment.id, "title": title, **stored.audit_values()})
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
