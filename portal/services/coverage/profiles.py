"""The landelijke dekking of the profielen (issue 16): every figure of /dekking,
computed once per data version and school year from the profielaanbod.

Per vmbo vestiging the offer of a school year is the newest DUO figure of that
year or before, or the school's own statement when that is as new or newer
(the same rule as services/reference/offer_basis). DUO's rows are keyed by
vestigingscode, so vestigingen that closed since (absent from the current school
list) still count in the national distribution of their year, but have no
gemeente to be drawn in.
"""
from __future__ import annotations

import threading
from collections import OrderedDict, defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from flask import current_app, has_app_context
from jinja2.utils import htmlsafe_json_dumps
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.core.aggregates import kept
from portal.core.geometry import compact_geometry_text
from portal.domain import profile_coverage as pc
from portal.domain.vocab import VOCATIONAL_PROFILES
from portal.models import (
    Municipality,
    MunicipalityRegion,
    OfferProfileFigure,
    OfferStatement,
    Organisation,
    Province,
    Region,
)
from portal.services.reference.boundaries import current_region_year

DUO_SOURCE = "DUO, leerlingen vo per vestiging naar onderwijstype, 1 oktober {year}"
EXAM_SOURCE = "DUO, examenkandidaten en geslaagden vmbo, schooljaren {first} tot en met {last}"
PROFILE_CODES = tuple(t.code for t in VOCATIONAL_PROFILES)


@dataclass(frozen=True)
class School:
    id: int | None
    vestigingscode: str
    name: str
    city: str | None
    municipality: str | None
    province: str | None
    region: str | None
    lat: float | None
    lon: float | None
    rows: tuple[pc.OfferRow, ...]
    source: str  # "duo" or "school"
    school_year: str


@dataclass(frozen=True)
class SchoolOffer:
    """One vestiging's profielen with its pupils, and per profiel it does not offer the nearest that do."""
    school: School
    rows: list[pc.OfferRow]
    nearest_elsewhere: dict[str, list[tuple[School, float]]]


@dataclass(frozen=True)
class Area:
    code: str
    name: str
    province: str | None
    region: str | None
    lat: float | None
    lon: float | None
    geometry: str | None


