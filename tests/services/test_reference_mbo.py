"""flask mbo import: the real KiesMBO files (institutions, locations, the
region count) and small bad or changed files."""
import csv
import io
from datetime import date

import pytest
from sqlalchemy import func, select

from portal.models import MboLocation, MunicipalityRegion, Organisation, Region
from portal.services.coverage.figures import RegionFigures, add_organisation_figures
from portal.services.coverage.region import region_detail
from portal.services.reference.files import ReferenceDataError
from portal.services.reference.mbo import import_mbo
from tests.conftest import require_data_file
from tests.factories import make_organisation

INSTITUTIONS = "mbo_instellingen_kiesmbo_2025.csv"
LOCATIONS = "mbo_locaties_kiesmbo_2025.csv"


def _real() -> tuple[str, str]:
    return (require_data_file(INSTITUTIONS).read_text(encoding="utf-8"),
            require_data_file(LOCATIONS).read_text(encoding="utf-8"))


def _mbo_count(session) -> int:
    return session.scalar(select(func.count(Organisation.id)).where(Organisation.kind == "mbo"))


def test_real_files_load_every_provider_and_put_each_location_in_one_region(db_session, reference_data):
    institutions, locations = _real()
    report = import_mbo(db_session, institutions, locations)
    assert report.institutions == 179 and report.locations == 679
    assert db_session.scalar(select(func.count(Organisation.id)).where(
        Organisation.kind == "mbo", Organisation.brin.is_not(None))) >= 170
    regions_per_location = db_session.execute(
        select(MboLocation.code, func.count(MunicipalityRegion.id))
        .join(MunicipalityRegion, (MunicipalityRegion.municipality_id == MboLocation.municipality_id)
              & (MunicipalityRegion.year == 2025), isouter=True)
        .group_by(MboLocation.code)).all()
    assert len(regions_per_location) == 679
    assert all(n == 1 for _, n in regions_per_location)
    a12 = db_session.scalar(select(Organisation).where(Organisation.brin == "25PM"))
    assert a12.name == "ROC A12" and a12.kind == "mbo" and not a12.is_funded
    assert {loc.code for loc in db_session.scalars(select(MboLocation).where(
        MboLocation.organisation_id == a12.id))} >= {"25PM01", "25PM05", "25PM08"}


def test_a_region_counts_the_institutions_with_a_location_there(db_session, reference_data):
    institutions, locations = _real()
    import_mbo(db_session, institutions, locations)
    # A straightforward count from the file: providers with a location in Rijnmond.
    expected = len({row["brin"] for row in csv.DictReader(io.StringIO(locations))
                    if row["arbeidsmarktregio_code"] == "AM22"})
    assert expected > 20
    rijnmond = db_session.scalar(select(Region).where(Region.code == "AM22", Region.year == 2025))
    assert region_detail(db_session, rijnmond).figures.mbo_institutions == expected
    figures = {r.id: RegionFigures(r.id, r.code, r.name)
               for r in db_session.scalars(select(Region).where(Region.year == 2025))}
    add_organisation_figures(db_session, figures, 2025)
    assert figures[rijnmond.id].mbo_institutions == expected


def test_second_run_reports_changes_and_ends_a_disappeared_location(db_session, reference_data):
    institutions, locations = _real()
    import_mbo(db_session, institutions, locations)
    again = import_mbo(db_session, institutions, locations)
    assert (again.added, again.changed, again.ended) == ([], [], [])
    lines = locations.splitlines(keepends=True)
    kept = [line for line in lines if not line.startswith("25PM08,")]
    kept = [line.replace(",Dulon College,", ",Dulon College (verhuisd),") for line in kept]
    changed = import_mbo(db_session, institutions, "".join(kept), today=date(2026, 1, 5))
    assert changed.ended == ["25PM08"] and changed.changed == ["25PM01"] and changed.added == []
    ended = db_session.scalar(select(MboLocation).where(MboLocation.code == "25PM08"))
    assert ended is not None and ended.ended_on == date(2026, 1, 5)
    assert "beëindigd (25PM08)" in changed.summary()
    # It comes back: no longer ended.
    back = import_mbo(db_session, institutions, locations)
    assert "25PM08" in back.changed and ended.ended_on is None


