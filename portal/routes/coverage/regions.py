"""Region pages: /regio/ lists the arbeidsmarktregio's, /regio/<code> shows a
region's coverage, gaps and trend."""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from flask import abort, current_app, get_template_attribute, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select

from portal.core.aggregates import kept
from portal.domain import coverage as rules
from portal.domain import monitoring as monitoring_rules
from portal.domain import plans as plan_rules
from portal.domain import vocab
from portal.extensions import db
from portal.models import Region
from portal.permissions import can_list_plan, can_view_plan, is_staff
from portal.routes.coverage import map_render
from portal.routes.coverage.blueprint import regions_bp as bp
from portal.routes.coverage.links import route_list_url, route_url_builder
from portal.services.coverage import figures as coverage
from portal.services.coverage import region as coverage_region
from portal.services.coverage.profiles import PROFILE_CODES, profile_coverage
from portal.services.learning_routes.filters import RouteFilters
from portal.services.monitoring.indicators import indicator_years
from portal.services.offer import queries as offer_queries
from portal.services.plans import area as plan_area
from portal.services.reference.boundaries import current_region_year
from portal.web.security import csp_nonce
from portal.web.templating import render_page_or_fragment

KIND_SHORT = {"dlr": "DLR", "glr": "GLR", "leerlab": "leerlab"}
PER_PAGE = 100  # rows per page of the region's complete lists
MAX_PAGE = 100_000  # a huge ?pagina= must not overflow the database's OFFSET


def _school_year() -> str | None:
    return RouteFilters.from_args(request.args).school_year


@bp.before_request
def _canonical_code():
    """A region code in lower case (/regio/am09) is the region: redirect
    permanently to its canonical URL (/regio/AM09), with the same arguments."""
    args = request.view_args or {}
    code = args.get("code")
    if isinstance(code, str) and code != code.upper():
        target = url_for(request.endpoint or "regions.show", **{**args, "code": code.upper()})
        query = request.query_string.decode("latin-1")
        return redirect(f"{target}?{query}" if query else target, 308)
    return None


@bp.get("/")
def index():
    selection = coverage.selection_filters(school_year=_school_year())
    year = current_region_year(db.session)
    figures = coverage.region_figures(db.session, selection, None, year)
    return render_template("regions/index.html", figures=figures, selection=selection, region_year=year,
                           staff=is_staff(current_user), route_list_url=route_list_url)


def _region(code: str) -> Region:
    year = current_region_year(db.session)
    region = db.session.scalar(select(Region).where(Region.code == code, Region.year == (year or 0)))
    if region is None:
        abort(404)
    return region


@bp.get("/<code>")
def show(code: str):
    region = _region(code)
    detail = coverage_region.region_detail(db.session, region, _school_year())
    agreements = coverage_region.agreement_figures(db.session, region, detail.filters.school_year,
                                                   detail.route_ids)
    practices = coverage_region.practices_for_region(db.session, region.code)
    profiles = [t.code for t in vocab.PROFILES]
    shown_profiles = [p for p in profiles
                      if p in detail.figures.profiles_offered or any(k[0] == p for k in detail.matrix)]
    return render_template(
        "regions/show.html", region=region, detail=detail, f=detail.figures, agreements=agreements,
        schools_with_route=sum(1 for point in detail.school_points if point[5]),
        lists=kept(db.session, ("region_lists", region.id, detail.filters.school_year, request.script_root),
                   lambda: _region_lists(detail)),
        practices=practices, plans=_plans(region),
        PLAN_STATE_NAMES=plan_rules.STATE_NAMES, shown_profiles=shown_profiles or [t.code for t in vocab.VOCATIONAL_PROFILES],
        levels=rules.MBO_LEVEL_CODES, main_kinds=rules.MAIN_KINDS,
        route_list_url=route_list_url, school_year=detail.filters.school_year,
        matrix_url=_matrix_url(region.code, detail.filters.school_year),
        heat=_heat_class, staff=is_staff(current_user), KIND_SHORT=KIND_SHORT,
        trend_points=[(y.school_year, y.routes) for y in detail.trend],
        # The map and its schools' sources: as many as the region's schools, built once per aggregates version.
        map_parts=map_render.with_nonce(kept(db.session, ("region_map", region.id, detail.filters.school_year),
                                             lambda: _region_map(region, detail)), csp_nonce()),
        profile_sources=kept(db.session, ("profile_sources", region.id, detail.filters.school_year),
                             lambda: offer_queries.profile_sources(db.session, [p[0] for p in detail.school_points])),
        offer=_profile_offer(region.code),
        region_years=indicator_years(db.session, region.year, [y.school_year for y in detail.trend]),
        indicators=monitoring_rules.INDICATORS, format_value=monitoring_rules.format_value,
    )