@dataclass
class ProfileCoverage:
    school_year: str
    data_years: list[str]
    schools: list[School]
    municipalities: dict[str, Area]
    provinces: dict[str, tuple[str, str | None]]  # code -> (name, geometry)
    regions: dict[str, str]  # code -> name
    offer: dict[str, set[str]]  # vestigingscode -> beroepsgerichte profielen
    area_profiles: dict[str, set[str]]  # gemeente -> profielen
    unplaced: int  # vestigingen with an offer but no gemeente in the current school list
    from_statement: int  # vestigingen whose offer is the school's own statement
    _nearest: dict[str, dict[str, pc.Nearest]] = field(default_factory=dict)  # profiel -> gemeente -> nearest

    # --- the figures -----------------------------------------------------------------

    def distribution(self, *, province: str | None = None, region: str | None = None) -> pc.Distribution:
        return pc.distribution({s.vestigingscode: self.offer[s.vestigingscode] for s in self._scope(province, region)
                                if s.vestigingscode in self.offer})

    def _scope(self, province: str | None, region: str | None) -> list[School]:
        return [s for s in self.schools
                if (province is None or s.province == province) and (region is None or s.region == region)]

    def profile_share(self, profile: str, *, province: str | None = None, region: str | None = None) -> pc.Share:
        areas = [a.code for a in self.municipalities.values()
                 if (province is None or a.province == province) and (region is None or a.region == region)]
        return pc.profile_share(self.area_profiles, profile, areas)

    def area_state(self, municipality: str, profile: str) -> str:
        return pc.area_state(self.area_profiles, municipality, profile)

    def province_matrix(self) -> dict[str, dict[str, int]]:
        matrix = pc.count_matrix(self.offer, {s.vestigingscode: s.province for s in self.schools})
        for code in self.provinces:
            matrix.setdefault(code, {p: 0 for p in PROFILE_CODES})
        return matrix

    def schools_offering(self, profile: str, *, province: str | None = None, region: str | None = None,
                         municipality: str | None = None) -> list[School]:
        return sorted((s for s in self._scope(province, region)
                       if profile in self.offer.get(s.vestigingscode, ())
                       and (municipality is None or s.municipality == municipality)),
                      key=lambda s: (s.name, s.vestigingscode))

    def count_offering(self, profile: str, *, province: str | None = None, region: str | None = None,
                       municipality: str | None = None) -> int:
        """How many vestigingen offer `profile` in one area (or nationally), from counts made once."""
        scope = ("gemeente", municipality) if municipality else ("provincie", province) if province else \
            ("regio", region) if region else ("nederland", None)
        return self._offering_counts.get((*scope, profile), 0)

    @cached_property
    def _offering_counts(self) -> dict[tuple, int]:
        counts: dict[tuple, int] = defaultdict(int)
        for school in self.schools:
            for profile in self.offer.get(school.vestigingscode, ()):
                counts[("nederland", None, profile)] += 1
                for kind, code in (("gemeente", school.municipality), ("provincie", school.province),
                                   ("regio", school.region)):
                    if code:
                        counts[(kind, code, profile)] += 1
        return dict(counts)

    def small_rows(self, *, province: str | None = None, region: str | None = None) -> list[tuple[School, pc.OfferRow]]:
        key = ("small_rows", province, region)
        if key not in self._shares:
            self._shares[key] = [(s, row) for s in self._scope(province, region) for row in s.rows if pc.is_small(row)]
        return self._shares[key]

    def small_share(self, *, province: str | None = None, region: str | None = None) -> pc.Share:
        return pc.small_share(row for s in self._scope(province, region) for row in s.rows)

    def far_from(self, profile: str, threshold_km: float, *, region: str | None = None
                 ) -> list[tuple[Area, pc.Nearest]]:
        nearest = self.nearest(profile)
        keep = {code: n for code, n in nearest.items() if region is None or self.municipalities[code].region == region}
        return [(self.municipalities[code], keep[code]) for code, _ in pc.beyond(keep, threshold_km)]

    def nearest(self, profile: str) -> dict[str, pc.Nearest]:
        """Per gemeente the nearest vestiging offering `profile`: computed on first use, then kept with
        this coverage (a page shows one profiel; the API may ask all ten)."""
        if profile not in self._nearest:
            centres = {a.code: (a.lat, a.lon) for a in self.municipalities.values()
                       if a.lat is not None and a.lon is not None}
            offering = [(s.vestigingscode, s.lat, s.lon) for s in self.schools
                        if profile in self.offer.get(s.vestigingscode, ()) and s.lat is not None and s.lon is not None]
            self._nearest[profile] = pc.nearest_per_area(centres, offering)  # type: ignore[arg-type]
        return self._nearest[profile]

    def nearest_schools(self, vestigingscode: str, profile: str, limit: int = 3) -> list[tuple[School, float]]:
        """The vestigingen nearest to this one that offer `profile`: where its pupils could go, and whom to
        ask about the "afstemming van het profielenaanbod" (the 2025 letter)."""
        school = self.school(vestigingscode)
        if school is None or school.lat is None or school.lon is None:
            return []
        found = [(other, pc.distance_km(school.lat, school.lon, other.lat, other.lon)) for other in self.schools
                 if other.vestigingscode != vestigingscode and other.lat is not None and other.lon is not None
                 and profile in self.offer.get(other.vestigingscode, ())]
        return sorted(found, key=lambda item: item[1])[:limit]

    def school_offer(self, vestigingscode: str) -> SchoolOffer | None:
        school = self.school(vestigingscode)
        if school is None:
            return None
        offered = self.offer.get(vestigingscode, set())
        missing = [p for p in PROFILE_CODES if p not in offered]
        return SchoolOffer(school, sorted(school.rows, key=lambda r: (r.profile or "", r.pathway)),
                           {p: self.nearest_schools(vestigingscode, p) for p in missing})

    def school(self, vestigingscode: str) -> School | None:
        return self._schools_by_code.get(vestigingscode)

    @cached_property
    def _schools_by_code(self) -> dict[str, School]:
        return {s.vestigingscode: s for s in self.schools}

    @cached_property
    def shapes(self) -> dict[str, str]:
        """The compact GeoJSON geometry of every gemeente and provincie as JSON text (safe inside HTML),
        made once per computed coverage, not per request: the maps of every profiel share them."""
        shapes = {code: a.geometry for code, a in self.municipalities.items() if a.geometry}
        shapes.update({code: geometry for code, (_, geometry) in self.provinces.items() if geometry})
        return {code: htmlsafe_json_dumps(compact_geometry_text(text), separators=(",", ":"))
                for code, text in shapes.items()}

    def profile_share_cached(self, profile: str, province: str | None = None) -> pc.Share:
        key = (profile, province)
        if key not in self._shares:
            self._shares[key] = self.profile_share(profile, province=province)
        return self._shares[key]

    def small_share_cached(self, province: str | None = None, region: str | None = None) -> pc.Share:
        key = ("small", province, region)
        if key not in self._shares:
            self._shares[key] = self.small_share(province=province, region=region)
        return self._shares[key]

    @cached_property
    def _shares(self) -> dict:
        return {}

    @property
    def sources(self) -> list[str]:
        years = sorted({s.school_year for s in self.schools if s.source == "duo"})
        texts = [DUO_SOURCE.format(year=y[:4]) for y in years]
        if self.from_statement:
            texts.append(f"opgave van de school zelf ({self.from_statement} "
                         f"{'vestiging' if self.from_statement == 1 else 'vestigingen'}, nieuwer dan DUO)")
        return texts


