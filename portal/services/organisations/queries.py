"""Reading organisations: the filtered, paged list (page, CSV and API share
it) and what one organisation's page shows, with the same visibility as the
rest of the portal (concept routes and agreements and unpublished practices
only for those who may see them)."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, selectinload

from portal.core.spreadsheets import csv_cell
from portal.domain import vocab
from portal.models import (
    Agreement,
    AgreementParty,
    GoodPractice,
    LearningRoute,
    Municipality,
    MunicipalityRegion,
    Organisation,
    OrganisationMerge,
    Region,
    RouteParty,
    User,
)
from portal.models.practice import practice_organisations
from portal.permissions import can_see_agreement, can_view_practice
from portal.services.learning_routes.filters import visibility_clause

PER_PAGE = 25
KIND_NAMES = vocab.names(vocab.ORGANISATION_KINDS)


@dataclass(frozen=True)
class OrganisationFilters:
    q: str = ""
    kind: str = ""
    region: str = ""
    gemeente: str = ""

    @classmethod
    def from_args(cls, args) -> OrganisationFilters:
        """Unknown values are dropped (the page shows everything), never an error."""
        q = (args.get("q") or "").strip()[:100].replace("\x00", "")
        kind = args.get("soort") or args.get("kind") or ""
        region = (args.get("regio") or args.get("region") or "").upper()
        gemeente = (args.get("gemeente") or "").upper()
        return cls(q=q, kind=kind if kind in KIND_NAMES else "",
                   region=region if len(region) <= 8 else "", gemeente=gemeente if len(gemeente) <= 8 else "")

    def to_args(self) -> dict[str, str]:
        out = {"q": self.q, "soort": self.kind, "regio": self.region, "gemeente": self.gemeente}
        return {k: v for k, v in out.items() if v}


@dataclass
class OrganisationPage:
    rows: list[tuple[Organisation, str | None, str | None]]  # organisation, region code, region name
    total: int
    number: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _like(q: str) -> str:
    return "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def filtered(filters: OrganisationFilters, year: int | None) -> Select:
    """Organisations with the code and name of their region in `year`'s indeling."""
    stmt = (select(Organisation, Region.code, Region.name)
            .outerjoin(MunicipalityRegion, (MunicipalityRegion.municipality_id == Organisation.municipality_id)
                       & (MunicipalityRegion.year == (year or 0)))
            .outerjoin(Region, Region.id == MunicipalityRegion.region_id))
    if filters.q:
        like, upper = _like(filters.q), filters.q.upper()
        stmt = stmt.where(or_(
            Organisation.name.ilike(like, escape="\\"), Organisation.city.ilike(like, escape="\\"),
            Organisation.brin == upper, Organisation.vestigingscode == upper,
            Organisation.kvk_number == filters.q.replace(" ", ""),
        ))
    if filters.kind:
        stmt = stmt.where(Organisation.kind == filters.kind)
    if filters.region:
        stmt = stmt.where(Region.code == filters.region)
    if filters.gemeente:
        stmt = stmt.where(Organisation.municipality_id.in_(
            select(Municipality.id).where(Municipality.code == filters.gemeente)))
    return stmt


def page_of_organisations(session: Session, filters: OrganisationFilters, year: int | None, page: int = 1,
                          per_page: int = PER_PAGE) -> OrganisationPage:
    stmt = filtered(filters, year)
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = session.execute(stmt.options(selectinload(Organisation.municipality))
                           .order_by(func.lower(Organisation.name), Organisation.id)
                           .limit(per_page).offset((page - 1) * per_page)).all()
    return OrganisationPage([(r[0], r[1], r[2]) for r in rows], total, page, per_page)


def all_filtered(session: Session, filters: OrganisationFilters, year: int | None):
    return session.execute(filtered(filters, year).options(selectinload(Organisation.municipality))
                           .order_by(func.lower(Organisation.name), Organisation.id)).all()


CSV_HEADER = ["id", "naam", "soort", "brin", "vestigingscode", "kvk_nummer", "plaats", "gemeente", "gemeentecode",
              "arbeidsmarktregio", "regiocode", "website"]


def export_csv(rows) -> bytes:
    """The filtered list as CSV (';', BOM, formula-safe cells), like the route export."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for org, region_code, region_name in rows:
        m = org.municipality
        writer.writerow([csv_cell(v) for v in (
            org.id, org.name, KIND_NAMES.get(org.kind, org.kind), org.brin, org.vestigingscode, org.kvk_number,
            org.city, m.name if m else None, m.code if m else None, region_name, region_code, org.website)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def municipality_choices(session: Session) -> list[tuple[str, str]]:
    return [(m.code, m.name) for m in session.scalars(select(Municipality).order_by(Municipality.name))]


def region_choices(session: Session, year: int | None) -> list[tuple[str, str]]:
    return [(r.code, r.name) for r in session.scalars(
        select(Region).where(Region.year == (year or 0)).order_by(Region.name))]


def merged_into(session: Session, organisation_id: int) -> int | None:
    """The organisation a removed (merged) id now belongs to, or None."""
    merge = session.get(OrganisationMerge, organisation_id)
    return merge.kept_id if merge is not None else None


@dataclass
class OrganisationDetail:
    organisation: Organisation
    region: Region | None
    routes: list[LearningRoute] = field(default_factory=list)
    agreements: list[Agreement] = field(default_factory=list)
    practices: list[GoodPractice] = field(default_factory=list)
    coordinators: list[User] = field(default_factory=list)


def organisation_detail(session: Session, org: Organisation, viewer, year: int | None, *,
                        show_coordinators: bool) -> OrganisationDetail:
    region = None
    if org.municipality_id is not None and year is not None:
        region = session.scalar(
            select(Region).join(MunicipalityRegion, MunicipalityRegion.region_id == Region.id)
            .where(MunicipalityRegion.municipality_id == org.municipality_id, MunicipalityRegion.year == year))
    routes = list(session.scalars(
        select(LearningRoute).where(
            LearningRoute.parties.any(RouteParty.organisation_id == org.id), visibility_clause(viewer))
        .order_by(func.lower(LearningRoute.title), LearningRoute.id)))
    agreements = [a for a in session.scalars(
        select(Agreement).where(Agreement.archived_at.is_(None),
                                Agreement.parties.any(AgreementParty.organisation_id == org.id))
        .options(selectinload(Agreement.parties)).order_by(Agreement.end_date.desc(), Agreement.id))
        if can_see_agreement(viewer, a)]
    practices = [p for p in session.scalars(
        select(GoodPractice).join(practice_organisations, practice_organisations.c.practice_id == GoodPractice.id)
        .where(practice_organisations.c.organisation_id == org.id, GoodPractice.archived_at.is_(None))
        .order_by(GoodPractice.title, GoodPractice.id)) if can_view_practice(viewer, p)]
    coordinators = list(session.scalars(
        select(User).where(User.organisation_id == org.id, User.role == "coordinator", User.active.is_(True))
        .order_by(User.name))) if show_coordinators else []
    return OrganisationDetail(org, region, routes, agreements, practices, coordinators)



def municipalities_by_code(session: Session, codes: list[str]) -> list[Municipality]:
    return list(session.scalars(select(Municipality).where(Municipality.code.in_(codes))))


def organisation_with_region(session: Session, organisation_id: int, year: int | None):
    """(organisation, region code, region name) of one organisation, or None."""
    stmt = filtered(OrganisationFilters(), year).where(Organisation.id == organisation_id)
    row = session.execute(stmt.options(selectinload(Organisation.municipality))).first()
    return (row[0], row[1], row[2]) if row is not None else None
