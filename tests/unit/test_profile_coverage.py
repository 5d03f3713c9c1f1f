"""The landelijke dekking rules on hand-made cases (issue 16)."""
from __future__ import annotations

import pytest

from portal.domain import profile_coverage as pc
from portal.domain.profile_coverage import OfferRow


def row(school, pathway, profile, y3=12, y4=12):
    return OfferRow(school, pathway, profile, y3, y4)


def test_two_vestigingen_in_one_gemeente_each_with_one_profiel():
    rows = [row("A", "BB", "ZW"), row("B", "KB", "EO")]
    offer = pc.vocational_offer(rows)
    assert offer == {"A": {"ZW"}, "B": {"EO"}}
    dist = pc.distribution(offer)
    assert dist.counts[1] == 2 and dist.total == 2 and dist.share(1) == 1.0
    areas = pc.area_offer(offer, {"A": "GM1", "B": "GM1"})
    assert areas == {"GM1": {"ZW", "EO"}}
    assert pc.profile_share(areas, "ZW").value == 1.0
    assert pc.area_state(areas, "GM1", "HBR") == pc.NOT_OFFERED


def test_a_vestiging_with_only_tl_has_no_beroepsgericht_offer():
    rows = [row("T", "TL", "TL-EC"), row("A", "BB", "ZW")]
    offer = pc.vocational_offer(rows)
    assert "T" not in offer
    areas = pc.area_offer(offer, {"T": "GM2", "A": "GM1"})
    # The TL-only gemeente is "geen aanbod", never "niet aangeboden", and is not in the denominator.
    assert pc.area_state(areas, "GM2", "ZW") == pc.NOT_APPLICABLE
    assert pc.profile_share(areas, "ZW", ["GM1", "GM2"]) == pc.Share(1, 1)


def test_rows_with_zero_pupils_are_no_offer_but_rows_without_figures_are():
    rows = [row("A", "BB", "ZW", 0, 0), row("A", "KB", "EO", 0, 3), row("B", "GL", "GR", None, None)]
    assert pc.vocational_offer(rows) == {"A": {"EO"}, "B": {"GR"}}
    # Without figures nothing is known about the size: never small.
    assert not pc.is_small(rows[2])
    assert pc.is_small(rows[1])
    assert pc.small_share(rows) == pc.Share(1, 1)


def test_a_programme_row_that_was_not_mapped_to_a_profiel_does_not_count():
    rows = [row("A", "BB", "Vakmanschapsroute Techniek"), row("A", "BB", None)]
    assert pc.vocational_offer(rows) == {}
    assert pc.distribution({}).total == 0
    assert "Geen vestigingen" in pc.distribution({}).headline()


def test_a_profiel_in_two_leerwegen_counts_once_per_vestiging():
    offer = pc.vocational_offer([row("A", "BB", "ZW"), row("A", "KB", "ZW"), row("A", "GL", "ZW")])
    assert pc.distribution(offer).counts[1] == 1


def test_small_profielen_at_the_boundary():
    assert pc.is_small(row("A", "BB", "ZW", 10, 10))
    assert not pc.is_small(row("A", "BB", "ZW", 11, 2))
    assert not pc.is_small(row("A", "BB", "ZW", 2, 11))
    assert not pc.is_small(row("A", "TL", "TL-EC", 2, 2))


def test_the_headline_uses_the_letters_words():
    offer = {"A": {"ZW"}, "B": {"ZW"}, "C": {"ZW", "EO"}, "D": {"ZW", "EO", "GR", "HBR", "MT", "PIE", "DP", "BWI"},
             "E": {"ZW"}, "F": {"EO", "ZW", "GR"}}
    dist = pc.distribution(offer)
    assert dist.counts == {1: 3, 2: 1, 3: 1, 4: 0, 5: 0, 6: 0, 7: 0, 8: 1, 9: 0, 10: 0}
    assert dist.headline() == ("50 % van de vestigingen biedt één profiel aan; 83 % maximaal drie. "
                               "1 vestiging biedt acht of meer profielen aan.")
    assert pc.fraction_words(0.66) == "twee derde"


def test_shares_per_provincie_count_only_gemeenten_with_offer():
    areas = {"GM1": {"ZW"}, "GM2": {"EO"}, "GM3": {"ZW", "HBR"}}
    shares = pc.group_shares(areas, {"GM1": "PV1", "GM2": "PV1", "GM3": "PV2", "GM4": "PV2"}, "ZW")
    assert shares["PV1"] == pc.Share(1, 2) and shares["PV1"].value == 0.5
    assert shares["PV2"] == pc.Share(1, 1)
    assert pc.group_shares(areas, {"GM9": "PV3"}, "ZW")["PV3"].value is None


def test_count_matrix_has_an_empty_cell_for_a_profiel_missing_in_a_whole_provincie():
    matrix = pc.count_matrix({"A": {"ZW"}, "B": {"ZW", "HBR"}, "C": {"EO"}}, {"A": "PV1", "B": "PV1", "C": "PV2"})
    assert matrix["PV1"]["ZW"] == 2 and matrix["PV1"]["HBR"] == 1 and matrix["PV1"]["MT"] == 0
    assert matrix["PV2"]["HBR"] == 0 and len(matrix["PV2"]) == 10


def test_distance_is_the_great_circle_distance():
    # Utrecht Dom to Amsterdam Dam: about 35 km as the crow flies.
    assert pc.distance_km(52.0907, 5.1214, 52.3731, 4.8926) == pytest.approx(35.0, abs=1.0)
    assert pc.distance_km(52.0, 5.0, 52.0, 5.0) == 0.0


def test_nearest_and_beyond_the_threshold():
    centres = {"GM1": (52.0, 5.0), "GM2": (53.0, 6.0)}
    offering = [("A", 52.0, 5.1), ("B", 52.5, 5.0)]
    nearest = pc.nearest_per_area(centres, offering)
    assert nearest["GM1"].school == "A" and nearest["GM1"].km == pytest.approx(6.85, abs=0.1)
    assert nearest["GM2"].school == "B"
    assert pc.beyond(nearest, 25) == [("GM2", nearest["GM2"].km)]
    nobody = pc.nearest_per_area(centres, [])
    assert pc.beyond(nobody, 25) == [("GM1", None), ("GM2", None)]
