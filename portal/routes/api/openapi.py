"""The OpenAPI 3 document of /api/v1, built from the same vocabularies the
API validates against, so the schema and the behaviour cannot drift apart."""
from __future__ import annotations

import re

from portal.domain import coverage as rules
from portal.domain import route_state, vocab
from portal.domain.routes import STATUSES as ROUTE_STATUSES
from portal.domain.routes import TEACHING_LOCATIONS
from portal.domain.school_year import current_school_year, school_years_between, shift_school_year
from portal.routes.api import openapi_profiles
from portal.routes.api.openapi_organisations import organisation_paths, organisation_schemas

MAX_PER_PAGE = 100
MAX_VALUES = 50  # values per list parameter (RouteFilters keeps at most 50)
FIRST_SCHOOL_YEAR = 2010

FILTER_PARAMS = {
    "region": lambda v: re.fullmatch(r"AM[0-9]{2}", v) is not None,
    "profile": vocab.codes(vocab.PROFILES).__contains__,
    "level": vocab.codes(vocab.MBO_LEVELS).__contains__,
    "kind": vocab.codes(vocab.ROUTE_KINDS).__contains__,
    "pathway": vocab.codes(vocab.PATHWAYS).__contains__,
    "teaching_location": set(TEACHING_LOCATIONS).__contains__,
    "status": set(route_state.STATES).__contains__,
    "domain": vocab.codes(vocab.MBO_DOMAINS).__contains__,
    "organisation": lambda v: re.fullmatch(r"[0-9]{1,9}", v) is not None,
    "school_year": None,
    "q": None,
}


def school_year_values() -> list[str]:
    last = shift_school_year(current_school_year(), 5)
    return school_years_between(f"{FIRST_SCHOOL_YEAR}-{FIRST_SCHOOL_YEAR + 1}", last)


def _array(name: str, description: str, items: dict) -> dict:
    return {"name": name, "in": "query", "required": False, "description": description,
            "style": "form", "explode": True, "schema": {"type": "array", "items": items, "maxItems": MAX_VALUES}}


def _filter_parameters() -> list[dict]:
    enum = lambda terms: {"type": "string", "enum": sorted(t.code for t in terms)}  # noqa: E731
    return [
        _array("region", "Arbeidsmarktregiocode (CBS), bijvoorbeeld AM09.",
               {"type": "string", "pattern": "^AM[0-9]{2}$"}),
        _array("profile", "Vmbo-profiel.", enum(vocab.PROFILES)),
        _array("level", "Mbo-niveau (1 = Entree).", enum(vocab.MBO_LEVELS)),
        _array("kind", "Soort route.", enum(vocab.ROUTE_KINDS)),
        _array("pathway", "Leerweg.", enum(vocab.PATHWAYS)),
        _array("teaching_location", "Waar les wordt gegeven: vmbo (op de vmbo-locatie), mbo, beide.",
               {"type": "string", "enum": list(TEACHING_LOCATIONS)}),
        _array("status", "Stand van de route in het schooljaar (school_year, anders het huidige): actief = status "
               "actief en het schooljaar valt in de looptijd; afgelopen = status actief maar het laatste schooljaar "
               "is voorbij; start_later = status actief, begint later.",
               {"type": "string", "enum": list(route_state.STATES)}),
        _array("domain", "Opleidingsdomein (mbo).", enum(vocab.MBO_DOMAINS)),
        _array("organisation", "Id van een deelnemende organisatie.",
               {"type": "string", "pattern": "^[0-9]{1,9}$"}),
        {"name": "school_year", "in": "query", "required": False,
         "description": "Schooljaar waarin de route loopt.",
         "schema": {"type": "string", "enum": school_year_values()}},
        {"name": "q", "in": "query", "required": False,
         "description": "Zoekterm in titel, omschrijving, kwalificatie, crebo of organisatienaam.",
         "schema": {"type": "string", "maxLength": 200, "pattern": "^[^\\u0000]*$"}},
    ]


