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
    ("routes", 0, 0), ("routes", 1, 1), ("routes", 3, 1), ("routes", 4, 2), ("routes", 9, 2), ("routes", 25, 3),
    ("levels", 0, 0), ("levels", 1, 1), ("levels", 3, 2), ("levels", 4, 3),
    ("profiles", 0, 0), ("profiles", 10, 1), ("profiles", 50, 2), ("profiles", 100, 3),
    ("pupils", None, None), ("pupils", 0, 0), ("pupils", 0.4, 1), ("pupils", 7, 3),
])
def test_classify(measure, value, expected):
    assert rules.classify(rules.MEASURES[measure], value) == expected


def test_every_class_has_a_distinct_colour_and_a_legend_entry_that_says_what_it_means():
    for measure in rules.MEASURES.values():
        colours = rules.scale_colours(measure)
        assert len(set(colours)) == len(colours), measure.code
        assert len(measure.labels) == len(measure.bounds) + 1
        assert [label for _i, label in rules.legend(measure)][: len(measure.labels)] == list(measure.labels)
        assert "witte vlek" in measure.labels[0]  # class 0 says it is a gap
    assert rules.class_colour(rules.MEASURES["pupils"], None) == rules.NO_DATA_COLOUR
    assert rules.legend(rules.MEASURES["pupils"])[-1] == (None, rules.NO_DATA_LABEL)
    assert "geen gegevens" in rules.NO_DATA_LABEL


# --- contrast of the classed scale (WCAG 1.4.11, issue 20) ---------------------------

def test_relative_luminance_and_contrast_follow_wcag():
    assert rules.relative_luminance("#ffffff") == pytest.approx(1.0)
    assert rules.relative_luminance("#000000") == pytest.approx(0.0)
    assert rules.contrast_ratio("#ffffff", "#000000") == pytest.approx(21.0)
    assert rules.contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # the known reference


@pytest.mark.parametrize("measure", sorted(rules.MEASURES))
def test_adjacent_classes_differ_by_at_least_3_to_1(measure):
    colours = rules.scale_colours(rules.MEASURES[measure])
    ratios = [rules.contrast_ratio(a, b) for a, b in zip(colours, colours[1:], strict=False)]
    assert min(ratios) >= rules.MIN_ADJACENT_CONTRAST, ratios


def test_control_the_old_palette_fails_the_contrast_check():
    """The colours before issue 20: 0 routes (#f2f0f7) next to 1 route (#dadaeb)."""
    old = ("#f2f0f7", "#dadaeb", "#bcbddc", "#9e9ac8", "#756bb1", "#54278f")
    ratios = [rules.contrast_ratio(a, b) for a, b in zip(old, old[1:], strict=False)]
    assert rules.contrast_ratio("#f2f0f7", "#dadaeb") == pytest.approx(1.22, abs=0.01)
    assert min(ratios) < rules.MIN_ADJACENT_CONTRAST


def test_zero_and_no_data_are_hatched_and_their_hatches_are_visible():
    assert rules.is_hatched(0) and rules.is_hatched(None) and not rules.is_hatched(1)
    assert rules.class_key(0) == "c0" and rules.class_key(None) == "nodata"
    assert rules.contrast_ratio(rules.ZERO_HATCH, rules.ZERO_COLOUR) >= 3
    assert rules.contrast_ratio(rules.NO_DATA_HATCH, rules.NO_DATA_COLOUR) >= 3
    # "geen gegevens" no longer merges with the map's background (#eef3f7)
    assert rules.contrast_ratio(rules.NO_DATA_HATCH, "#eef3f7") >= 3


def test_the_legend_swatches_use_the_same_colours_as_the_map():
    from pathlib import Path
    css = (Path(rules.__file__).parents[1] / "static" / "css" / "maps.css").read_text().lower()
    for index, colour in enumerate(rules.PALETTE, start=1):
        assert f".swatch.c{index} {{ background: {colour}; }}" in css
    assert rules.ZERO_COLOUR in css.split(".swatch.c0")[1].split("}")[0]
    assert rules.NO_DATA_HATCH in css.split(".swatch.nodata")[1].split("}")[0]


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
