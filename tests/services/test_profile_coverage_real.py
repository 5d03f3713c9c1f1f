"""The landelijke dekking (issue 16) on DUO's real 2019 file, against a
straightforward recount of the CSV in the test itself, and the letter's figures."""
from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict

import pytest

from portal.domain import vocab
from portal.services.coverage.profiles import compute
from portal.services.reference.offer import import_exam_pathways, import_profile_figures
from tests.conftest import require_data_file

PUPILS = "duo_leerlingen_vo_per_vestiging_naar_onderwijstype_2019.csv"
DERIVED = "vmbo_profielen_per_vestiging_2019.csv"
SCHOOLS = "vo_vestigingen_2024.csv"
NAMES = {t.name.lower(): t.code for t in vocab.VOCATIONAL_PROFILES}


def recount() -> tuple[dict[str, set[str]], dict[str, str]]:
    """Per vestiging its beroepsgerichte profielen (BB/KB/GL rows with pupils whose name is one of the ten
    profielen; programmes such as "Vakmanschapsroute Techniek" are not a profiel), and each current
    vestiging's gemeente."""
    offer: dict[str, set[str]] = defaultdict(set)
    for row in csv.DictReader(io.StringIO(require_data_file(DERIVED).read_text(encoding="utf-8"))):
        code = NAMES.get(row["profiel"].lower())
        if row["leerweg"] in ("BB", "KB", "GL") and code and int(row["leerlingen_lj3"]) + int(row["leerlingen_lj4"]):
            offer[row["vestigingscode"]].add(code)
    gemeente = {r["vestigingscode"]: r["gemeente_code_2025"]
                for r in csv.DictReader(io.StringIO(require_data_file(SCHOOLS).read_text(encoding="utf-8")))
                if r["heeft_vmbo"] == "1"}
    return dict(offer), gemeente


@pytest.fixture
def coverage_2019(db_session, reference_data):
    import_profile_figures(db_session, require_data_file(PUPILS).read_bytes(), "2019-2020")
    return compute(db_session, "2019-2020")


def test_national_figures_equal_a_recount_of_the_file_and_the_letters_figures(coverage_2019):
    cov = coverage_2019
    offer, gemeente = recount()
    counts = Counter(len(p) for p in offer.values())
    national = cov.distribution()
    assert national.total == len(offer)
    assert national.counts == {n: counts.get(n, 0) for n in range(1, 11)}
    # Per gemeente (vestigingen in the current school list only: the others have no gemeente).
    areas: dict[str, set[str]] = defaultdict(set)
    for school, profiles in offer.items():
        if school in gemeente:
            areas[gemeente[school]] |= profiles
    for profile in ("ZW", "EO", "HBR", "MT"):
        share = cov.profile_share(profile)
        assert (share.offering, share.with_offer) == (sum(profile in p for p in areas.values()), len(areas))
    # The letter ("Toekomstbestendig vmbo", 2025): 39 % of the vestigingen offer one profiel (a later year;
    # the 2019 data give 37-39 % depending on whether programmes count as a profiel), Zorg en welzijn is
    # offered in 79 % and Economie en ondernemen in 62 % of the gemeenten with vmbo.
    assert abs(national.share(1) * 100 - 37) <= 2
    assert abs(cov.profile_share("ZW").value * 100 - 79) <= 2
    assert abs(cov.profile_share("EO").value * 100 - 62) <= 2


def test_provincie_matrix_small_profielen_and_distances_on_real_data(coverage_2019):
    cov = coverage_2019
    offer, gemeente = recount()
    matrix = cov.province_matrix()
    assert len(matrix) == 12
    by_name = {name: code for code, (name, _) in cov.provinces.items()}
    # A profiel missing in a whole provincie is an empty cell, and the count is the recount's.
    school_province = {s.vestigingscode: s.province for s in cov.schools}
    for province in ("Zeeland", "Drenthe", "Utrecht"):
        code = by_name[province]
        for profile in ("HBR", "MT", "GR", "ZW"):
            expected = sum(1 for s, p in offer.items() if profile in p and school_province.get(s) == code)
            assert matrix[code][profile] == expected
    assert any(0 in (cells[p] for p in ("HBR", "MT")) for cells in matrix.values())
    small = cov.small_share()
    assert 0 < small.offering < small.with_offer
    assert all(row.pupils_year3 <= 10 and row.pupils_year4 <= 10 for _, row in cov.small_rows())
    # Thuisnabij: the Wadden islands are farthest from a Horeca, bakkerij en recreatie offer.
    far = [area.name for area, _ in cov.far_from("HBR", 25)]
    assert {"Terschelling", "Vlieland", "Schiermonnikoog"} <= set(far[:6])
    nearest = cov.nearest("HBR")
    assert all(n.km is not None and n.km < 60 for n in nearest.values())