NULLABLE_STRING = {"type": "string", "nullable": True}
NULLABLE_NUMBER = {"type": "number", "nullable": True}


def _schemas() -> dict:
    count = {"type": "integer", "minimum": 0}
    return {
        "Error": {
            "type": "object", "required": ["error", "status"],
            "properties": {"error": {"type": "string"}, "status": {"type": "integer"},
                           "message": {"type": "string"},
                           "errors": {"type": "object", "additionalProperties": {"type": "string"}}},
        },
        "Organisation": {
            "type": "object", "additionalProperties": False,
            "required": ["name", "role", "vestigingscode", "duo_registration"],
            "properties": {"name": {"type": "string"},
                           "role": {"type": "string", "enum": ["vmbo", "mbo", "employer"]},
                           "vestigingscode": NULLABLE_STRING,
                           "duo_registration": {
                               "type": "object", "nullable": True, "additionalProperties": False,
                               "description": "Registratie van de route bij DUO (RIO) door deze vmbo-school; "
                                              "null voor mbo-partijen en bedrijven.",
                               "required": ["registered", "registered_on", "rio_code"],
                               "properties": {"registered": {"type": "boolean"},
                                              "registered_on": {"type": "string", "format": "date",
                                                                "nullable": True},
                                              "rio_code": NULLABLE_STRING}}},
        },
        "Route": {
            "type": "object", "additionalProperties": False,
            "required": ["id", "title", "kind", "status", "state", "mbo_level", "mbo_domain", "crebo",
                         "qualification_name", "teaching_location", "first_school_year", "last_school_year",
                         "pupils_per_cohort", "description", "profiles", "pathways", "regions",
                         "organisations", "url"],
            "properties": {
                "id": {"type": "integer"}, "title": {"type": "string"},
                "kind": {"type": "string", "enum": sorted(t.code for t in vocab.ROUTE_KINDS)},
                "status": {"type": "string", "enum": list(ROUTE_STATUSES)},
                "state": {"type": "string", "enum": list(route_state.STATES),
                          "description": "Stand in het huidige schooljaar (actief, afgelopen, ...)."},
                "mbo_level": {"type": "string", "nullable": True,
                              "enum": [t.code for t in vocab.MBO_LEVELS] + [None]},
                "mbo_domain": NULLABLE_STRING, "crebo": NULLABLE_STRING,
                "qualification_name": NULLABLE_STRING,
                "teaching_location": {"type": "string", "enum": ["vmbo", "mbo", "beide"]},
                "first_school_year": {"type": "string"}, "last_school_year": NULLABLE_STRING,
                "pupils_per_cohort": {"type": "integer", "nullable": True, "minimum": 0},
                "description": NULLABLE_STRING,
                "profiles": {"type": "array", "items": {"type": "string"}},
                "pathways": {"type": "array", "items": {"type": "string"}},
                "regions": {"type": "array", "items": {"type": "string"}},
                "organisations": {"type": "array", "items": {"$ref": "#/components/schemas/Organisation"}},
                "url": {"type": "string"},
            },
        },
        "RoutePage": {
            "type": "object", "additionalProperties": False,
            "required": ["page", "per_page", "total", "pages", "items"],
            "properties": {"page": {"type": "integer", "minimum": 1},
                           "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
                           "total": count, "pages": {"type": "integer", "minimum": 1},
                           "items": {"type": "array", "items": {"$ref": "#/components/schemas/Route"}}},
        },
        "RegionProperties": {
            "type": "object", "additionalProperties": False,
            "required": ["code", "name", "school_year", "active_routes", "routes_by_kind", "niveaus_covered",
                         "levels", "profile_share", "routes_per_1000_pupils", "vmbo_schools",
                         "vmbo_schools_with_route", "mbo_institutions", "pupils_in_routes"],
            "properties": {
                "code": {"type": "string"}, "name": {"type": "string"}, "school_year": {"type": "string"},
                "active_routes": count,
                "routes_by_kind": {"type": "object", "additionalProperties": False,
                                   "required": ["dlr", "glr", "leerlab", "overig"],
                                   "properties": {k: count for k in ("dlr", "glr", "leerlab", "overig")}},
                "niveaus_covered": {"type": "integer", "minimum": 0, "maximum": 4},
                "levels": {"type": "array", "items": {"type": "string", "enum": list(rules.MBO_LEVEL_CODES)}},
                "profile_share": {**NULLABLE_NUMBER, "minimum": 0, "maximum": 100},
                "routes_per_1000_pupils": {**NULLABLE_NUMBER, "minimum": 0},
                "vmbo_schools": count, "vmbo_schools_with_route": count, "mbo_institutions": count,
                "pupils_in_routes": count,
            },
        },
        "RegionFeature": {
            "type": "object", "additionalProperties": False,
            "required": ["type", "id", "properties", "geometry"],
            "properties": {
                "type": {"type": "string", "enum": ["Feature"]}, "id": {"type": "string"},
                "properties": {"$ref": "#/components/schemas/RegionProperties"},
                "geometry": {"type": "object", "nullable": True, "required": ["type", "coordinates"],
                             "properties": {"type": {"type": "string", "enum": ["Polygon", "MultiPolygon"]},
                                            "coordinates": {"type": "array"}}},
            },
        },
        "RegionCollection": {
            "type": "object", "additionalProperties": False, "required": ["type", "features"],
            "properties": {"type": {"type": "string", "enum": ["FeatureCollection"]},
                           "features": {"type": "array",
                                        "items": {"$ref": "#/components/schemas/RegionFeature"}}},
        },
    }


