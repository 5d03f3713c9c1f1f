"""Good practices (goede voorbeelden) in the library, with their themes, tags,
attachments and links to regions, organisations, routes, domains and levels."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.domain import practices as rules
from portal.domain import vocab
from portal.extensions import db
from portal.models.base import StoredFileMixin, TimestampMixin, one_of
from portal.models.organisation import Organisation
from portal.models.region import Region
from portal.models.route import LearningRoute
from portal.models.user import User
from portal.models.vocab import MboDomain, MboLevel


def _link(name: str, column: str, target: str) -> Table:
    return Table(
        name, db.metadata,
        Column("practice_id", ForeignKey("good_practices.id", ondelete="CASCADE"), primary_key=True),
        Column(column, ForeignKey(target, ondelete="CASCADE"), primary_key=True, index=True),
    )


practice_regions = _link("practice_regions", "region_id", "regions.id")
practice_organisations = _link("practice_organisations", "organisation_id", "organisations.id")
practice_routes = _link("practice_routes", "route_id", "learning_routes.id")
practice_domains = _link("practice_domains", "domain_code", "mbo_domains.code")
practice_levels = _link("practice_levels", "level_code", "mbo_levels.code")


class PracticeTheme(db.Model):
    """A theme from the controlled list (portal.domain.practices.THEMES)."""

    __tablename__ = "practice_themes"

    practice_id: Mapped[int] = mapped_column(
        ForeignKey("good_practices.id", ondelete="CASCADE"), primary_key=True)
    theme_code: Mapped[str] = mapped_column(String(32), primary_key=True, index=True)


class PracticeTag(db.Model):
    """A free tag (lower-cased)."""

    __tablename__ = "practice_tags"

    practice_id: Mapped[int] = mapped_column(
        ForeignKey("good_practices.id", ondelete="CASCADE"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)


class PracticeFacetKey(db.Model):
    """Search support, written by the index sync: one row per facet value of a
    practice ("thema:lob", "regio:AM12", "niveau:2", "domein:ZW"), so the
    library counts all facets with one GROUP BY."""

    __tablename__ = "practice_facet_keys"
    __table_args__ = (Index("ix_practice_facet_keys_key", "key", "practice_id"),)

    practice_id: Mapped[int] = mapped_column(
        ForeignKey("good_practices.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(40), primary_key=True)


class PracticeAttachment(StoredFileMixin, db.Model):
    """A PDF or image of a practice."""

    __tablename__ = "practice_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(
        ForeignKey("good_practices.id", ondelete="CASCADE"), index=True)

    practice: Mapped[GoodPractice] = relationship(back_populates="attachments")


class GoodPractice(TimestampMixin, db.Model):
    __tablename__ = "good_practices"
    __table_args__ = (
        one_of("status", vocab.codes_in_order(rules.STATUSES), name="status"),
        CheckConstraint(
            "status <> 'gepubliceerd' OR published_at IS NOT NULL", name="published_at"
        ),
        # The library's filter and default order, answered from the index alone.
        Index("ix_good_practices_listing", "status", "archived_at", "published_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The long texts go last in the row: SQLite then reads the short columns
    # (status, dates) without walking a body's overflow pages.
    title: Mapped[str] = mapped_column(String(200), sort_order=90)
    summary: Mapped[str] = mapped_column(String(500), sort_order=91)
    body: Mapped[str] = mapped_column(Text, default="", sort_order=92)
    status: Mapped[str] = mapped_column(String(16), default="concept", index=True)
    # Where the example comes from, e.g. a Kamerbrief (named in the demo data).
    source: Mapped[str | None] = mapped_column(String(255))
    contact_name: Mapped[str | None] = mapped_column(String(255))
    contact_email: Mapped[str | None] = mapped_column(String(255))
    moderation_reason: Mapped[str | None] = mapped_column(Text, sort_order=93)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    moderated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    archived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    version_id: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    moderated_by: Mapped[User | None] = relationship(foreign_keys=[moderated_by_id])
    themes: Mapped[list[PracticeTheme]] = relationship(
        cascade="all, delete-orphan", order_by=PracticeTheme.theme_code)
    tags: Mapped[list[PracticeTag]] = relationship(cascade="all, delete-orphan", order_by=PracticeTag.tag)
    attachments: Mapped[list[PracticeAttachment]] = relationship(
        back_populates="practice", cascade="all, delete-orphan", order_by=PracticeAttachment.id)
    regions: Mapped[list[Region]] = relationship(secondary=practice_regions, order_by=Region.name)
    organisations: Mapped[list[Organisation]] = relationship(
        secondary=practice_organisations, order_by=Organisation.name)
    routes: Mapped[list[LearningRoute]] = relationship(secondary=practice_routes, order_by=LearningRoute.title)
    domains: Mapped[list[MboDomain]] = relationship(secondary=practice_domains, order_by=MboDomain.sort_order)
    levels: Mapped[list[MboLevel]] = relationship(secondary=practice_levels, order_by=MboLevel.sort_order)

    __mapper_args__ = {"version_id_col": version_id}

    @property
    def theme_codes(self) -> list[str]:
        return [t.theme_code for t in self.themes]

    @property
    def tag_names(self) -> list[str]:
        return [t.tag for t in self.tags]

    @property
    def is_published(self) -> bool:
        return self.status == "gepubliceerd" and self.archived_at is None

    def __repr__(self) -> str:
        return f"<GoodPractice {self.id} {self.status} {self.title!r}>"
