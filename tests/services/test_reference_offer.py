"""flask schools import-offer: DUO's profiel figures, examined leerwegen and
bevoegd gezag on the real files, the derived current offer, and bad files."""
import csv
import io
from collections import Counter, defaultdict

import pytest
from sqlalchemy import func, select

from portal.domain import offer as rules
from portal.models import (
    OfferBasis,
    OfferExamFigure,
    OfferPathwayYear,
    OfferProfileFigure,
    Organisation,
    organisation_profiles,
)
from portal.services.reference.files import ReferenceDataError
from portal.services.reference.governing_bodies import import_governing_bodies
from portal.services.reference.offer import import_exam_pathways, import_profile_figures
from portal.services.reference.offer_basis import refresh_offer
from tests.conftest import require_data_file

PUPILS = "duo_leerlingen_vo_per_vestiging_naar_onderwijstype_2019.csv"
DERIVED = "vmbo_profielen_per_vestiging_2019.csv"
EXAMS = "duo_examenkandidaten_geslaagden_2019-2024.csv"
BODIES = "duo_alle_vestigingen_vo_2020.csv"


def _figures(session) -> list[OfferProfileFigure]:
    return list(session.scalars(select(OfferProfileFigure)))


def test_profiel_figures_equal_the_derived_file(db_session, reference_data):
    raw = require_data_file(PUPILS).read_bytes()  # Windows-1252, as DUO published it
    report = import_profile_figures(db_session, raw, "2019-2020")
    derived: dict[tuple[str, str, str], tuple[int, int]] = {}
    for row in csv.DictReader(io.StringIO(require_data_file(DERIVED).read_text(encoding="utf-8"))):
        name = row["profiel"] or row["vmbo_sector"]  # TL: the sector
        derived[(row["vestigingscode"], row["leerweg"], name)] = (int(row["leerlingen_lj3"]),
                                                                  int(row["leerlingen_lj4"]))
    stored = {(f.vestigingscode, f.pathway_code, f.duo_name): (f.pupils_year3, f.pupils_year4)
              for f in _figures(db_session)}
    assert len(stored) == 5752 and stored == derived
    assert report.vestigingen == 925
    # Every programme row is kept with its leerweg and reported per name, none dropped.
    assert report.unmapped["BB Vakmanschapsroute Techniek"] == 19
    assert report.unmapped["GL Beroepsroute Landbouw"] == 11
    unmapped_names = {f"{f.pathway_code} {f.duo_name}" for f in _figures(db_session) if f.profile_code is None}
    assert unmapped_names == set(report.unmapped)
    assert "Vakmanschapsroute Techniek: 19" in report.summary()
    # "Maritiem en Techniek" is the profiel Maritiem en techniek, not a programme.
    assert {f.profile_code for f in _figures(db_session) if f.duo_name == "Maritiem en Techniek"} == {"MAT"}


def test_the_same_file_in_utf8_gives_the_same_figures(db_session, reference_data):
    raw = require_data_file(PUPILS).read_bytes()
    import_profile_figures(db_session, raw, "2019-2020")
    legacy = {(f.vestigingscode, f.pathway_code, f.duo_name, f.pupils_year3) for f in _figures(db_session)}
    import_profile_figures(db_session, raw.decode("cp1252").encode("utf-8"), "2019-2020")
    db_session.expire_all()
    assert {(f.vestigingscode, f.pathway_code, f.duo_name, f.pupils_year3) for f in _figures(db_session)} == legacy


def _count_from_raw_file() -> Counter:
    """The number of distinct BB/KB/GL afdelingen (profielen, and programmes as
    DUO names them) per vestiging with pupils in leerjaar 3-4, straight from DUO's file."""
    text = require_data_file(PUPILS).read_bytes().decode("cp1252")
    names = defaultdict(set)
    for row in csv.DictReader(io.StringIO(text), delimiter=";"):
        kind = row["ONDERWIJSTYPE VO EN LEER- OF VERBLIJFSJAAR"]
        if kind in ("VMBO BL lj 3-4", "VMBO KL lj 3-4", "VMBO GL lj 3-4"):
            names[row["BRIN NUMMER"] + row["VESTIGINGSNUMMER"]].add(row["AFDELING"])
    return Counter(len(v) for v in names.values())


def test_distribution_of_profielen_per_vestiging_equals_a_count_from_the_file(db_session, reference_data):
    import_profile_figures(db_session, require_data_file(PUPILS).read_bytes(), "2019-2020")
    names = defaultdict(set)
    for code, name in db_session.execute(select(OfferProfileFigure.vestigingscode, OfferProfileFigure.duo_name)
                                         .where(OfferProfileFigure.pathway_code.in_(("BB", "KB", "GL")))):
        names[code].add(name)
    stored = Counter(len(v) for v in names.values())
    expected = _count_from_raw_file()
    assert stored == expected
    total = sum(expected.values())
    assert total > 500 and 0.35 < expected[1] / total < 0.39  # DUO 2019: 37 % offer one


