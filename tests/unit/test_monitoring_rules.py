"""The programme's indicators and the status of a target against them (pure)."""
from __future__ import annotations

import pytest

from portal.domain import monitoring as m
from portal.domain import targets as t


def route(i=1, kind="dlr", level="2", location="beide", pathways=("BB",), regions=("AM01",), pupils=None,
          covered=False, vmbo=()):
    return m.CountedRoute(id=i, kind=kind, level=level, teaching_location=location, pathways=frozenset(pathways),
                          regions=frozenset(regions), pupils=pupils, covered=covered, vmbo_ids=frozenset(vmbo))


REGIONS = ("AM01", "AM02", "AM03")


def compute(*routes, schools=None):
    return m.compute(routes, REGIONS, schools or {})


def test_every_indicator_has_a_one_sentence_dutch_definition():
    for indicator in m.INDICATORS.values():
        assert indicator.definition.endswith(".") and indicator.definition.count(". ") == 0
        assert indicator.name and indicator.unit in (m.REGIONS, m.PUPILS, m.PERCENT)


@pytest.mark.parametrize(("kind", "counts"), [("dlr", True), ("glr", True), ("leerlab", True),
                                              ("vakmanschap", False)])
def test_a_region_has_a_route_with_an_active_dlr_glr_or_leerlab(kind, counts):
    result = compute(route(kind=kind))["regions_with_route"]
    assert result.regions["AM01"] == (1.0 if counts else 0.0)
    assert result.value == (1 if counts else 0) and result.region_total == 3
    assert result.regions_not_meeting() == (["AM02", "AM03"] if counts else list(REGIONS))


def test_agreements_need_every_active_dlr_and_glr_covered():
    covered, uncovered = route(1, covered=True), route(2, kind="glr", covered=False)
    assert compute(covered)["regions_with_agreements"].regions["AM01"] == 1
    assert compute(covered, uncovered)["regions_with_agreements"].regions["AM01"] == 0
    # a leerlab needs no agreement; a region with only a leerlab has no samenwerkingsafspraken to count
    assert compute(covered, route(3, kind="leerlab"))["regions_with_agreements"].regions["AM01"] == 1
    assert compute(route(3, kind="leerlab"))["regions_with_agreements"].regions["AM01"] == 0


@pytest.mark.parametrize(("routes", "meets"), [
    ([route(1, pathways=("BB", "KB"), location="vmbo")], True),
    ([route(1, pathways=("BB",), location="beide"), route(2, pathways=("KB",), location="vmbo")], True),
    ([route(1, pathways=("BB", "KB"), location="mbo")], False),  # taught at the mbo: not in the vmbo setting
    ([route(1, pathways=("BB", "KB"), level="3", location="vmbo")], False),
    ([route(1, pathways=("BB",), location="vmbo")], False),  # KB has none
])
def test_bb_and_kb_need_mbo_2_taught_at_the_vmbo(routes, meets):
    assert compute(*routes)["regions_bbkb_mbo2_vmbo"].regions["AM01"] == (1.0 if meets else 0.0)


def test_each_leerweg_needs_a_route_at_its_own_level():
    full = [route(1, level="2", pathways=("BB",)), route(2, level="3", pathways=("KB",)),
            route(3, level="4", pathways=("GL", "TL"))]
    assert compute(*full)["regions_matching_level"].regions["AM01"] == 1
    wrong = [route(1, level="3", pathways=("BB",)), *full[1:]]  # BB only at level 3
    assert compute(*wrong)["regions_matching_level"].regions["AM01"] == 0
    assert compute(*full[:2], route(3, level="4", pathways=("GL",)))["regions_matching_level"].value == 0


def test_multiple_levels_and_pupils_count_per_region_and_once_nationally():
    results = compute(route(1, level="2", pupils=10, regions=("AM01", "AM02")), route(2, level="3", pupils=5))
    assert results["regions_multiple_levels"].regions == {"AM01": 1.0, "AM02": 0.0, "AM03": 0.0}
    assert results["pupils_per_cohort"].value == 15  # the route in two regions counts once
    assert results["pupils_per_cohort"].regions == {"AM01": 15.0, "AM02": 10.0, "AM03": 0.0}


def test_vmbo_share_counts_each_school_taking_part_once():
    schools = {1: "AM01", 2: "AM01", 3: "AM02", 4: None}
    results = compute(route(1, vmbo=(1,)), route(2, vmbo=(1, 3)), schools=schools)["vmbo_share"]
    assert results.value == 50.0  # 2 of 4 schools
    assert results.regions == {"AM01": 50.0, "AM02": 100.0, "AM03": 0.0}


def test_values_are_written_the_dutch_way():
    assert m.format_value(m.INDICATORS["regions_with_route"], 12, 35) == "12 van 35"
    assert m.format_value(m.INDICATORS["pupils_per_cohort"], 1234) == "1.234"
    assert m.format_value(m.INDICATORS["vmbo_share"], 45.5) == "45,5%"


# --- target status ---------------------------------------------------------------

def test_pace_is_the_average_change_over_the_last_three_years():
    series = [("2020-2021", 0), ("2021-2022", 5), ("2022-2023", 8), ("2023-2024", 11), ("2024-2025", 14)]
    assert t.pace(series) == 3  # (14 - 5) / 3
    assert t.pace(series[:2]) == 5
    assert t.pace(series[:1]) is None


@pytest.mark.parametrize(("series", "target", "year", "status"), [
    ([("2023-2024", 30), ("2024-2025", 35)], 35, "2026-2027", t.ACHIEVED),
    ([("2023-2024", 20), ("2024-2025", 25)], 35, "2026-2027", t.ON_TRACK),  # 25 + 2 * 5 = 35
    ([("2023-2024", 20), ("2024-2025", 24)], 35, "2026-2027", t.BEHIND),  # 24 + 2 * 4 = 32
    ([("2023-2024", 20), ("2024-2025", 25)], 35, "2024-2025", t.BEHIND),  # the target year has come
    ([("2024-2025", 25)], 35, "2026-2027", t.BEHIND),  # one year: no pace
    ([("2023-2024", 25), ("2024-2025", 20)], 35, "2030-2031", t.BEHIND),  # going down
    ([], 35, "2030-2031", t.BEHIND),
])
def test_status_behaald_op_koers_achter(series, target, year, status):
    assert t.assess(series, target, year).status == status


def test_target_validation_names_the_field():
    assert t.target_errors("regions_with_route", 35, "2024-2025") == {}
    errors = t.target_errors("onbekend", -1, "2024")
    assert set(errors) == {"indicator", "target_value", "target_school_year"}
    assert "100" in t.target_errors("vmbo_share", 120, "2024-2025")["target_value"]
    assert "doelwaarde" in t.target_errors("vmbo_share", None, "2024-2025")["target_value"]
    assert "schooljaar" in t.target_errors("vmbo_share", 5, "")["target_school_year"]
