"""Pure coverage rules: school years, choropleth classes, shares."""
from datetime import date

import pytest

from portal.domain import coverage as rules
from portal.domain.school_year import school_year_of, school_years_between, shift_school_year


@pytest.mark.parametrize("day, expected", [
    (date(2026, 7, 31), "2025-2026"),
    (date(2026, 8, 1), "2026-2027"),
    (date(2026, 12, 31), "2026-2027"),
    (date(2027, 1, 1), "2026-2027"),
])
def test_school_year_starts_on_1_august(day, expected):
    assert school_year_of(day) == expected


def test_school_years_between_is_inclusive_and_empty_when_reversed():
    assert school_years_between("2022-2023", "2024-2025") == ["2022-2023", "2023-2024", "2024-2025"]
    assert school_years_between("2025-2026", "2024-2025") == []
    assert shift_school_year("2025-2026", -2) == "2023-2024"


@pytest.mark.parametrize("measure, value, expected", [
    ("routes", 0, 0), ("routes", 1, 1), ("routes", 3, 2), ("routes", 4, 3), ("routes", 25, 5),
    ("levels", 0, 0), ("levels", 4, 4),
    ("profiles", 0, 0), ("profiles", 10, 1), ("profiles", 50, 3), ("profiles", 100, 5),
    ("pupils", None, None), ("pupils", 0.4, 1), ("pupils", 7, 5),
])
def test_classify(measure, value, expected):
    assert rules.classify(rules.MEASURES[measure], value) == expected


def test_every_class_has_a_distinct_colour_and_a_legend_entry():
    for measure in rules.MEASURES.values():
        colours = [rules.class_colour(measure, i) for i in range(len(measure.labels))]
        assert len(set(colours)) == len(colours), measure.code
        assert len(measure.labels) == len(measure.bounds) + 1
        assert [label for _i, label in rules.legend(measure)][: len(measure.labels)] == list(measure.labels)
    assert rules.class_colour(rules.MEASURES["pupils"], None) == rules.NO_DATA_COLOUR
    assert rules.legend(rules.MEASURES["pupils"])[-1] == (None, "geen gegevens")


def test_unknown_measure_falls_back_to_active_routes():
    assert rules.measure_for("nonsense").code == "routes"
    assert rules.measure_for("levels").code == "levels"


@pytest.mark.parametrize("offered, covered, expected", [
    (set(), {"ZW"}, None),
    ({"ZW", "EO"}, set(), 0.0),
    ({"ZW", "EO"}, {"ZW", "PIE"}, 50.0),
    ({"ZW"}, {"ZW"}, 100.0),
])
def test_profile_share_counts_only_offered_profiles(offered, covered, expected):
    assert rules.profile_share(offered, covered) == expected


@pytest.mark.parametrize("routes, pupils, expected", [(3, None, None), (3, 0, None), (3, 1500, 2.0), (0, 800, 0.0)])
def test_routes_per_thousand_pupils(routes, pupils, expected):
    assert rules.routes_per_thousand(routes, pupils) == expected


def test_kind_groups_and_letters():
    assert rules.kind_group("dlr") == "dlr"
    assert rules.kind_group("vakmanschap") == "overig"
    assert {rules.KIND_LETTERS[k] for k in rules.MAIN_KINDS} == {"D", "G", "L"}