def test_profielen_known_for_at_least_500_vmbo_schools(db_session, reference_data):
    import_profile_figures(db_session, require_data_file(PUPILS).read_bytes(), "2019-2020")
    import_exam_pathways(db_session, require_data_file(EXAMS).read_bytes())
    refresh_offer(db_session)
    vocational = [t.code for t in rules.vocab.VOCATIONAL_PROFILES]
    known = db_session.scalar(
        select(func.count(func.distinct(organisation_profiles.c.organisation_id)))
        .join(Organisation, Organisation.id == organisation_profiles.c.organisation_id)
        .where(Organisation.vestigingscode.is_not(None), organisation_profiles.c.profile_code.in_(vocational)))
    assert known >= 500
    aalten = db_session.scalar(select(Organisation).where(Organisation.vestigingscode == "00LJ05"))
    assert {p.code for p in aalten.profiles} >= {"BWI", "EO", "GR", "PIE", "ZW"}
    assert [p.code for p in aalten.pathways] == ["BB", "KB", "GL", "TL"]
    basis = db_session.get(OfferBasis, aalten.id)
    assert (basis.profiles_source, basis.profiles_school_year) == ("duo_leerlingen", "2019-2020")
    assert (basis.pathways_source, basis.pathways_school_year) == ("duo_examens", "2023-2024")


def test_examined_leerwegen_per_school_year(db_session, reference_data):
    report = import_exam_pathways(db_session, require_data_file(EXAMS).read_bytes())
    assert report.rows > 0
    years = set(db_session.scalars(select(OfferPathwayYear.school_year).distinct()))
    assert years == {"2019-2020", "2020-2021", "2021-2022", "2022-2023", "2023-2024"}
    rows = {(r.school_year, r.pathway_code): r.candidates for r in db_session.scalars(
        select(OfferPathwayYear).where(OfferPathwayYear.vestigingscode == "00LJ05"))}
    assert {p for y, p in rows if y == "2023-2024"} == {"BB", "KB", "GL", "TL"}
    # 2023-2024, 00LJ05: B techniek 13 + zorg en welzijn 14 + economie 10 (landbouw 0).
    assert rows[("2023-2024", "BB")] == 37
    # The Winterswijk vestiging had no candidates in 2023-2024: it examined nothing that year.
    assert not db_session.scalar(select(func.count()).select_from(OfferPathwayYear).where(
        OfferPathwayYear.vestigingscode == "00LJ02", OfferPathwayYear.school_year == "2023-2024"))


def test_bevoegd_gezag_fills_empty_numbers_only(db_session, reference_data):
    perron = db_session.scalar(select(Organisation).where(Organisation.vestigingscode == "02MF00"))
    other = db_session.scalar(select(Organisation).where(Organisation.vestigingscode == "00LJ05"))
    other.governing_body_number = "12345"  # set by hand: kept
    perron.governing_body_number = None
    report = import_governing_bodies(db_session, require_data_file(BODIES).read_bytes())
    assert perron.governing_body_number and perron.governing_body_number.isdecimal()
    assert other.governing_body_number == "12345"
    assert report.updated > 1000 and any("niet overschreven" in note for note in report.notes)


PUPIL_HEADER = ";".join(("BRIN NUMMER", "VESTIGINGSNUMMER", "INSTELLINGSNAAM VESTIGING",
                         "ONDERWIJSTYPE VO EN LEER- OF VERBLIJFSJAAR", "VMBO SECTOR", "AFDELING",
                         "LEER- OF VERBLIJFSJAAR 3 - MAN", "LEER- OF VERBLIJFSJAAR 3 - VROUW",
                         "LEER- OF VERBLIJFSJAAR 4 - MAN", "LEER- OF VERBLIJFSJAAR 4 - VROUW")) + "\n"
PUPIL_ROW = "99XA;00;Synthetische school (testdata);VMBO BL lj 3-4;Zorg & Welzijn;Zorg en welzijn;3;4;5;6\n"


@pytest.mark.parametrize(("body", "message"), [
    (PUPIL_ROW + PUPIL_ROW.replace(";3;4;5;6", ";3;veel;5;6"),
     "Regel 3: 'veel' in kolom LEER- OF VERBLIJFSJAAR 3 - VROUW"),
    (PUPIL_ROW.replace("99XA;00", "99XA;0"), "Regel 2: '99XA' + '0' is geen vestigingscode"),
    (PUPIL_ROW.replace("VMBO BL lj 3-4", "HAVO lj 4-5"), "geen vmbo-regels van leerjaar 3-4"),
])
def test_a_bad_pupil_file_names_the_line_and_keeps_what_was_loaded(db_session, reference_data, body, message):
    import_profile_figures(db_session, PUPIL_HEADER + PUPIL_ROW, "2019-2020")
    with pytest.raises(ReferenceDataError) as error:
        import_profile_figures(db_session, PUPIL_HEADER + body, "2019-2020")
    assert message in str(error.value)
    assert [(f.vestigingscode, f.profile_code, f.pupils_year3, f.pupils_year4) for f in _figures(db_session)] == \
        [("99XA00", "ZW", 7, 11)]