def test_exam_trend_per_leerweg(db_session, reference_data):
    from portal.services.coverage.profile_trends import exam_trend
    import_exam_pathways(db_session, require_data_file("duo_examenkandidaten_geslaagden_2019-2024.csv").read_bytes())
    years, exams = exam_trend(db_session)
    assert years[0] == "2019-2020" and years[-1] == "2023-2024"
    # The letter: the basisberoepsgerichte leerweg fell by almost 16 % between 2017 and 2024.
    assert exams["BB"]["2023-2024"] < exams["BB"]["2019-2020"]
    region_years, region = exam_trend(db_session, "AM22")
    assert region_years == years and 0 < region["BB"]["2019-2020"] < exams["BB"]["2019-2020"]


def test_a_region_page_shows_its_profielaanbod_and_the_profielen_nobody_offers(client, coverage_2019):
    import re
    cov = coverage_2019
    body = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", client.get("/regio/AM22").get_data(as_text=True)))
    section = body[body.index("Profielaanbod"):body.index("Witte vlekken")]
    assert cov.distribution(region="AM22").headline() in section
    small = cov.small_share(region="AM22")
    assert f"{small.offering} van de {small.with_offer} combinaties" in section
    # Zeeland (AM24) lacks profielen that Rijnmond has: the list names exactly those nobody offers there.
    offered = set().union(*(cov.offer.get(s.vestigingscode, set()) for s in cov.schools if s.region == "AM24"))
    missing = [t.name for t in vocab.VOCATIONAL_PROFILES if t.code not in offered]
    zeeland = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", client.get("/regio/AM24").get_data(as_text=True)))
    part = zeeland[zeeland.index("nergens worden aangeboden"):zeeland.index("Witte vlekken")]
    assert missing and all(name in part for name in missing)


def test_the_trend_tables_on_the_page(client, db_session, reference_data):
    import re
    import_profile_figures(db_session, require_data_file(PUPILS).read_bytes(), "2019-2020")
    import_exam_pathways(db_session, require_data_file("duo_examenkandidaten_geslaagden_2019-2024.csv").read_bytes())
    html = client.get("/dekking/").get_data(as_text=True)
    assert 'id="examens-bb"' in html and 'id="leerlingen-tabel"' in html
    body = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert re.search(r"De basisberoepsgerichte leerweg: [\d.]+ examenkandidaten in 2019-2020, [\d.]+ in 2023-2024 "
                     r"\(-\d+,\d %\)", body)
    # Exam candidates per leerweg x sector: a chart per leerweg, and the table with DUO's figures, its source
    # and school years named.
    assert all(f'id="examens-{p}"' in html for p in ("bb", "kb", "gl", "tl"))
    assert "Bron: DUO, examenkandidaten en geslaagden (vmbo per leerweg en sector); schooljaren 2019-2020 tot en " \
           "met 2023-2024" in body
    expected = recount_exams()
    table = html[html.index('id="examens-tabel"'):]
    row = table[table.index('data-pathway="BB" data-sector="techniek"'):]
    cells = re.findall(r'<td class="num">([\d.]+)</td>', row[:row.index("</tr>")])
    assert cells == [f"{expected[('BB', 'techniek')][y]:,}".replace(",", ".") for y in sorted(expected[('BB', 'techniek')])]
    # A year with only DUO's "<5" cells says so, never 0.
    assert expected[("TL", "geen")]["2019-2020"] is None
    row = table[table.index('data-pathway="TL" data-sector="geen"'):]
    assert '<td class="num">&lt;5</td>' in row[:row.index("</tr>")]
    # The chart's description says the same numbers.
    chart = html[html.index('id="examens-bb"'):]
    assert f"Techniek: 2019-2020 {expected[('BB', 'techniek')]['2019-2020']}," in chart[:chart.index("</svg>")]


def _cell(value: int | None) -> str:
    return "" if value is None else str(value)


