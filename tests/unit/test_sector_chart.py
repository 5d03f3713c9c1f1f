"""The exam-candidate chart on /dekking: one panel per leerweg, every sector named at its line's end without
two names overlapping, the axis top round and above the largest value, "<5" described as such."""
from portal.routes.coverage import sector_chart as chart

YEARS = ["2019-2020", "2020-2021"]


def test_a_panel_per_leerweg_with_its_sectors_named_apart():
    series = {("BB", "economie"): {"2019-2020": 100, "2020-2021": 90},
              ("BB", "techniek"): {"2019-2020": 100, "2020-2021": 89},
              ("BB", "zorg_welzijn"): {"2019-2020": 100, "2020-2021": 91},
              ("KB", "landbouw"): {"2019-2020": 2345, "2020-2021": None}}
    bb, kb = chart.panels(YEARS, series)
    assert (bb.pathway, kb.pathway) == ("BB", "KB")
    assert [line.label for line in bb.lines] == ["Economie", "Techniek", "Zorg en welzijn"]
    ends = sorted(line.label_y for line in bb.lines)
    assert all(b - a >= chart.LABEL_GAP for a, b in zip(ends, ends[1:], strict=False))
    # The axis: a round top at or above the largest value, the largest point inside the plot.
    assert [value for _, value in kb.y_ticks] == [0, 2500, 5000]
    assert all(chart.TOP <= y <= chart.BOTTOM for line in kb.lines for _, y, _ in line.markers)
    # A year with only "<5" cells is drawn at 0 and described as "<5", never as 0.
    assert kb.lines[0].markers[1][1] == chart.BOTTOM
    assert "2020-2021 <5" in kb.description and "2019-2020 2345" in kb.description


def test_no_data_no_panels():
    assert chart.panels([], {}) == []