def test_an_ended_location_no_longer_counts_in_its_region(db_session, reference_data):
    institutions, locations = _real()
    import_mbo(db_session, institutions, locations)
    food_valley = db_session.scalar(select(Region).where(Region.code == "AM38", Region.year == 2025))
    before = region_detail(db_session, food_valley).figures.mbo_institutions
    # ROC A12 has four locations in FoodValley and one (Astrum College, Velp) in Midden-Gelderland.
    midden_gelderland = db_session.scalar(select(Region).where(Region.code == "AM07", Region.year == 2025))
    before_velp = region_detail(db_session, midden_gelderland).figures.mbo_institutions
    kept = "".join(line for line in locations.splitlines(keepends=True)
                   if not line.startswith(("25PM01", "25PM05", "25PM08", "25PM11")))
    import_mbo(db_session, institutions, kept)
    assert region_detail(db_session, food_valley).figures.mbo_institutions == before - 1
    assert region_detail(db_session, midden_gelderland).figures.mbo_institutions == before_velp


def test_the_demo_stand_in_becomes_the_real_institution(db_session, reference_data):
    stand_in = make_organisation("mbo", name="ROC A12 (oud)", brin="25PM", is_demo=True)
    db_session.flush()
    institutions, locations = _real()
    import_mbo(db_session, institutions, locations)
    assert db_session.scalar(select(func.count(Organisation.id)).where(Organisation.brin == "25PM")) == 1
    assert stand_in.name == "ROC A12" and not stand_in.is_demo


HEADER_I = ("brin,naam,kiesmbo_code,website,aantal_locaties,hoofdlocatie_brinvest,hoofdlocatie_naam,"
            "hoofdlocatie_straat,hoofdlocatie_postcode,hoofdlocatie_plaats,hoofdlocatie_lat,hoofdlocatie_lon\n")
HEADER_L = ("brinvest,brin,instelling_brin,instelling_naam,locatie_naam,straat_huisnummer,postcode,plaats,url,lat,"
            "lon,google_lat,google_lon,google_provincie,coord_afwijking_km,gemeente_code_2025,gemeente_naam_2025,"
            "arbeidsmarktregio_code,arbeidsmarktregio_naam\n")
GOOD_I = "99XA,Synthetisch College (testdata),SYN,www.example.org,1,99XA00,Hoofd,Straat 1,1234 AB,Ede,52.0,5.6\n"
GOOD_L = "99XA00,99XA,99XA,Synthetisch College,Hoofd,Straat 1,1234 AB,Ede,,52.0,5.6,,,,,GM0228,Ede,AM38,FoodValley\n"


@pytest.mark.parametrize(("institutions", "locations", "message"), [
    (HEADER_I + GOOD_I + GOOD_I, HEADER_L + GOOD_L, "Instellingen, regel 3: BRIN 99XA komt dubbel voor"),
    (HEADER_I + GOOD_I + GOOD_I.replace("99XA,", "9XA,", 1), HEADER_L + GOOD_L, "Instellingen, regel 3 (9XA)"),
    (HEADER_I + GOOD_I, HEADER_L + GOOD_L + GOOD_L.replace("99XA00,99XA,99XA", "99XB00,99XB,99XB"),
     "Locaties, regel 3 (99XB00): instelling 99XB staat niet in het instellingenbestand"),
    (HEADER_I + GOOD_I, HEADER_L + GOOD_L + GOOD_L.replace("99XA00", "99XA01").replace("GM0228", "GM9999"),
     "Locaties, regel 3 (99XA01): gemeente GM9999 is onbekend"),
    (HEADER_I + GOOD_I, HEADER_L + GOOD_L.replace(",52.0,5.6,", ",noord,5.6,"), "Regel 2: 'noord' in kolom lat"),
    (HEADER_I + GOOD_I, HEADER_L + GOOD_L.replace("99XA00,", "99XA0,", 1), "de locatiecode moet BRIN 99XA"),
    (HEADER_I.replace("naam,", "titel,"), HEADER_L + GOOD_L, "kolom(men) ontbreken: naam"),
])
def test_a_bad_file_names_the_line_and_loads_nothing(db_session, reference_data, institutions, locations, message):
    before = _mbo_count(db_session)
    with pytest.raises(ReferenceDataError) as error:
        import_mbo(db_session, institutions, locations)
    assert message in str(error.value)
    assert _mbo_count(db_session) == before
    assert db_session.scalar(select(func.count(MboLocation.id))) == 0


def test_a_small_good_file_loads(db_session, reference_data):
    report = import_mbo(db_session, HEADER_I + GOOD_I, HEADER_L + GOOD_L)
    assert report.added == ["99XA", "99XA00"]
    org = db_session.scalar(select(Organisation).where(Organisation.brin == "99XA"))
    assert org.website == "https://www.example.org" and org.municipality.code == "GM0228"
