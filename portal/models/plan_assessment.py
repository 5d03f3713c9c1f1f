"""The assessment of regioplannen: the beoordelingskader (criteria with
weights, maintained by staff), which assessor assesses which plan, their
scores with a motivation, and the yearly progress reports of a plan in
uitvoering."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.domain import plans as dom
from portal.extensions import db
from portal.models.base import utcnow
from portal.models.plan import RegionalPlan
from portal.models.user import User


class AssessmentCriterion(db.Model):
    """A criterion of the beoordelingskader, with its weight."""

    __tablename__ = "assessment_criteria"
    __table_args__ = (CheckConstraint("weight BETWEEN 1 AND 100", name="weight"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    weight: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class PlanAssessor(db.Model):
    """An assessor assigned to a plan by staff."""

    __tablename__ = "plan_assessors"
    __table_args__ = (UniqueConstraint("plan_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("regional_plans.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)

    plan: Mapped[RegionalPlan] = relationship()
    user: Mapped[User] = relationship()


class PlanScore(db.Model):
    """One assessor's score on one criterion for one plan, with a motivation."""

    __tablename__ = "plan_scores"
    __table_args__ = (
        UniqueConstraint("plan_id", "criterion_id", "assessor_id"),
        CheckConstraint(f"score BETWEEN {dom.SCORE_MIN} AND {dom.SCORE_MAX}", name="score"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("regional_plans.id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("assessment_criteria.id"))
    assessor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    score: Mapped[int] = mapped_column(Integer)
    motivation: Mapped[str] = mapped_column(Text)
    scored_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    criterion: Mapped[AssessmentCriterion] = relationship()
    assessor: Mapped[User | None] = relationship()


class PlanProgressReport(db.Model):
    """The penvoerder's yearly progress report of a plan in uitvoering: per
    action % done with an explanation, per budget line the money spent
    (held as rows in JSON: they belong to the report as submitted)."""

    __tablename__ = "plan_progress_reports"
    __table_args__ = (UniqueConstraint("plan_id", "year"), CheckConstraint("year BETWEEN 2000 AND 2100", name="year"))

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("regional_plans.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    actions: Mapped[list] = mapped_column(JSON)  # [{action_id, percent_done, explanation}]
    spending: Mapped[list] = mapped_column(JSON)  # [{year, stream, budget, spent}]
    total_spent: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal("0.00"))
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
