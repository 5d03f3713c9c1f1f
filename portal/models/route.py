"""Leerroutes: DLR, GLR, leerlab and the experiment-era routes."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.domain import routes as rules
from portal.extensions import db
from portal.models.base import TimestampMixin, one_of
from portal.models.extras import register
from portal.models.mbo_location import MboLocation
from portal.models.organisation import Organisation
from portal.models.vocab import MboDomain, MboLevel, Pathway, Profile, RouteKind

route_pathways = Table(
    "route_pathways",
    db.metadata,
    Column("route_id", ForeignKey("learning_routes.id", ondelete="CASCADE"), primary_key=True),
    Column("pathway_code", ForeignKey("pathways.code"), primary_key=True),
)

route_profiles = Table(
    "route_profiles",
    db.metadata,
    Column("route_id", ForeignKey("learning_routes.id", ondelete="CASCADE"), primary_key=True),
    Column("profile_code", ForeignKey("profiles.code"), primary_key=True, index=True),
)


class RouteParty(db.Model):
    """An organisation taking part in a route, as vmbo, mbo or employer party."""

    __tablename__ = "route_parties"
    __table_args__ = (
        UniqueConstraint("route_id", "organisation_id"),
        one_of("role", rules.PARTY_ROLES, name="role"),
        # Registration in DUO's register (RIO) is the vmbo school's: only vmbo
        # parties carry it, and a date or code only with a registration.
        CheckConstraint("role = 'vmbo' OR NOT rio_registered", name="rio_vmbo_only"),
        CheckConstraint("rio_registered OR (rio_registered_on IS NULL AND rio_code IS NULL)",
                        name="rio_details_when_registered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    route_id: Mapped[int] = mapped_column(ForeignKey("learning_routes.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    # The mbo location where the route is taught (mbo parties only; optional).
    mbo_location_id: Mapped[int | None] = mapped_column(ForeignKey("mbo_locations.id"), index=True)
    # Registered with DUO (RIO) by this vmbo school: yes/no, the date, the RIO code if known.
    rio_registered: Mapped[bool] = mapped_column(Boolean, default=False)
    rio_registered_on: Mapped[date | None] = mapped_column(Date)
    rio_code: Mapped[str | None] = mapped_column(String(40))

    route: Mapped[LearningRoute] = relationship(back_populates="parties")
    organisation: Mapped[Organisation] = relationship()
    mbo_location: Mapped[MboLocation | None] = relationship()


class LearningRoute(TimestampMixin, db.Model):
    __tablename__ = "learning_routes"
    __table_args__ = (
        one_of("status", rules.STATUSES, name="status"),
        one_of("teaching_location", rules.TEACHING_LOCATIONS, name="teaching_location"),
        CheckConstraint("pupils_per_cohort IS NULL OR pupils_per_cohort >= 0", name="pupils"),
        CheckConstraint(
            "last_school_year IS NULL OR last_school_year >= first_school_year", name="years"
        ),
        # Covering index of the list's filters and facet counts (route_list.list_counts):
        # visible routes by the four simple facets without reading the table rows.
        Index("ix_learning_routes_facets", "archived_at", "kind_code", "mbo_level_code", "status",
              "mbo_domain_code"),
        # The list's default order (route_list.SORTS["titel"]) among the routes not archived:
        # a page of 25 reads 25 entries in index order, not all routes sorted.
        Index("ix_learning_routes_title_order", "archived_at", text("lower(title)"), "id"),
        # PostgreSQL only (see create_title_order_index): the visible routes in title order.
        Index("ix_learning_routes_title_order_visible", text("lower(title)"), "id",
              postgresql_where=text("archived_at IS NULL")).ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(255))
    kind_code: Mapped[str] = mapped_column(ForeignKey("route_kinds.code"), index=True)
    mbo_level_code: Mapped[str | None] = mapped_column(ForeignKey("mbo_levels.code"), index=True)
    mbo_domain_code: Mapped[str | None] = mapped_column(ForeignKey("mbo_domains.code"), index=True)
    crebo: Mapped[str | None] = mapped_column(String(5))
    qualification_name: Mapped[str | None] = mapped_column(String(255))
    teaching_location: Mapped[str] = mapped_column(String(8), default="beide")
    first_school_year: Mapped[str] = mapped_column(String(9), index=True)
    last_school_year: Mapped[str | None] = mapped_column(String(9))
    status: Mapped[str] = mapped_column(String(16), default="concept", index=True)
    pupils_per_cohort: Mapped[int | None] = mapped_column(Integer)
    contact_name: Mapped[str | None] = mapped_column(String(255))
    contact_email: Mapped[str | None] = mapped_column(String(255))
    contact_phone: Mapped[str | None] = mapped_column(String(64))
    description: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    archived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    version_id: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    kind: Mapped[RouteKind] = relationship()
    mbo_level: Mapped[MboLevel | None] = relationship()
    mbo_domain: Mapped[MboDomain | None] = relationship()
    parties: Mapped[list[RouteParty]] = relationship(
        back_populates="route", cascade="all, delete-orphan", order_by=RouteParty.id
    )
    pathways: Mapped[list[Pathway]] = relationship(secondary=route_pathways, order_by=Pathway.sort_order)
    profiles: Mapped[list[Profile]] = relationship(secondary=route_profiles, order_by=Profile.sort_order)

    __mapper_args__ = {"version_id_col": version_id}

    def organisations(self, role: str) -> list[Organisation]:
        return [p.organisation for p in self.parties if p.role == role]

    def __repr__(self) -> str:
        return f"<LearningRoute {self.id} {self.kind_code} {self.title!r}>"


def create_title_order_index(bind, dialect: str) -> None:
    """The expression index of ix_learning_routes_title_order: Alembic's
    autogenerate leaves expression indexes out of the migration.

    PostgreSQL does not take `archived_at IS NULL` as fixing the index's first
    column, so that index gives it no order for the list: it read every visible
    route and sorted them (5 ms at scale 3, growing with the country). A partial
    index of the visible routes in title order does (25 entries for a page).
    Not on SQLite, which already walks the first index, and whose choice between
    the filters' and the order's index (route_list._FEW_TO_SORT) another
    candidate would upset."""
    bind.exec_driver_sql(
        "CREATE INDEX IF NOT EXISTS ix_learning_routes_title_order ON learning_routes (archived_at, lower(title), id)")
    if dialect == "postgresql":
        bind.exec_driver_sql(
            "CREATE INDEX IF NOT EXISTS ix_learning_routes_title_order_visible ON learning_routes (lower(title), id) "
            "WHERE archived_at IS NULL")


register(create_title_order_index)