def _error_response(description: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def server_url(base_url: str | None, prefix: str) -> str:
    """The API's address in the document: under the configured PORTAL_BASE_URL,
    else relative to wherever the document was fetched from. Never from the
    request's Host or X-Forwarded-Host, which a client chooses."""
    return f"{base_url.rstrip('/')}{prefix}" if base_url else prefix


def openapi_document(server_url: str) -> dict:
    filters = _filter_parameters()
    paging = [
        {"name": "page", "in": "query", "required": False, "description": "Paginanummer.",
         "schema": {"type": "integer", "minimum": 1, "maximum": 100000, "default": 1}},
        {"name": "per_page", "in": "query", "required": False, "description": "Routes per pagina.",
         "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": 25}},
    ]
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Open API doorlopende leerroutes vmbo–mbo",
            "version": "1.0.0",
            "description": (
                "Alleen-lezen. Dezelfde filters en rechten als de portaalpagina's: zonder sessie zie je "
                "de openbare leerroutes. Een onbekende parameter of waarde geeft 400. "
                "regions.geojson telt standaard de actieve routes (status actief) in het huidige schooljaar."),
        },
        "servers": [{"url": server_url}],
        "paths": {
            "/regions.geojson": {"get": {
                "operationId": "getRegions",
                "summary": "Arbeidsmarktregio's met hun dekkingscijfers (GeoJSON)",
                "parameters": filters,
                "responses": {
                    "200": {"description": "De regio's van de huidige indeling.",
                            "content": {"application/geo+json": {
                                "schema": {"$ref": "#/components/schemas/RegionCollection"}}}},
                    "400": _error_response("Ongeldige parameter."),
                },
            }},
            "/routes": {"get": {
                "operationId": "getRoutes",
                "summary": "Leerroutes (openbare velden), per pagina",
                "parameters": filters + paging,
                "responses": {
                    "200": {"description": "Een pagina leerroutes.",
                            "content": {"application/json": {
                                "schema": {"$ref": "#/components/schemas/RoutePage"}}}},
                    "400": _error_response("Ongeldige parameter."),
                },
            }},
            **openapi_profiles.paths(_error_response, school_year_values()),
            **organisation_paths(paging, _error_response),
        },
        "components": {"schemas": {**_schemas(), **openapi_profiles.schemas(), **organisation_schemas(MAX_PER_PAGE)}},
    }
