"""Samenwerkingsovereenkomsten: parties, required clauses, funding split,
overstapgarantie, signatures and versions (addenda)."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.domain import agreements as dom
from portal.domain.transfer_guarantee import DESTINATIONS
from portal.extensions import db
from portal.models.base import TimestampMixin, one_of, utcnow
from portal.models.organisation import Organisation
from portal.models.route import LearningRoute
from portal.models.user import User

agreement_routes = Table(
    "agreement_routes",
    db.metadata,
    Column("agreement_id", ForeignKey("agreements.id", ondelete="CASCADE"), primary_key=True),
    Column("route_id", ForeignKey("learning_routes.id", ondelete="CASCADE"), primary_key=True, index=True),
)

# The routes the version in force covers (set when the last party signs): a
# draft addendum that adds or drops a route changes agreement_routes only, so
# the routes' basis stays what was signed (domain/in_force.py).
agreement_in_force_routes = Table(
    "agreement_in_force_routes",
    db.metadata,
    Column("agreement_id", ForeignKey("agreements.id", ondelete="CASCADE"), primary_key=True),
    Column("route_id", ForeignKey("learning_routes.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class AgreementParty(db.Model):
    """An organisation that signs, through its bevoegd gezag."""

    __tablename__ = "agreement_parties"
    __table_args__ = (
        UniqueConstraint("agreement_id", "organisation_id"),  # so one signature per party per agreement
        one_of("role", dom.PARTY_ROLES, name="role"),
        # A signature is whole: when, by whom and on behalf of which bevoegd
        # gezag (signed_by_id may become NULL when the user is deleted).
        CheckConstraint("(signed_at IS NULL AND signed_by_name IS NULL AND signed_on_behalf_of IS NULL) OR "
                        "(signed_at IS NOT NULL AND signed_by_name IS NOT NULL AND signed_on_behalf_of IS NOT NULL)",
                        name="signature"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    governing_body_name: Mapped[str | None] = mapped_column(String(255))
    governing_body_number: Mapped[str | None] = mapped_column(String(16))
    # The signature: who, when, on behalf of which bevoegd gezag.
    signed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    signed_by_name: Mapped[str | None] = mapped_column(String(255))
    signed_on_behalf_of: Mapped[str | None] = mapped_column(String(255))

    agreement: Mapped[Agreement] = relationship(back_populates="parties")
    organisation: Mapped[Organisation] = relationship()
    signed_by: Mapped[User | None] = relationship()

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None


class FundingShare(db.Model):
    """One party's share (percentage) of one funding stream in one school year."""

    __tablename__ = "funding_shares"
    __table_args__ = (
        UniqueConstraint("agreement_id", "stream", "school_year", "party_id"),
        CheckConstraint("percentage >= 0 AND percentage <= 100", name="percentage"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id", ondelete="CASCADE"), index=True)
    stream: Mapped[str] = mapped_column(String(40))
    school_year: Mapped[str] = mapped_column(String(9))
    party_id: Mapped[int] = mapped_column(ForeignKey("agreement_parties.id", ondelete="CASCADE"))
    percentage: Mapped[Decimal] = mapped_column(Numeric(5, 2, asdecimal=True))
    position: Mapped[int] = mapped_column(Integer, default=0)

    agreement: Mapped[Agreement] = relationship(back_populates="funding_shares")
    party: Mapped[AgreementParty] = relationship()


class FundingTotal(db.Model):
    """Optional total amount of a stream in a year, who receives it, and its purpose."""

    __tablename__ = "funding_totals"
    __table_args__ = (
        UniqueConstraint("agreement_id", "stream", "school_year"),
        CheckConstraint("amount >= 0", name="amount"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id", ondelete="CASCADE"), index=True)
    stream: Mapped[str] = mapped_column(String(40))
    school_year: Mapped[str] = mapped_column(String(9))
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2, asdecimal=True))
    recipient_party_id: Mapped[int] = mapped_column(ForeignKey("agreement_parties.id", ondelete="CASCADE"))
    purpose: Mapped[str | None] = mapped_column(Text)

    agreement: Mapped[Agreement] = relationship(back_populates="funding_totals")
    recipient: Mapped[AgreementParty] = relationship()


class TransferGuarantee(db.Model):
    """One phase of the overstapgarantie: from month to month of the route."""

    __tablename__ = "transfer_guarantees"
    __table_args__ = (
        CheckConstraint("from_month >= 1 AND to_month >= from_month", name="months"),
        CheckConstraint("max_wait_days >= 0", name="wait"),
        one_of("destination", DESTINATIONS, name="destination"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id", ondelete="CASCADE"), index=True)
    from_month: Mapped[int] = mapped_column(Integer)
    to_month: Mapped[int] = mapped_column(Integer)
    destination: Mapped[str] = mapped_column(String(16))
    responsible_party_id: Mapped[int] = mapped_column(ForeignKey("agreement_parties.id", ondelete="CASCADE"))
    max_wait_days: Mapped[int] = mapped_column(Integer)
    description: Mapped[str | None] = mapped_column(Text)
    entree_reason: Mapped[str | None] = mapped_column(Text)

    agreement: Mapped[Agreement] = relationship(back_populates="guarantee_phases")
    responsible: Mapped[AgreementParty] = relationship()


class AgreementVersion(db.Model):
    """The content of one version (the original or an addendum), as JSON."""

    __tablename__ = "agreement_versions"
    __table_args__ = (UniqueConstraint("agreement_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    snapshot: Mapped[dict] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    agreement: Mapped[Agreement] = relationship(back_populates="versions")


class Agreement(TimestampMixin, db.Model):
    __tablename__ = "agreements"
    __table_args__ = (
        one_of("status", dom.STATUSES, name="status"),
        CheckConstraint("end_date > start_date", name="period"),
        CheckConstraint("in_force_revision IS NULL OR (in_force_start_date IS NOT NULL AND "
                        "in_force_end_date IS NOT NULL AND in_force_revision <= revision)", name="in_force"),
        CheckConstraint("route_duration_months IS NULL OR route_duration_months BETWEEN 1 AND 120",
                        name="duration"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(20), default="concept", index=True)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date, index=True)
    # Derived at save from the parties' bevoegd gezag: one legal body on both sides.
    is_internal: Mapped[bool] = mapped_column(Boolean, default=False)
    revision: Mapped[int] = mapped_column(Integer, default=1)  # the current version (addendum) number
    # The version in force (domain/in_force.py): the number of the version all
    # parties signed last, and its period. NULL until the first is signed; an
    # addendum in preparation (revision > in_force_revision) leaves them alone.
    in_force_revision: Mapped[int | None] = mapped_column(Integer)
    in_force_start_date: Mapped[date | None] = mapped_column(Date)
    in_force_end_date: Mapped[date | None] = mapped_column(Date, index=True)

    # Required clauses.
    facilities_use: Mapped[str | None] = mapped_column(Text)
    cooperation_form: Mapped[str | None] = mapped_column(Text)
    governance: Mapped[str | None] = mapped_column(Text)
    design: Mapped[str | None] = mapped_column(Text)
    complaints_procedure: Mapped[str | None] = mapped_column(Text)
    sector: Mapped[str | None] = mapped_column(String(255))
    mbo_domain_code: Mapped[str | None] = mapped_column(ForeignKey("mbo_domains.code"))
    employer_role: Mapped[str | None] = mapped_column(Text)
    examining_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    team_qualification: Mapped[bool | None] = mapped_column(Boolean)
    team_qualification_description: Mapped[str | None] = mapped_column(Text)
    participation: Mapped[str | None] = mapped_column(Text)
    transfer_option: Mapped[str | None] = mapped_column(Text)
    funding_purpose: Mapped[str | None] = mapped_column(Text)
    route_duration_months: Mapped[int | None] = mapped_column(Integer)

    # Signing and ending.
    # When the last party signed the version in force (kept while an addendum waits).
    signed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    terminated_on: Mapped[date | None] = mapped_column(Date)
    termination_reason: Mapped[str | None] = mapped_column(Text)

    # The signed PDF, stored outside static/.
    document_stored_name: Mapped[str | None] = mapped_column(String(64))
    document_name: Mapped[str | None] = mapped_column(String(255))
    document_size: Mapped[int | None] = mapped_column(Integer)
    document_sha256: Mapped[str | None] = mapped_column(String(64))
    document_uploaded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    archived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    version_id: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    routes: Mapped[list[LearningRoute]] = relationship(secondary=agreement_routes, order_by=LearningRoute.title)
    in_force_routes: Mapped[list[LearningRoute]] = relationship(secondary=agreement_in_force_routes,
                                                                order_by=LearningRoute.title)
    parties: Mapped[list[AgreementParty]] = relationship(
        back_populates="agreement", cascade="all, delete-orphan", order_by=AgreementParty.id
    )
    funding_shares: Mapped[list[FundingShare]] = relationship(
        back_populates="agreement", cascade="all, delete-orphan",
        order_by=(FundingShare.stream, FundingShare.school_year, FundingShare.position, FundingShare.id),
    )
    funding_totals: Mapped[list[FundingTotal]] = relationship(
        back_populates="agreement", cascade="all, delete-orphan",
        order_by=(FundingTotal.stream, FundingTotal.school_year),
    )
    guarantee_phases: Mapped[list[TransferGuarantee]] = relationship(
        back_populates="agreement", cascade="all, delete-orphan",
        order_by=(TransferGuarantee.from_month, TransferGuarantee.id),
    )
    versions: Mapped[list[AgreementVersion]] = relationship(
        back_populates="agreement", cascade="all, delete-orphan", order_by=AgreementVersion.number
    )
    examining_organisation: Mapped[Organisation | None] = relationship()

    __mapper_args__ = {"version_id_col": version_id}

    def party_for(self, organisation_id: int | None) -> AgreementParty | None:
        return next((p for p in self.parties if p.organisation_id == organisation_id), None)

    def __repr__(self) -> str:
        return f"<Agreement {self.id} {self.status} {self.title!r}>"
