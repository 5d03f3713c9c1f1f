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


EXAMS = "duo_examenkandidaten_geslaagden_2019-2024.csv"
EXAM_LEERWEG = {"B": "BB", "LWT": "BB", "K": "KB", "G": "GL", "T": "TL"}
EXAM_SECTOR = {"economie": "economie", "landbouw": "landbouw", "techniek": "techniek",
               "zorg en welzijn": "zorg_welzijn", "zorg & welzijn": "zorg_welzijn", "": "geen"}


def recount_exams(region_of: dict[str, str] | None = None, region: str | None = None) -> dict:
    """(leerweg, sector) -> school year -> candidates, straight from DUO's file: "<5" cells not added (a
    year with only "<5" shows 0), LWT under BB, "VMBO T" without a sector as "geen"; optionally only the vestigingen of one region."""
    result: dict = defaultdict(lambda: defaultdict(int))
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
                    result[key][column.split()[2]] += int(value) if value.isdecimal() else 0
    return {key: dict(years) for key, years in result.items()}


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
            assert n == sum(v.get(year, 0) for (p, _), v in trend.items() if p == pathway)
    # Per region: the vmbo vestigingen of that region in the school list, recounted from the file.
    with require_data_file(SCHOOLS).open(encoding="utf-8") as handle:
        region_of = {r["vestigingscode"]: r["arbeidsmarktregio_code"] for r in csv.DictReader(handle)
                     if r["heeft_vmbo"] == "1"}  # the portal's vmbo vestigingen
    _, per_region = exam_sector_trend_per_region(db_session)
    assert per_region[""] == trend
    assert per_region["AM22"] == recount_exams(region_of, "AM22") == exam_sector_trend(db_session, "AM22")[1]
    assert len(per_region) == 1 + 35
