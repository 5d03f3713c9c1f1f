"""The organisations part of the OpenAPI document (parameters, schemas,
paths), built from the same vocabularies /api/v1/organisations validates with."""
from __future__ import annotations

import re

from portal.domain import vocab

KINDS = list(vocab.codes_in_order(vocab.ORGANISATION_KINDS))

# name -> validator (None: any value; page/per_page are checked as numbers)
ORGANISATION_PARAMS = {
    "kind": set(KINDS).__contains__,
    "region": lambda v: re.fullmatch(r"AM[0-9]{2}", v) is not None,
    "gemeente": lambda v: re.fullmatch(r"GM[0-9]{4}", v) is not None,
    "q": lambda v: len(v) <= 200 and "\x00" not in v,
    "page": None,
    "per_page": None,
}

NULLABLE_STRING = {"type": "string", "nullable": True}


def _code_name() -> dict:
    return {"type": "object", "nullable": True, "additionalProperties": False, "required": ["code", "name"],
            "properties": {"code": {"type": "string"}, "name": {"type": "string"}}}


def organisation_schemas(max_per_page: int) -> dict:
    return {
        "OrganisationPublic": {
            "type": "object", "additionalProperties": False,
            "required": ["id", "name", "kind", "brin", "vestigingscode", "kvk_number", "city", "website",
                         "municipality", "region", "lat", "lon", "url"],
            "properties": {
                "id": {"type": "integer"}, "name": {"type": "string"},
                "kind": {"type": "string", "enum": KINDS},
                "brin": NULLABLE_STRING, "vestigingscode": NULLABLE_STRING, "kvk_number": NULLABLE_STRING,
                "city": NULLABLE_STRING, "website": NULLABLE_STRING,
                "municipality": _code_name(), "region": _code_name(),
                "lat": {"type": "number", "nullable": True}, "lon": {"type": "number", "nullable": True},
                "url": {"type": "string"},
            },
        },
        "OrganisationPage": {
            "type": "object", "additionalProperties": False,
            "required": ["page", "per_page", "total", "pages", "items"],
            "properties": {"page": {"type": "integer", "minimum": 1},
                           "per_page": {"type": "integer", "minimum": 1, "maximum": max_per_page},
                           "total": {"type": "integer", "minimum": 0}, "pages": {"type": "integer", "minimum": 1},
                           "items": {"type": "array",
                                     "items": {"$ref": "#/components/schemas/OrganisationPublic"}}},
        },
    }


def organisation_paths(paging: list[dict], error_response) -> dict:
    filters = [
        {"name": "kind", "in": "query", "required": False, "description": "Soort organisatie.",
         "schema": {"type": "string", "enum": KINDS}},
        {"name": "region", "in": "query", "required": False, "description": "Code van een arbeidsmarktregio.",
         "schema": {"type": "string", "pattern": "^AM[0-9]{2}$"}},
        {"name": "gemeente", "in": "query", "required": False, "description": "CBS-code van een gemeente.",
         "schema": {"type": "string", "pattern": "^GM[0-9]{4}$"}},
        {"name": "q", "in": "query", "required": False,
         "description": "Zoekterm: naam, plaats, BRIN, vestigingscode of KvK-nummer.",
         "schema": {"type": "string", "maxLength": 200, "pattern": "^[^\\u0000]*$"}},
    ]
    return {
        "/organisations": {"get": {
            "operationId": "getOrganisations",
            "summary": "Organisaties (openbare velden), per pagina",
            "parameters": filters + paging,
            "responses": {
                "200": {"description": "Een pagina organisaties.",
                        "content": {"application/json": {
                            "schema": {"$ref": "#/components/schemas/OrganisationPage"}}}},
                "400": error_response("Ongeldige parameter."),
            },
        }},
        "/organisations/{organisation_id}": {"get": {
            "operationId": "getOrganisation",
            "summary": "Eén organisatie (openbare velden: geen coördinatoren of e-mailadressen)",
            "parameters": [{"name": "organisation_id", "in": "path", "required": True,
                            "schema": {"type": "integer", "minimum": 0}}],
            "responses": {
                "200": {"description": "De organisatie.",
                        "content": {"application/json": {
                            "schema": {"$ref": "#/components/schemas/OrganisationPublic"}}}},
                "301": {"description": "Samengevoegd: de organisatie die bleef."},
                "400": error_response("Ongeldige parameter."),
                "404": error_response("Bestaat niet."),
            },
        }},
    }