def _rows(response, fmt: str) -> list[list[str]]:
    from openpyxl import load_workbook
    if fmt == "csv":
        return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    sheet = load_workbook(io.BytesIO(response.data)).active
    return [[("" if v is None else str(v)) for v in r] for r in sheet.iter_rows(values_only=True)]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_trend_tables_export_with_the_years_and_the_region(client, db_session, reference_data, fmt):
    import_profile_figures(db_session, require_data_file(PUPILS).read_bytes(), "2019-2020")
    import_exam_pathways(db_session, require_data_file(EXAMS).read_bytes())
    years = ["2019-2020", "2020-2021", "2021-2022", "2022-2023", "2023-2024"]
    expected = recount_exams()

    response = client.get(f"/dekking/export/examens.{fmt}")
    assert response.status_code == 200
    assert 'filename="dekking_examens_2019-2020-tot-en-met-2023-2024.' in response.headers["Content-Disposition"]
    rows = _rows(response, fmt)
    assert rows[0][0].startswith("Examenkandidaten vmbo per leerweg, sector en schooljaar")
    assert "schooljaren 2019-2020 tot en met 2023-2024" in rows[0][0] and "bron: DUO, examenkandidaten" in rows[0][0]
    assert rows[1] == ["Gebied", "Regiocode", "Leerweg", "Sector", *years]
    national = {(r[2], r[3]): r[4:] for r in rows[2:] if r[0] == "Nederland"}
    names = {"economie": "Economie", "landbouw": "Landbouw", "techniek": "Techniek", "zorg_welzijn": "Zorg en welzijn",
             "geen": "Zonder sector"}
    assert national == {(p, names[s]): [_cell(v.get(y, 0)) for y in years] for (p, s), v in expected.items()}
    assert {r[1] for r in rows[2:]} >= {"", "AM01", "AM22", "AM38"}

    with require_data_file(SCHOOLS).open(encoding="utf-8") as handle:
        region_of = {r["vestigingscode"]: r["arbeidsmarktregio_code"] for r in csv.DictReader(handle)
                     if r["heeft_vmbo"] == "1"}
    response = client.get(f"/dekking/export/examens.{fmt}?regio=AM22")
    assert "regio-AM22" in response.headers["Content-Disposition"]
    rows = _rows(response, fmt)
    assert "regio AM22" in rows[0][0]
    rijnmond = recount_exams(region_of, "AM22")
    assert {(r[2], r[3]): r[4:] for r in rows[2:]} == {
        (p, names[s]): [_cell(v.get(y, 0)) for y in years] for (p, s), v in rijnmond.items()}
    assert {r[1] for r in rows[2:]} == {"AM22"}

    # Pupils per leerweg, nationally and per region: the derived 2019 file recounted.
    pupils: dict = defaultdict(int)
    for row in csv.DictReader(io.StringIO(require_data_file(DERIVED).read_text(encoding="utf-8"))):
        pupils[row["leerweg"]] += int(row["leerlingen_lj3"]) + int(row["leerlingen_lj4"])
    response = client.get(f"/dekking/export/leerlingen.{fmt}")
    assert 'filename="dekking_leerlingen_2019-2020.' in response.headers["Content-Disposition"]
    rows = _rows(response, fmt)
    assert "schooljaren 2019-2020" in rows[0][0] and "bron: DUO, leerlingen vo per vestiging" in rows[0][0]
    assert rows[1] == ["Gebied", "Regiocode", "Leerweg", "2019-2020"]
    assert {r[2]: int(r[3]) for r in rows[2:] if r[0] == "Nederland"} == pupils
    per_region = defaultdict(int)
    for r in rows[2:]:
        if r[1]:
            per_region[r[2]] += int(r[3])
    assert 0 < per_region["BB"] <= pupils["BB"]  # vestigingen no longer in the school list have no region


EXAMS = "duo_examenkandidaten_geslaagden_2019-2024.csv"
EXAM_LEERWEG = {"B": "BB", "LWT": "BB", "K": "KB", "G": "GL", "T": "TL"}
EXAM_SECTOR = {"economie": "economie", "landbouw": "landbouw", "techniek": "techniek",
               "zorg en welzijn": "zorg_welzijn", "zorg & welzijn": "zorg_welzijn", "": "geen"}


