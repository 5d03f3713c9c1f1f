"""/api/v1: GeoJSON regions, paginated routes and an exact OpenAPI document."""
import pytest

from portal.domain.school_year import current_school_year
from tests.conftest import login_as
from tests.factories import make_user
from tests.factories_map import make_region_route, make_school


def validate(schema: dict, value, doc: dict, path: str = "$") -> None:  # noqa: C901  a small JSON-schema checker: one branch per keyword
    """A small validator for the OpenAPI 3.0 subset the document uses."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        return validate(doc["components"]["schemas"][name], value, doc, path)
    if value is None:
        assert schema.get("nullable"), f"{path}: null not allowed"
        return
    kind = schema.get("type")
    checks = {"object": dict, "array": list, "string": str, "boolean": bool}
    if kind == "integer":
        assert isinstance(value, int) and not isinstance(value, bool), f"{path}: {value!r} is no integer"
    elif kind == "number":
        assert isinstance(value, (int, float)) and not isinstance(value, bool), f"{path}: {value!r}"
    elif kind:
        assert isinstance(value, checks[kind]), f"{path}: {value!r} is no {kind}"
    if "enum" in schema:
        assert value in schema["enum"], f"{path}: {value!r} not in enum"
    if "minimum" in schema:
        assert value >= schema["minimum"], path
    if "maximum" in schema:
        assert value <= schema["maximum"], path
    if kind == "object":
        props = schema.get("properties", {})
        for key in schema.get("required", []):
            assert key in value, f"{path}: missing {key}"
        for key, item in value.items():
            if key in props:
                validate(props[key], item, doc, f"{path}.{key}")
            else:
                extra = schema.get("additionalProperties", True)
                assert extra is not False, f"{path}: unexpected {key}"
                if isinstance(extra, dict):
                    validate(extra, item, doc, f"{path}.{key}")
    if kind == "array" and "items" in schema:
        for i, item in enumerate(value):
            validate(schema["items"], item, doc, f"{path}[{i}]")


@pytest.fixture
def api_data(db_session, reference_data):
    school = make_school("AM38", name="API school", vestigingscode="99ZZ00")
    make_region_route("AM38", vmbo=school, title="API route zorg", profiles=("ZW",), mbo_level_code="2",
                      contact_email="geheim@example.org", contact_name="Geheime Naam")
    for i in range(4):
        make_region_route("AM09", title=f"API route techniek {i}", profiles=("PIE",), mbo_level_code="3",
                          kind_code="glr")
    make_region_route("AM09", title="API concept", status="concept")


@pytest.fixture
def doc(client):
    return client.get("/api/v1/openapi.json").get_json()


def response_schema(doc, path, status="200"):
    content = doc["paths"][path]["get"]["responses"][status]["content"]
    return next(iter(content.items()))


def test_openapi_document_describes_both_endpoints(doc):
    assert doc["openapi"].startswith("3.")
    assert set(doc["paths"]) == {"/regions.geojson", "/routes", "/organisations", "/organisations/{organisation_id}",
                                 "/coverage/profiles", "/coverage/profiles.geojson",
                                 "/coverage/exam-candidates"}
    params = {p["name"] for p in doc["paths"]["/routes"]["get"]["parameters"]}
    assert params == {"region", "profile", "level", "kind", "pathway", "status", "domain", "organisation",
                      "school_year", "q", "page", "per_page", "teaching_location"}
    assert doc["servers"][0]["url"].endswith("/api/v1")


def test_regions_geojson_matches_the_schema_and_counts_active_routes(client, api_data, doc):
    response = client.get("/api/v1/regions.geojson")
    assert response.status_code == 200
    media, spec = response_schema(doc, "/regions.geojson")
    assert response.mimetype == media == "application/geo+json"
    data = response.get_json(force=True)
    validate(spec["schema"], data, doc)
    props = {f["properties"]["code"]: f["properties"] for f in data["features"]}
    assert len(props) == 35
    assert props["AM38"]["active_routes"] == 1 and props["AM38"]["niveaus_covered"] == 1
    assert props["AM09"]["active_routes"] == 4 and props["AM09"]["routes_by_kind"]["glr"] == 4
    assert props["AM38"]["name"] == "FoodValley" and props["AM38"]["school_year"] == current_school_year()
    assert all(f["geometry"]["type"] in ("Polygon", "MultiPolygon") for f in data["features"])


def test_regions_geojson_filters_like_the_map(client, api_data):
    data = client.get("/api/v1/regions.geojson?profile=ZW").get_json(force=True)
    props = {f["properties"]["code"]: f["properties"] for f in data["features"]}
    assert props["AM38"]["active_routes"] == 1 and props["AM09"]["active_routes"] == 0


def test_routes_are_paginated_with_public_fields_only(client, api_data, doc):
    response = client.get("/api/v1/routes?per_page=2&q=API")
    media, spec = response_schema(doc, "/routes")
    assert response.mimetype == media
    data = response.get_json()
    validate(spec["schema"], data, doc)
    assert (data["total"], data["pages"], len(data["items"])) == (5, 3, 2)
    last = client.get("/api/v1/routes?per_page=2&page=3&q=API").get_json()
    assert len(last["items"]) == 1
    titles = {i["title"] for i in client.get("/api/v1/routes?q=API&per_page=100").get_json()["items"]}
    assert "API concept" not in titles and "API route zorg" in titles
    body = client.get("/api/v1/routes?q=zorg").get_data(as_text=True)
    assert "geheim@example.org" not in body and "Geheime Naam" not in body
    item = client.get("/api/v1/routes?q=zorg").get_json()["items"][0]
    assert item["regions"] == ["AM38"] and item["profiles"] == ["ZW"]
    assert {"name": "API school", "role": "vmbo", "vestigingscode": "99ZZ00",
            "duo_registration": {"registered": False, "registered_on": None, "rio_code": None}} in item["organisations"]


def test_routes_filters_and_permissions_are_those_of_the_ui(client, api_data):
    assert client.get("/api/v1/routes?region=AM09&level=3").get_json()["total"] == 4
    assert client.get("/api/v1/routes?status=concept&q=API").get_json()["total"] == 0
    login_as(client, make_user("staff"))
    assert client.get("/api/v1/routes?status=concept&q=API").get_json()["total"] == 1


@pytest.mark.parametrize("query", [
    "profile=XX", "region=AM1", "region=AM01%0A", "level=5", "status=weg", "school_year=2025-2027",
    "page=0", "page=abc", "per_page=101", "per_page=-1", "onbekend=1", "q=" + "x" * 201, "q=a%00b",
    "organisation=1a", "&".join(["kind=dlr"] * 51),
])
def test_invalid_parameters_are_a_documented_400(client, api_data, doc, query):
    response = client.get(f"/api/v1/routes?{query}")
    assert response.status_code == 400
    validate(doc["components"]["schemas"]["Error"], response.get_json(), doc)


def test_geojson_rejects_paging_parameters(client, api_data):
    assert client.get("/api/v1/regions.geojson?page=1").status_code == 400


def test_api_is_read_only(client, api_data):
    assert client.post("/api/v1/routes").status_code == 405
    assert client.post("/api/v1/regions.geojson").status_code == 405


def test_405_names_the_allowed_methods(client, api_data):
    response = client.open("/api/v1/routes", method="TRACE")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