def _region_lists(detail) -> dict[str, Markup]:
    """The rows of the region page's three lists (up to LIST_LIMIT each: the
    schools without a route, the routes, the organisations), rendered by the
    macros the paged lists use. The same for every visitor, so rendered once
    per aggregates version, region and school year: at large scale they are
    most of the page's template (150 rows at scale 10)."""
    def macro(name: str):
        return get_template_attribute("regions/_macros.html", name)
    return {"schools": Markup(macro("school_items")(detail.schools_without_route)),
            "organisations": Markup(macro("organisation_rows")(detail.organisations)),
            "routes": Markup(macro("route_rows")(detail.routes, route_url_builder()))}


def _plans(region: Region) -> list[tuple[object, bool]]:
    """The regioplannen whose area overlaps the region that this user may see
    listed, each with whether the user may open it."""
    return [(plan, can_view_plan(current_user, plan)) for plan in plan_area.plans_covering(db.session, region)
            if can_list_plan(current_user, plan)]


@dataclass
class RegionOffer:
    """The region's "profielaanbod" (issue 16): the distribution and small profielen of its vestigingen, and
    the profielen no vestiging in the region offers."""
    school_year: str
    sources: list[str]
    distribution: object
    small: object
    small_rows: list
    not_offered: list[str]


def _profile_offer(code: str) -> RegionOffer | None:
    cov = profile_coverage(db.session, None)
    if not cov.schools:
        return None
    offered = set().union(*(cov.offer.get(s.vestigingscode, set()) for s in cov.schools if s.region == code))
    return RegionOffer(cov.school_year, cov.sources, cov.distribution(region=code), cov.small_share_cached(None, code),
                       cov.small_rows(region=code), [p for p in PROFILE_CODES if p not in offered])


def _region_map(region: Region, detail) -> map_render.MapParts:
    """The region's own small map: the region, zoomed to, and its vmbo
    schools with or without a route of the selection (the same renderer as
    /kaart: vendored Leaflet, nonced scripts, data in JSON blocks)."""
    folium_map = map_render.build_region_map(
        code=region.code, name=region.name, geometry=region.geometry, schools=detail.school_points,
        route_list_pattern=route_list_url(organisation="987654321", status="actief",
                                          school_year=detail.filters.school_year).replace("987654321", "{}"),
        tile_url=current_app.config.get("MAP_TILE_URL"),
        tile_attribution=current_app.config.get("MAP_TILE_ATTRIBUTION") or "")
    return map_render.render_kept_parts(folium_map)


@dataclass
class Page:
    rows: list
    total: int
    number: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _page_number() -> int:
    number = request.args.get("pagina", 1, type=int) or 1
    return min(max(number, 1), MAX_PAGE)


def _list_page(code: str, load, page_template: str, fragment: str):
    """One page of one of the region's complete lists (the region page shows
    their first rows): a page, or its fragment for htmx; 404 past the end."""
    region = _region(code)
    filters, route_ids = coverage_region.region_selection(region, _school_year())
    number = _page_number()
    rows, total = load(region, route_ids, limit=PER_PAGE, offset=(number - 1) * PER_PAGE)
    if not rows and number > 1:
        abort(404)
    return render_page_or_fragment(page_template, fragment, region=region, school_year=filters.school_year,
                                   listing=Page(rows, total, number, PER_PAGE))


@bp.get("/<code>/organisaties")
def organisations(code: str):
    def load(_region, route_ids, **page):
        return coverage_region.region_organisations(db.session, route_ids, **page)
    return _list_page(code, load, "regions/organisations.html", "regions/_organisations.html")


@bp.get("/<code>/scholen-zonder-route")
def schools_without_route(code: str):
    def load(region, route_ids, **page):
        return coverage_region.region_schools_without_route(db.session, region, route_ids, **page)
    return _list_page(code, load, "regions/schools_without_route.html", "regions/_schools_without_route.html")


def _matrix_url(region_code: str, school_year: str):
    """The route list of a matrix cell (profiel, niveau): url_for once for
    the page's 60-odd cells, the cell's arguments appended."""
    base = route_list_url(region=region_code, status="actief", school_year=school_year)
    return lambda profile, level: f"{base}&{urlencode({'profile': profile, 'level': level})}"


def _heat_class(count: int) -> str:
    if count <= 0:
        return "heat0"
    return "heat" + str(min(4, 1 + (count >= 2) + (count >= 4) + (count >= 8)))
