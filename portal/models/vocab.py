"""The official vocabularies as tables, so routes and reports can join on them."""
from __future__ import annotations

from sqlalchemy import Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db


class _Term:
    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    def __str__(self) -> str:
        return self.name


class Pathway(_Term, db.Model):
    __tablename__ = "pathways"


class Profile(_Term, db.Model):
    __tablename__ = "profiles"
    abbreviation: Mapped[str] = mapped_column(String(32), default="")
    is_tl: Mapped[bool] = mapped_column(Boolean, default=False)


class MboLevel(_Term, db.Model):
    __tablename__ = "mbo_levels"


class MboDomain(_Term, db.Model):
    __tablename__ = "mbo_domains"


class RouteKind(_Term, db.Model):
    __tablename__ = "route_kinds"