def recount_exams(region_of: dict[str, str] | None = None, region: str | None = None) -> dict:
    """(leerweg, sector) -> school year -> candidates, straight from DUO's file: "<5" cells not added (None
    where a year has only "<5" cells), LWT under BB, "VMBO T" without a sector as "geen"; optionally only the vestigingen of one region."""
    result: dict = defaultdict(dict)
    with require_data_file(EXAMS).open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter=";"):
            if row["ONDERWIJSTYPE VO"] != "VMBO":
                continue
            if region and (region_of or {}).get(row["VESTIGINGSCODE"]) != region:
                continue
            leerweg, _, sector = row["OPLEIDINGSNAAM"][len("VMBO "):].partition(" - ")
            key = (EXAM_LEERWEG[leerweg.strip()], EXAM_SECTOR[sector.strip().lower()])
            for column, value in row.items():
                if column.startswith("EXAMENKANDIDATEN SCHOOLJAAR") and column.endswith("TOTAAL") \
                        and value not in ("", "0"):
                    year = column.split()[2]
                    known = int(value) if value.isdecimal() else None
                    previous = result[key].get(year)
                    result[key][year] = known if previous is None else previous + (known or 0)
    return dict(result)


def test_exam_candidates_per_leerweg_and_sector_equal_a_recount_of_the_file(db_session, reference_data):
    from portal.services.coverage.profile_trends import exam_sector_trend, exam_sector_trend_per_region, exam_trend
    import_exam_pathways(db_session, require_data_file(EXAMS).read_bytes())
    years, trend = exam_sector_trend(db_session)
    expected = recount_exams()
    assert years == ["2019-2020", "2020-2021", "2021-2022", "2022-2023", "2023-2024"]
    assert trend == expected
    # One figure by name: the BB candidates in techniek in 2023-2024 (B and LWT rows of that sector).
    assert trend[("BB", "techniek")]["2023-2024"] == expected[("BB", "techniek")]["2023-2024"] > 1000
    # Summed over the sectors, the per-leerweg trend the page already had.
    _, per_pathway = exam_trend(db_session)
    for pathway, series in per_pathway.items():
        for year, n in series.items():
            assert n == sum(v.get(year) or 0 for (p, _), v in trend.items() if p == pathway)
    # Per region: the vmbo vestigingen of that region in the school list, recounted from the file.
    with require_data_file(SCHOOLS).open(encoding="utf-8") as handle:
        region_of = {r["vestigingscode"]: r["arbeidsmarktregio_code"] for r in csv.DictReader(handle)
                     if r["heeft_vmbo"] == "1"}  # the portal's vmbo vestigingen
    _, per_region = exam_sector_trend_per_region(db_session)
    assert per_region[""] == trend
    assert per_region["AM22"] == recount_exams(region_of, "AM22") == exam_sector_trend(db_session, "AM22")[1]
    assert len(per_region) == 1 + 35


def test_the_api_gives_the_exam_candidates_per_leerweg_and_sector(client, db_session, reference_data):
    import_exam_pathways(db_session, require_data_file(EXAMS).read_bytes())
    body = client.get("/api/v1/coverage/exam-candidates").get_json()
    assert body["region"] is None and body["school_years"][0] == "2019-2020" and "DUO" in body["source"]
    expected = recount_exams()
    assert {(i["pathway"], i["sector"]): {y: v for y, v in i["candidates"].items() if v != 0}
            for i in body["items"]} == {key: {y: v for y, v in values.items() if v != 0}
                                         for key, values in expected.items()}
    with require_data_file(SCHOOLS).open(encoding="utf-8") as handle:
        region_of = {r["vestigingscode"]: r["arbeidsmarktregio_code"] for r in csv.DictReader(handle)
                     if r["heeft_vmbo"] == "1"}
    regional = client.get("/api/v1/coverage/exam-candidates?region=AM22").get_json()
    assert regional["region_name"] == "Rijnmond"
    assert {(i["pathway"], i["sector"]): i["candidates"]["2023-2024"] for i in regional["items"]} == {
        key: values.get("2023-2024", 0) for key, values in recount_exams(region_of, "AM22").items()}
    unknown = client.get("/api/v1/coverage/exam-candidates?region=AM99").get_json()
    assert unknown["items"] == [] and unknown["region_name"] is None
    for query in ("region=AM9", "region=Rijnmond", "region=AM22&region=AM01", "sector=techniek"):
        response = client.get(f"/api/v1/coverage/exam-candidates?{query}")
        assert response.status_code == 400 and response.get_json()["errors"], query
