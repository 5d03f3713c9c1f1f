"""The OpenAPI paths and schemas of /api/v1/coverage/profiles and /api/v1/coverage/exam-candidates
(issue 16)."""
from __future__ import annotations

from portal.domain.offer import EXAM_SECTORS
from portal.domain.vocab import VOCATIONAL_PROFILES

PROFILE_ENUM = sorted(t.code for t in VOCATIONAL_PROFILES)
NULLABLE_NUMBER = {"type": "number", "nullable": True}
NULLABLE_STRING = {"type": "string", "nullable": True}


def _parameters(school_years: list[str]) -> list[dict]:
    return [
        {"name": "level", "in": "query", "required": False, "description": "Per gemeente, provincie of regio.",
         "schema": {"type": "string", "enum": ["gemeente", "provincie", "regio"], "default": "gemeente"}},
        {"name": "school_year", "in": "query", "required": False,
         "description": "Schooljaar: de nieuwste gegevens van dat jaar of ervoor (standaard de nieuwste); "
                        "sources zegt van wanneer ze zijn.",
         "schema": {"type": "string", "enum": school_years}},
        {"name": "profile", "in": "query", "required": False,
         "description": "Eén beroepsgericht profiel; zonder: alle tien.",
         "schema": {"type": "string", "enum": PROFILE_ENUM}},
    ]


def paths(error_response, school_years: list[str]) -> dict:
    def operation(operation_id: str, summary: str, media: str, schema: str) -> dict:
        return {"get": {
            "operationId": operation_id, "summary": summary, "parameters": _parameters(school_years),
            "responses": {"200": {"description": "De dekking per gebied.",
                                  "content": {media: {"schema": {"$ref": f"#/components/schemas/{schema}"}}}},
                          "400": error_response("Ongeldige parameter.")}}}
    return {
        "/coverage/profiles": operation("getProfileCoverage", "Landelijke dekking van de profielen per gebied",
                                        "application/json", "ProfileCoverage"),
        "/coverage/profiles.geojson": operation("getProfileCoverageGeojson",
                                                "Landelijke dekking van de profielen per gebied (GeoJSON)",
                                                "application/geo+json", "ProfileCoverageCollection"),
        "/coverage/exam-candidates": {"get": {
            "operationId": "getExamCandidates",
            "summary": "Examenkandidaten vmbo per leerweg en sector per schooljaar (DUO)",
            "parameters": [{"name": "region", "in": "query", "required": False,
                            "description": "Een arbeidsmarktregio (code, bijvoorbeeld AM22); zonder: heel Nederland.",
                            "schema": {"type": "string", "pattern": "^AM[0-9]{2}$"}}],
            "responses": {"200": {"description": "Examenkandidaten per leerweg en sector.",
                                  "content": {"application/json": {"schema": {
                                      "$ref": "#/components/schemas/ExamCandidates"}}}},
                          "400": error_response("Ongeldige parameter.")}}},
    }


def schemas() -> dict:
    count = {"type": "integer", "minimum": 0}
    value = {"type": "object", "additionalProperties": False, "properties": {
        "state": {"type": "string", "enum": ["aangeboden", "niet_aangeboden", "geen_aanbod"]},
        "schools_offering": count, "nearest_km": NULLABLE_NUMBER,
        "areas_offering": count, "areas_with_offer": count, "share": NULLABLE_NUMBER}}
    area = {"type": "object", "additionalProperties": False, "required": ["code", "name", "profiles"],
            "properties": {"code": {"type": "string"}, "name": {"type": "string"}, "province": NULLABLE_STRING,
                           "region": NULLABLE_STRING, "vestigingen": count, "one_profile_share": NULLABLE_NUMBER,
                           "profiles": {"type": "object", "additionalProperties": {"$ref": "#/components/schemas/"
                                                                                           "ProfileCoverageValue"}}}}
    meta = {"level": {"type": "string", "enum": ["gemeente", "provincie", "regio"]},
            "school_year": NULLABLE_STRING, "sources": {"type": "array", "items": {"type": "string"}},
            "definitions": {"type": "object", "additionalProperties": {"type": "string"}}}
    exams = {"type": "object", "additionalProperties": False,
             "required": ["region", "region_name", "school_years", "source", "definitions", "items"],
             "properties": {
                 "region": NULLABLE_STRING, "region_name": NULLABLE_STRING,
                 "school_years": {"type": "array", "items": {"type": "string"}}, "source": {"type": "string"},
                 "definitions": {"type": "object", "additionalProperties": {"type": "string"}},
                 "items": {"type": "array", "items": {
                     "type": "object", "additionalProperties": False,
                     "required": ["pathway", "sector", "sector_name", "candidates"],
                     "properties": {"pathway": {"type": "string", "enum": ["BB", "KB", "GL", "TL"]},
                                    "sector": {"type": "string", "enum": [code for code, _ in EXAM_SECTORS]},
                                    "sector_name": {"type": "string"},
                                    "candidates": {"type": "object", "additionalProperties": {
                                        "type": "integer", "minimum": 0, "nullable": True}}}}}}}
    return {
        "ExamCandidates": exams,
        "ProfileCoverageValue": value,
        "ProfileCoverageArea": area,
        "ProfileCoverage": {"type": "object", "additionalProperties": False,
                            "required": ["level", "school_year", "sources", "definitions", "items"],
                            "properties": {**meta, "items": {"type": "array", "items": {
                                "$ref": "#/components/schemas/ProfileCoverageArea"}}}},
        "ProfileCoverageCollection": {
            "type": "object", "additionalProperties": False,
            "required": ["type", "level", "school_year", "sources", "definitions", "features"],
            "properties": {**meta, "type": {"type": "string", "enum": ["FeatureCollection"]}, "features": {
                "type": "array", "items": {
                    "type": "object", "required": ["type", "id", "properties", "geometry"],
                    "properties": {"type": {"type": "string", "enum": ["Feature"]}, "id": {"type": "string"},
                                   "properties": {"$ref": "#/components/schemas/ProfileCoverageArea"},
                                   "geometry": {"type": "object", "nullable": True}}}}}},
    }
