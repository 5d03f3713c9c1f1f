"""flask mbo import and flask schools import-offer: what they print, and a bad
file that loads nothing."""
from sqlalchemy import func, select

from portal.models import MboLocation, OfferProfileFigure, Organisation
from tests.conftest import require_data_file

INSTITUTIONS = ("brin,naam,website,hoofdlocatie_brinvest,hoofdlocatie_plaats,hoofdlocatie_lat,hoofdlocatie_lon\n"
                "99XA,Synthetisch mbo (testdata),,99XA00,Ede,52.0,5.6\n")
LOCATIONS = ("brinvest,instelling_brin,locatie_naam,straat_huisnummer,postcode,plaats,url,lat,lon,gemeente_code_2025\n"
             "99XA00,99XA,Hoofd,Straat 1,,Ede,,52.0,5.6,GM0228\n"
             "99XA01,99XA,Bijlocatie,Straat 2,,Ede,,52.0,5.6,GM0228\n")


def _invoke(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def test_mbo_import_prints_what_it_added_changed_and_ended(app, db_session, reference_data, tmp_path):
    institutions, locations = tmp_path / "i.csv", tmp_path / "l.csv"
    institutions.write_text(INSTITUTIONS, encoding="utf-8")
    locations.write_text(LOCATIONS, encoding="utf-8")
    first = _invoke(app, "mbo", "import", "--institutions", str(institutions), "--locations", str(locations))
    assert first.exit_code == 0, first.output
    assert "1 mbo-instellingen en 2 locaties in het bestand; 3 toegevoegd (99XA, 99XA00, 99XA01)" in first.output
    locations.write_text(LOCATIONS.replace("Straat 1", "Straat 1a").rsplit("99XA01", 1)[0], encoding="utf-8")
    second = _invoke(app, "mbo", "import", "--institutions", str(institutions), "--locations", str(locations))
    assert second.exit_code == 0, second.output
    assert "0 toegevoegd, 1 gewijzigd (99XA00), 1 beëindigd (99XA01)" in second.output
    assert db_session.scalar(select(func.count(MboLocation.id))) == 2  # ended, not deleted


def test_mbo_import_of_a_bad_file_names_the_line_and_loads_nothing(app, db_session, reference_data, tmp_path):
    institutions, locations = tmp_path / "i.csv", tmp_path / "l.csv"
    institutions.write_text(INSTITUTIONS + "99XA,Dubbel,,,,,\n", encoding="utf-8")
    locations.write_text(LOCATIONS, encoding="utf-8")
    result = _invoke(app, "mbo", "import", "--institutions", str(institutions), "--locations", str(locations))
    assert result.exit_code != 0
    assert "Niets geladen. Instellingen, regel 3: BRIN 99XA komt dubbel voor." in result.output
    assert db_session.scalar(select(func.count(Organisation.id)).where(Organisation.brin == "99XA")) == 0


def test_import_offer_reads_the_real_files_and_derives_the_offer(app, db_session, reference_data):
    result = _invoke(app, "schools", "import-offer",
                     "--profiles", str(require_data_file("duo_leerlingen_vo_per_vestiging_naar_onderwijstype_2019.csv")),
                     "--exams", str(require_data_file("duo_examenkandidaten_geslaagden_2019-2024.csv")),
                     "--governing-bodies", str(require_data_file("duo_alle_vestigingen_vo_2020.csv")))
    assert result.exit_code == 0, result.output
    assert "Profielen (2019-2020): 5752 regels voor 925 vestigingen" in result.output
    assert "BB Vakmanschapsroute Techniek: 19" in result.output
    assert "Aanbod afgeleid voor" in result.output
    assert db_session.scalar(select(func.count(OfferProfileFigure.id))) == 5752
