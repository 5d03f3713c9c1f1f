"""Regioplannen: a subsidy round, the plan regions that take part in it (a
named group of vmbo vestigingen incl. vso, mbo institutions and employers with
one penvoerder) and their plan with its actions, budget and submitted versions."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.domain import plans as dom
from portal.extensions import db
from portal.models.base import StoredFileMixin, TimestampMixin, one_of, utcnow
from portal.models.organisation import Organisation
from portal.models.user import User

MEMBER_ROLES = ("vmbo", "vso", "mbo", "employer")
SCHOOL_KINDS_SQL = "kind IN ('vmbo', 'vso')"


class PlanRound(TimestampMixin, db.Model):
    """A subsidy round: plans are submitted before the deadline and, when not
    yet voldragen, resubmitted before the resubmission deadline."""

    __tablename__ = "plan_rounds"
    __table_args__ = (CheckConstraint("resubmission_deadline >= submission_deadline", name="deadlines"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    submission_deadline: Mapped[date] = mapped_column(Date)
    resubmission_deadline: Mapped[date] = mapped_column(Date)

    regions: Mapped[list[PlanRegion]] = relationship(back_populates="round", order_by="PlanRegion.name")


class PlanRegion(TimestampMixin, db.Model):
    """A plan region (planregio) in one round; not an arbeidsmarktregio."""

    __tablename__ = "plan_regions"
    __table_args__ = (
        UniqueConstraint("round_id", "name"),
        UniqueConstraint("id", "round_id", name="uq_plan_regions_id_round"),  # target of the members' FK
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("plan_rounds.id"), index=True)
    name: Mapped[str] = mapped_column(String(160))
    lead_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    version_id: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    round: Mapped[PlanRound] = relationship(back_populates="regions")
    lead_organisation: Mapped[Organisation] = relationship()
    members: Mapped[list[PlanRegionMember]] = relationship(
        back_populates="region", cascade="all, delete-orphan", order_by="PlanRegionMember.id")
    plan: Mapped[RegionalPlan | None] = relationship(back_populates="region", cascade="all, delete-orphan",
                                                     uselist=False)

    __mapper_args__ = {"version_id_col": version_id}

    def member_ids(self) -> set[int]:
        return {m.organisation_id for m in self.members}


class PlanRegionMember(db.Model):
    """An organisation of a plan region. A vmbo or vso vestiging is in at most
    one plan region per round: the partial unique index says so to the
    database, the composite foreign key keeps round_id the region's round."""

    __tablename__ = "plan_region_members"
    __table_args__ = (
        UniqueConstraint("plan_region_id", "organisation_id"),
        one_of("kind", MEMBER_ROLES, name="kind"),
        ForeignKeyConstraint(["plan_region_id", "round_id"], ["plan_regions.id", "plan_regions.round_id"],
                             ondelete="CASCADE", name="fk_plan_region_members_region_round"),
        Index("uq_plan_region_members_school_per_round", "round_id", "organisation_id", unique=True,
              sqlite_where=text(SCHOOL_KINDS_SQL), postgresql_where=text(SCHOOL_KINDS_SQL)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_region_id: Mapped[int] = mapped_column(index=True)
    round_id: Mapped[int] = mapped_column()
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))

    region: Mapped[PlanRegion] = relationship(back_populates="members")
    organisation: Mapped[Organisation] = relationship()


class RegionalPlan(TimestampMixin, db.Model):
    """The plan of a plan region in its round."""

    __tablename__ = "regional_plans"
    __table_args__ = (
        one_of("state", dom.STATES, name="state"),
        one_of("advice_flag", tuple(dom.ADVICE_FLAGS), name="advice_flag"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_region_id: Mapped[int] = mapped_column(ForeignKey("plan_regions.id", ondelete="CASCADE"), unique=True)
    state: Mapped[str] = mapped_column(String(24), default=dom.CONCEPT, index=True)
    vision: Mapped[str] = mapped_column(Text, default="")
    labour_market_analysis: Mapped[str] = mapped_column(Text, default="")
    pupil_prognosis: Mapped[str] = mapped_column(Text, default="")
    prognosis_source: Mapped[str] = mapped_column(String(255), default="")
    # The regioportret, frozen into the plan when it is (re)submitted.
    regional_portrait: Mapped[dict | None] = mapped_column(JSON)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The advice: written by an assessor, published to the region with the state.
    advice_text: Mapped[str] = mapped_column(Text, default="")
    improvement_points: Mapped[str] = mapped_column(Text, default="")
    advice_flag: Mapped[str] = mapped_column(String(16), default="")
    advised_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    midterm_findings: Mapped[str] = mapped_column(Text, default="")
    version_id: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    region: Mapped[PlanRegion] = relationship(back_populates="plan")
    actions: Mapped[list[PlanAction]] = relationship(back_populates="plan", cascade="all, delete-orphan",
                                                     order_by="PlanAction.position")
    budget_lines: Mapped[list[PlanBudgetLine]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="(PlanBudgetLine.year, PlanBudgetLine.stream)")
    versions: Mapped[list[PlanVersion]] = relationship(back_populates="plan", cascade="all, delete-orphan",
                                                       order_by="PlanVersion.number")
    attachments: Mapped[list[PlanAttachment]] = relationship(back_populates="plan", cascade="all, delete-orphan",
                                                             order_by="PlanAttachment.id")

    __mapper_args__ = {"version_id_col": version_id}

    def domain_budget(self) -> list[dom.BudgetLine]:
        return [dom.BudgetLine(b.year, b.stream, Decimal(b.amount)) for b in self.budget_lines]


class PlanAction(db.Model):
    __tablename__ = "plan_actions"
    __table_args__ = (CheckConstraint("year BETWEEN 2000 AND 2100", name="year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("regional_plans.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    description: Mapped[str] = mapped_column(Text)
    owner_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    year: Mapped[int] = mapped_column(Integer)
    measurable_result: Mapped[str] = mapped_column(Text)

    plan: Mapped[RegionalPlan] = relationship(back_populates="actions")
    owner: Mapped[Organisation] = relationship()


class PlanBudgetLine(db.Model):
    """The budget of one year and funding stream."""

    __tablename__ = "plan_budget_lines"
    __table_args__ = (
        UniqueConstraint("plan_id", "year", "stream"),
        one_of("stream", tuple(dom.BUDGET_STREAMS), name="stream"),
        CheckConstraint("amount >= 0", name="amount"),
        CheckConstraint("year BETWEEN 2000 AND 2100", name="year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("regional_plans.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    stream: Mapped[str] = mapped_column(String(24))
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))

    plan: Mapped[RegionalPlan] = relationship(back_populates="budget_lines")


class PlanVersion(db.Model):
    """A submitted version of a plan: what was submitted, frozen."""

    __tablename__ = "plan_versions"
    __table_args__ = (UniqueConstraint("plan_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("regional_plans.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    snapshot: Mapped[dict] = mapped_column(JSON)

    plan: Mapped[RegionalPlan] = relationship(back_populates="versions")
    submitted_by: Mapped[User | None] = relationship()


class PlanAttachment(StoredFileMixin, db.Model):
    """An attachment of the labour-market analysis (PDF or image)."""

    __tablename__ = "plan_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("regional_plans.id", ondelete="CASCADE"), index=True)

    plan: Mapped[RegionalPlan] = relationship(back_populates="attachments")
