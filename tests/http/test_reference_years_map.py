"""A new year's indeling loaded through `flask geo` does not blank the map:
its figures stay those of the year in use until the new year is complete,
and /kaart and the home page say which indeling they show."""
from __future__ import annotations

import pytest

from tests.conftest import require_data_file
from tests.factories_map import make_region_route


@pytest.fixture
def routes(db_session, reference_data):
    make_region_route("AM38", title="Jaarwissel zorg", profiles=("ZW",))
    for i in range(3):
        make_region_route("AM09", title=f"Jaarwissel techniek {i}", profiles=("PIE",), kind_code="glr")


def figures(client) -> dict[str, dict]:
    response = client.get("/api/v1/regions.geojson")
    assert response.status_code == 200
    return {f["id"]: f["properties"] for f in response.get_json()["features"]}


def geo(app, *args):
    result = app.test_cli_runner().invoke(args=["geo", *map(str, args)])
    assert result.exit_code == 0, result.output
    return result


def says_year(client, year: int) -> bool:
    kaart = client.get("/kaart/").get_data(as_text=True)
    home = client.get("/").get_data(as_text=True)
    return f"Indeling arbeidsmarktregio's {year}." in kaart and f"(indeling {year})" in home


def test_new_regions_alone_leave_the_map_as_it_was_and_the_gemeenten_switch_it(app, client, routes):
    before = figures(client)
    assert before["AM38"]["active_routes"] == 1 and before["AM09"]["active_routes"] == 3
    assert says_year(client, 2025)

    geo(app, "import", require_data_file("arbeidsmarktregio_2025.geojson"), "--year", 2026)
    assert figures(client) == before
    assert says_year(client, 2025)

    geo(app, "import-municipalities", require_data_file("gemeente_arbeidsmarktregio_2025.csv"), "--year", 2026)
    assert says_year(client, 2026)
    assert figures(client) == before  # the same indeling a year on: the same figures, now from 2026


def test_activate_switches_at_once_and_the_map_shows_the_empty_year(app, client, routes):
    """The control for the test above: forced onto a year without gemeenten,
    every figure drops to 0, which is what loading regions alone used to do."""
    geo(app, "import", require_data_file("arbeidsmarktregio_2025.geojson"), "--year", 2026, "--activate")
    assert says_year(client, 2026)
    after = figures(client)
    assert len(after) == 35 and all(p["active_routes"] == 0 for p in after.values())