def test_a_windows_1252_file_with_accents_reads(db_session, reference_data):
    raw = (PUPIL_HEADER + PUPIL_ROW.replace("Synthetische", "Synthetische café")).encode("cp1252")
    assert import_profile_figures(db_session, raw, "2019-2020").rows == 1


EXAM_HEADER = ('"INSTELLINGSCODE";"VESTIGINGSCODE";"ONDERWIJSTYPE VO";"OPLEIDINGSNAAM";'
               '"EXAMENKANDIDATEN SCHOOLJAAR 2022-2023 - TOTAAL";"EXAMENKANDIDATEN SCHOOLJAAR 2023-2024 - TOTAAL"\n')


def test_exam_file_reads_small_counts_and_rejects_unknown_opleidingen(db_session, reference_data):
    good = EXAM_HEADER + '"99XA";"99XA00";"VMBO";"VMBO K - techniek";"<5";"0"\n' \
        '"99XA";"99XA00";"VMBO";"VMBO LWT - zorg en welzijn";"12";"<5"\n'
    import_exam_pathways(db_session, good)
    rows = {(r.school_year, r.pathway_code): r.candidates for r in db_session.scalars(select(OfferPathwayYear))}
    assert rows == {("2022-2023", "KB"): None, ("2022-2023", "BB"): 12, ("2023-2024", "BB"): None}
    # Per sector as well: LWT counts under BB, with DUO's sector.
    sectors = {(r.school_year, r.pathway_code, r.sector): r.candidates
               for r in db_session.scalars(select(OfferExamFigure))}
    assert sectors == {("2022-2023", "KB", "techniek"): None, ("2022-2023", "BB", "zorg_welzijn"): 12,
                       ("2023-2024", "BB", "zorg_welzijn"): None}
    with pytest.raises(ReferenceDataError, match="Regel 2: opleiding 'VMBO K - kunst' noemt een onbekende sector"):
        import_exam_pathways(db_session, EXAM_HEADER + '"99XA";"99XA00";"VMBO";"VMBO K - kunst";"5";"5"\n')
    with pytest.raises(ReferenceDataError, match="Regel 2: opleiding 'VMBO X - techniek' hoort bij geen leerweg"):
        import_exam_pathways(db_session, EXAM_HEADER + '"99XA";"99XA00";"VMBO";"VMBO X - techniek";"5";"5"\n')
    with pytest.raises(ReferenceDataError, match="Regel 2: 'vijf' examenkandidaten in 2023-2024"):
        import_exam_pathways(db_session, EXAM_HEADER + '"99XA";"99XA00";"VMBO";"VMBO K - techniek";"5";"vijf"\n')
    assert len(rows) == db_session.scalar(select(func.count()).select_from(OfferPathwayYear))


def test_duo_exam_names_give_the_sector_as_duo_names_it():
    assert rules.sector_of_exam("VMBO K - zorg en welzijn") == "zorg_welzijn"
    assert rules.sector_of_exam("VMBO LWT - zorg & welzijn") == "zorg_welzijn"
    assert rules.sector_of_exam("VMBO G - landbouw") == "landbouw"
    assert rules.sector_of_exam("VMBO T") == "geen"
    assert rules.sector_of_exam("VMBO B - kunst") is None
    assert rules.sector_of_exam("HAVO - N&T") is None


def test_duo_names_map_to_the_portal_codes():
    assert rules.profile_of("BB", "Techniek", "Produceren, installeren en energie") == (
        "Produceren, installeren en energie", "PIE")
    assert rules.profile_of("KB", "Techniek", "Media, vormgeving en ICT")[1] == "MVI"
    assert rules.profile_of("TL", "Zorg & Welzijn", "N.v.t.") == ("Zorg & Welzijn", "TL-ZW")
    assert rules.profile_of("TL", "Landbouw", "N.v.t.")[1] == "TL-GR"
    assert rules.profile_of("TL", "Techniek", "Beroepsroute Techniek") == ("Beroepsroute Techniek", None)
    assert rules.profile_of("BB", "Techniek", "Vakmanschapsroute Techniek")[1] is None
    assert rules.pathway_of_exam("VMBO G - economie") == "GL"
    assert rules.school_year_from_file_name(PUPILS) == "2019-2020"
    assert rules.profiles_source_label("duo_leerlingen", "2019-2020") == "profielen volgens DUO, 2019-2020"