# --- loading ------------------------------------------------------------------------------

def offer_years(session: Session) -> list[str]:
    """The school years of which the portal has profiel figures or statements, newest first."""
    years = set(session.scalars(select(OfferProfileFigure.school_year).distinct()))
    years |= set(session.scalars(select(OfferStatement.school_year).distinct()))
    return sorted(years, reverse=True)


def _organisations(session: Session, year: int | None):
    region = (select(MunicipalityRegion.municipality_id, Region.code.label("region"))
              .join(Region, Region.id == MunicipalityRegion.region_id)
              .where(MunicipalityRegion.year == (year or 0)).subquery())
    query = (select(Organisation.id, Organisation.vestigingscode, Organisation.name, Organisation.city,
                    Organisation.lat, Organisation.lon, Municipality.code, Province.code, region.c.region)
             .outerjoin(Municipality, Municipality.id == Organisation.municipality_id)
             .outerjoin(Province, Province.id == Municipality.province_id)
             .outerjoin(region, region.c.municipality_id == Municipality.id)
             .where(Organisation.kind == "vmbo", Organisation.vestigingscode.is_not(None)))
    return {row[1]: row for row in session.execute(query)}


def _duo_rows(session: Session, school_year: str) -> tuple[dict[str, str], dict[str, list[pc.OfferRow]]]:
    """Per vestigingscode, its newest DUO year up to `school_year`, and that year's rows."""
    newest: dict[str, str] = dict(session.execute(
        select(OfferProfileFigure.vestigingscode, func.max(OfferProfileFigure.school_year))
        .where(OfferProfileFigure.school_year <= school_year).group_by(OfferProfileFigure.vestigingscode)).tuples().all())
    rows: dict[str, list[pc.OfferRow]] = defaultdict(list)
    query = select(OfferProfileFigure.vestigingscode, OfferProfileFigure.school_year, OfferProfileFigure.pathway_code,
                   OfferProfileFigure.profile_code, OfferProfileFigure.pupils_year3, OfferProfileFigure.pupils_year4
                   ).where(OfferProfileFigure.school_year <= school_year)
    for code, year, pathway, profile, y3, y4 in session.execute(query):
        if newest.get(code) == year:
            rows[code].append(pc.OfferRow(code, pathway, profile, y3, y4))
    return newest, rows


def _statements(session: Session, school_year: str) -> dict[int, OfferStatement]:
    query = (select(OfferStatement).where(OfferStatement.school_year <= school_year)
             .order_by(OfferStatement.school_year))
    return {s.organisation_id: s for s in session.scalars(query)}


def _statement_rows(code: str, statement: OfferStatement) -> tuple[pc.OfferRow, ...]:
    pathways = [p.code for p in statement.pathways] or ["BB"]
    return tuple(pc.OfferRow(code, pathway, profile.code, None, None)
                 for profile in statement.profiles for pathway in pathways
                 if (pathway == "TL") == profile.code.startswith("TL-"))


