"""Coverage is computed by SQL aggregation: the number of queries of each page
does not grow with the amount of data."""
import pytest

from tests.conftest import count_queries
from tests.factories_map import make_region_route, make_school

URLS = (
    "/kaart/", "/kaart/?profile=ZW&level=2", "/regio/AM38", "/kaart/dashboard", "/regio/",
    "/api/v1/regions.geojson", "/api/v1/routes", "/kaart/regio-export.csv", "/kaart/dashboard-export.xlsx",
)


def add_routes(count: int) -> None:
    kinds, levels = ("dlr", "glr", "leerlab"), ("1", "2", "3", "4")
    for i in range(count):
        region = ("AM38", "AM09", "AM01")[i % 3]
        school = make_school(region, profiles=("ZW", "EO"), pupils=400)
        make_region_route(region, vmbo=school, kind_code=kinds[i % 3], mbo_level_code=levels[i % 4],
                          profiles=(("ZW",), ("EO", "PIE"))[i % 2], pupils_per_cohort=10,
                          first_school_year=("2022-2023", "2024-2025")[i % 2])


def queries_of(client, url: str) -> int:
    """The number of SQL statements of one GET of `url`."""
    with count_queries() as statements:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(statements)


@pytest.mark.parametrize("url", URLS)
def test_query_count_does_not_grow_with_the_data(client, reference_data, url):
    """Both the first request after a write (which computes the aggregates) and
    the next one (which reads them kept, core/aggregates) have a fixed count."""
    add_routes(5)
    client.get(url)  # warm up (lazy first-time lookups)
    add_routes(1)
    small, small_kept = queries_of(client, url), queries_of(client, url)
    add_routes(44)
    large, large_kept = queries_of(client, url), queries_of(client, url)
    assert large == small, f"{url}: {small} queries with 6 routes, {large} with 50"
    assert large_kept == small_kept, f"{url}: {small_kept} kept queries with 6 routes, {large_kept} with 50"
    # (a patched figure reads the log of steps and the changed routes: a few statements more than a count,
    # whatever the number of routes)
    assert 4 <= small < 35, small
    assert small_kept <= small
