"""/dekking: the landelijke dekking of the profielen (issue 16). Public: the
figures are about schools, not people. Every figure comes from one computed
ProfileCoverage (services/coverage/profiles), kept per data version."""
from __future__ import annotations

from flask import Response, abort, current_app, request, url_for

from portal.domain import profile_coverage as pc
from portal.domain.bounds import parse_whole_number
from portal.domain.offer import EXAM_SECTOR_NAMES
from portal.domain.school_year import current_school_year
from portal.extensions import db
from portal.routes.coverage import profile_maps, sector_chart
from portal.routes.coverage.blueprint import profiles_bp as bp
from portal.routes.coverage.map_render import render_parts
from portal.services.coverage import profile_tables as tables
from portal.services.coverage.profile_trends import (
    EXAM_SOURCE,
    PUPIL_SOURCE,
    exam_sector_trend,
    exam_trend,
    pupil_trend,
)
from portal.services.coverage.profiles import PROFILE_CODES, profile_coverage
from portal.web.security import csp_nonce, relax_inline_styles
from portal.web.templating import render_page_or_fragment

EXPORT_TYPES = {"csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
DEFAULT_PROFILE = "ZW"
MAX_KM = 200


class Params:
    """The page's filters from the URL; unknown values fall back to the defaults."""

    def __init__(self, args, years: list[str], provinces: dict, regions: dict):
        self.school_year = args.get("jaar") if args.get("jaar") in years else (years[0] if years else None)
        self.profile = args.get("profiel") if args.get("profiel") in PROFILE_CODES else DEFAULT_PROFILE
        self.province = args.get("provincie") if args.get("provincie") in provinces else None
        self.region = args.get("regio") if args.get("regio") in regions else None
        km = parse_whole_number(args.get("km"), low=1, high=MAX_KM) if args.get("km") else None
        self.km = float(km) if km is not None else pc.DEFAULT_DISTANCE_KM

    def args(self, **changes) -> dict[str, str]:
        values = {"jaar": self.school_year, "profiel": self.profile, "provincie": self.province,
                  "regio": self.region, "km": f"{self.km:g}"}
        values.update(changes)
        return {k: v for k, v in values.items() if v}


def _coverage(school_year: str | None = None):
    return profile_coverage(db.session, school_year)


def _state():
    first = _coverage()
    params = Params(request.args, first.data_years, first.provinces, first.regions)
    cov = first if params.school_year in (None, first.school_year) else _coverage(params.school_year)
    return cov, params


@bp.get("/")
def index():
    relax_inline_styles()
    cov, params = _state()
    profile_name = tables.PROFILE_NAMES[params.profile]
    folium_map = profile_maps.build_profile_map(
        cov, params.profile, profile_name,
        gemeente_url=url_for("dekking.schools", **params.args(gemeente="__AREA__")).replace("__AREA__", "{}"),
        province_url=url_for("dekking.schools", **params.args(provincie="__AREA__", regio=None)).replace("__AREA__", "{}"),
        tile_url=current_app.config.get("MAP_TILE_URL"),
        tile_attribution=current_app.config.get("MAP_TILE_ATTRIBUTION") or "")
    years, exams = exam_trend(db.session, params.region)
    _, exam_sectors = exam_sector_trend(db.session, params.region)
    pupil_years, pupils = pupil_trend(db.session, params.region)
    return render_page_or_fragment(
        "coverage_profiles/index.html", "coverage_profiles/_results.html",
        cov=cov, params=params, profile_name=profile_name, parts=render_parts(folium_map, csp_nonce()),
        scope_distribution=cov.distribution(province=params.province, region=params.region),
        national=cov.distribution(),
        shares=tables.profile_table(cov), matrix=tables.province_matrix_table(cov),
        matrix_codes=list(cov.provinces),
        matrix_url=url_for("dekking.schools", **params.args(provincie="__PV__", regio=None, profiel="__P__")),
        small=tables.small_table(cov, params.province, params.region),
        small_share=cov.small_share_cached(params.province, params.region),
        far=tables.distance_table(cov, params.profile, params.km, params.region),
        municipalities=tables.municipality_table(cov, params.profile),
        exam_years=years, exams=exams, pupil_years=pupil_years, pupils=pupils,
        exam_sectors=exam_sectors, exam_panels=sector_chart.panels(years, exam_sectors),
        chart=sector_chart.BOX, sector_names=EXAM_SECTOR_NAMES,
        exam_source=EXAM_SOURCE, pupil_source=PUPIL_SOURCE, definitions=pc.DEFINITIONS,
        municipality_legend=profile_maps.MUNICIPALITY_LEGEND, province_legend=profile_maps.PROVINCE_LEGEND,
        profile_names=tables.PROFILE_NAMES, profile_codes=PROFILE_CODES, percent=pc.percent,
        data_age=(int(current_school_year()[:4]) - int(cov.school_year[:4])) if cov.school_year else None,
    )


@bp.get("/vestigingen")
def schools():
    """The vestigingen that offer the chosen profiel in a provincie, region or gemeente: the cells of the matrix."""
    cov, params = _state()
    municipality = request.args.get("gemeente")
    if municipality is not None and municipality not in cov.municipalities:
        abort(404)
    rows = cov.schools_offering(params.profile, province=params.province, region=params.region,
                                municipality=municipality)
    area = (cov.municipalities[municipality].name if municipality else
            cov.provinces[params.province][0] if params.province else
            cov.regions[params.region] if params.region else "Nederland")
    return render_page_or_fragment("coverage_profiles/schools.html", "coverage_profiles/schools.html",
                                   cov=cov, params=params, rows=rows, area=area,
                                   profile_name=tables.PROFILE_NAMES[params.profile])


@bp.get("/export/<name>.<fmt>")
def export(name: str, fmt: str):
    if fmt not in EXPORT_TYPES or name not in tables.TABLES:
        abort(404)
    cov, params = _state()
    if name in tables.TREND_TABLES:
        table = tables.trend_table(db.session, name, cov.regions, params.region)
    elif name == "klein":
        table = tables.small_table(cov, params.province, params.region)
    else:
        table = tables.table(cov, name, profile=params.profile, threshold_km=params.km, region=params.region)
    filters = {"profiel": params.profile if name in ("gemeenten", "afstand") else "",
               "km": f"{params.km:g}" if name == "afstand" else "",
               "provincie": params.province or "" if name == "klein" else "",
               "regio": params.region or "" if name in ("klein", "afstand", *tables.TREND_TABLES) else ""}
    described = ", ".join(f"{k} {v}" for k, v in filters.items() if v) or (
        "Nederland en per arbeidsmarktregio" if name in tables.TREND_TABLES else "geen filters")
    header = tables.header_line(table, cov, described)
    body = tables.to_csv(table, header) if fmt == "csv" else tables.to_xlsx(table, header)
    response = Response(body, mimetype=EXPORT_TYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{tables.file_name(table, cov, filters)}.{fmt}"'
    return response