def compute(session: Session, school_year: str | None = None) -> ProfileCoverage:
    years = offer_years(session)
    school_year = school_year or (years[0] if years else "")
    region_year = current_region_year(session)
    organisations = _organisations(session, region_year)
    newest, duo = _duo_rows(session, school_year)
    statements = _statements(session, school_year)
    schools: list[School] = []
    from_statement = 0
    for code in sorted(set(newest) | {org[1] for org in organisations.values() if org[0] in statements}):
        org = organisations.get(code)
        statement = statements.get(org[0]) if org else None
        if statement is not None and statement.school_year >= newest.get(code, ""):
            rows, source, year = _statement_rows(code, statement), "school", statement.school_year
            from_statement += 1
        else:
            rows, source, year = tuple(duo.get(code, ())), "duo", newest[code]
        if org is None:
            schools.append(School(None, code, code, None, None, None, None, None, None, rows, source, year))
        else:
            org_id, _, name, city, lat, lon, municipality, province, region = org
            schools.append(School(org_id, code, name, city, municipality, province, region, lat, lon, rows, source,
                                  year))
    offer = pc.vocational_offer(row for s in schools for row in s.rows)
    placed = {s.vestigingscode: s.municipality for s in schools}
    municipalities = _areas(session, region_year)
    result = ProfileCoverage(
        school_year=school_year, data_years=years, schools=schools, municipalities=municipalities,
        provinces={code: (name, geometry) for code, name, geometry in
                   session.execute(select(Province.code, Province.name, Province.geometry).order_by(Province.name))},
        regions=dict(session.execute(select(Region.code, Region.name)
                                     .where(Region.year == (region_year or 0))).tuples().all()),
        offer=offer, area_profiles=pc.area_offer(offer, placed),
        unplaced=sum(1 for s in schools if s.vestigingscode in offer and not s.municipality),
        from_statement=from_statement,
    )
    return result


def _areas(session: Session, region_year: int | None) -> dict[str, Area]:
    query = (select(Municipality.code, Municipality.name, Province.code, Region.code, Municipality.label_lat,
                    Municipality.label_lon, Municipality.geometry)
             .outerjoin(Province, Province.id == Municipality.province_id)
             .outerjoin(MunicipalityRegion, (MunicipalityRegion.municipality_id == Municipality.id)
                        & (MunicipalityRegion.year == (region_year or 0)))
             .outerjoin(Region, Region.id == MunicipalityRegion.region_id)
             .order_by(Municipality.name))
    return {row[0]: Area(*row) for row in session.execute(query)}


# --- the in-process cache ------------------------------------------------------------------

_CACHE: OrderedDict[tuple, ProfileCoverage] = OrderedDict()
_LOCK = threading.Lock()
_CACHE_SIZE = 4


def _fingerprint(session: Session) -> tuple:
    """What the figures are computed from, in one cheap query: the offer rows (count, newest id and the sum
    of their pupils, which an import that changes a figure changes), the schools' own statements (each
    save raises a version) and the vmbo vestigingen that have figures (their place; each update raises their
    version). A route saved, or a school without figures added, leaves it as it was: the coverage of the
    profielen does not depend on them, so it is not computed again."""
    figures = select(OfferProfileFigure.vestigingscode)
    placed = (Organisation.kind == "vmbo") & (Organisation.vestigingscode.in_(figures)
                                              | Organisation.id.in_(select(OfferStatement.organisation_id)))
    values = [
        select(func.count(OfferProfileFigure.id)).scalar_subquery(),
        select(func.max(OfferProfileFigure.id)).scalar_subquery(),
        select(func.sum(OfferProfileFigure.pupils_year3 + OfferProfileFigure.pupils_year4)).scalar_subquery(),
        select(func.count(OfferStatement.id)).scalar_subquery(),
        select(func.sum(OfferStatement.version_id)).scalar_subquery(),
        select(func.count(Organisation.id)).where(placed).scalar_subquery(),
        select(func.sum(Organisation.version_id)).where(placed).scalar_subquery(),
    ]
    return tuple(session.execute(select(*values)).one())


def profile_coverage(session: Session, school_year: str | None) -> ProfileCoverage:
    """compute(), kept per (app, fingerprint of the offer, school year): computed once when the offer
    changes, not per request nor after every write elsewhere (a saved route)."""
    app_key = id(current_app._get_current_object()) if has_app_context() else 0  # type: ignore[attr-defined]
    # The fingerprint itself counts all offer rows: read once per aggregates version (core/aggregates).
    key = (app_key, kept(session, ("offer_fingerprint",), lambda: _fingerprint(session)), school_year)
    with _LOCK:
        hit = _CACHE.get(key)
        if hit is not None:
            _CACHE.move_to_end(key)
            return hit
    result = compute(session, school_year)
    with _LOCK:
        _CACHE[key] = result
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return result
