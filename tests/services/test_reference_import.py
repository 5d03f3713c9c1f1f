"""Loading the real reference data, and rejecting bad files without half-loading."""
import json

import pytest
from sqlalchemy import func, select

from portal.models import AuditLog, Municipality, MunicipalityRegion, Organisation, Region
from portal.services.reference.boundaries import current_region_year, import_municipalities, import_regions
from portal.services.reference.files import ReferenceDataError
from portal.services.reference.schools import import_schools, pathways_for_structure
from tests.conftest import require_data_file


def test_real_2025_indeling_has_35_regions_and_every_gemeente_in_one(db_session, reference_data):
    regions = db_session.scalars(select(Region).where(Region.year == 2025)).all()
    assert len(regions) == 35
    codes = {r.code for r in regions}
    assert {"AM04", "AM16", "AM31"}.isdisjoint(codes)  # the codes are not contiguous
    assert all(r.geometry for r in regions)
    assert db_session.scalar(select(func.count(Municipality.id))) == 342
    per_gemeente = db_session.execute(
        select(MunicipalityRegion.municipality_id, func.count())
        .where(MunicipalityRegion.year == 2025).group_by(MunicipalityRegion.municipality_id)
    ).all()
    assert len(per_gemeente) == 342 and all(n == 1 for _, n in per_gemeente)


def test_every_imported_vmbo_school_is_in_one_region(db_session, reference_data):
    schools = db_session.scalar(select(func.count(Organisation.id)).where(
        Organisation.kind == "vmbo", Organisation.vestigingscode.is_not(None)))
    assert schools == 1176
    in_region = db_session.scalar(
        select(func.count(Organisation.id))
        .join(MunicipalityRegion, MunicipalityRegion.municipality_id == Organisation.municipality_id)
        .where(Organisation.vestigingscode.is_not(None), MunicipalityRegion.year == 2025)
    )
    assert in_region == 1176
    perron = db_session.scalar(select(Organisation).where(Organisation.vestigingscode == "02MF00"))
    assert perron.brin == "02MF" and perron.vestigingsnummer == "00" and perron.city == "Veenendaal"
    assert perron.lat == pytest.approx(52.025794) and perron.pupils == 935
    assert {p.code for p in perron.pathways} == {"BB", "KB", "GL", "TL"}


def test_loading_2024_keeps_2025(db_session, reference_data):
    raw = require_data_file("arbeidsmarktregio_2024.geojson").read_bytes()
    report = import_regions(db_session, raw, 2024)
    assert report.created == 35
    assert db_session.scalar(select(func.count(Region.id)).where(Region.year == 2025)) == 35
    assert db_session.scalar(select(func.count(Region.id)).where(Region.year == 2024)) == 35
    assert current_region_year(db_session) == 2025
    # Reloading the same year updates in place.
    again = import_regions(db_session, raw, 2024)
    assert again.created == 0 and again.unchanged == 35


def test_school_import_is_idempotent_and_updates(db_session, reference_data):
    raw = require_data_file("vo_vestigingen_2024.csv").read_text(encoding="utf-8")
    before = db_session.scalar(select(func.count(Organisation.id)))
    changed = raw.replace(
        "Het Perron voor VMBO en Praktijkonderwijs", "Het Perron (nieuwe naam)")
    report = import_schools(db_session, changed)
    assert report.created == 0 and report.updated == 1
    assert db_session.scalar(select(func.count(Organisation.id))) == before
    perron = db_session.scalar(select(Organisation).where(Organisation.vestigingscode == "02MF00"))
    assert perron.name == "Het Perron (nieuwe naam)"


def feature(code="AM01", name="Groningen", geometry=None):
    return {"type": "Feature", "properties": {"statcode": code, "statnaam": name},
            "geometry": geometry or {"type": "Polygon", "coordinates": [[[6.5, 53.2], [6.6, 53.2], [6.6, 53.3], [6.5, 53.2]]]}}


@pytest.mark.parametrize("payload,message", [
    (b"dit is geen json", "geen geldige GeoJSON"),
    (json.dumps({"type": "Feature"}), "geen GeoJSON FeatureCollection"),
    (json.dumps({"type": "FeatureCollection", "features": [feature(), {"type": "Feature", "properties": {"statnaam": "X"}}]}),
     "feature 2: eigenschap 'statcode' ontbreekt"),
    (json.dumps({"type": "FeatureCollection", "features": [feature(code="GM0014")]}), "feature 1: 'GM0014'"),
    (json.dumps({"type": "FeatureCollection", "features": [feature(), feature()]}), "feature 2: regiocode AM01 komt dubbel voor"),
    (json.dumps({"type": "FeatureCollection", "features": [feature(geometry={"type": "Polygon", "coordinates": [[[155000, 463000], [155100, 463000], [155000, 463100], [155000, 463000]]]})]}),
     "geen WGS84"),
])
def test_bad_geojson_names_the_feature_and_loads_nothing(db_session, payload, message):
    with pytest.raises(ReferenceDataError, match=message):
        import_regions(db_session, payload, 2031)
    assert db_session.scalar(select(func.count(Region.id)).where(Region.year == 2031)) == 0


def test_municipality_csv_with_unknown_region_loads_nothing(db_session, reference_data):
    csv = ("gemeente_code,gemeente_naam,arbeidsmarktregio_code\n"
           "GM9991,Testdorp,AM01\nGM9992,Nergensdorp,AM04\n")
    with pytest.raises(ReferenceDataError, match=r"Regel 3: onbekende arbeidsmarktregio 'AM04'"):
        import_municipalities(db_session, csv, 2025)
    assert db_session.scalar(select(Municipality).where(Municipality.code == "GM9991")) is None


def test_municipality_csv_missing_column(db_session, reference_data):
    with pytest.raises(ReferenceDataError, match="kolom\\(men\\) ontbreken: arbeidsmarktregio_code"):
        import_municipalities(db_session, "gemeente_code,gemeente_naam\nGM0014,Groningen\n", 2025)


def test_school_csv_with_bad_brin_loads_nothing(db_session, reference_data):
    raw = require_data_file("vo_vestigingen_2024.csv").read_text(encoding="utf-8")
    header, first, *rest = raw.splitlines()
    bad_row = first.replace("00AH00,00AH,00", "XXAH00,XXAH,00")
    before = db_session.scalar(select(func.count(Organisation.id)))
    with pytest.raises(ReferenceDataError, match="Regel 2 \\(XXAH00\\): Een BRIN-nummer"):
        import_schools(db_session, "\n".join([header, bad_row, *rest]))
    assert db_session.scalar(select(func.count(Organisation.id))) == before


def test_imports_are_audited(db_session, reference_data):
    raw = require_data_file("arbeidsmarktregio_2024.geojson").read_bytes()
    import_regions(db_session, raw, 2024)
    entry = db_session.scalars(select(AuditLog).where(AuditLog.object_type == "region_set")
                               .order_by(AuditLog.id.desc())).first()
    assert entry.action == "import" and entry.after["year"] == 2024


@pytest.mark.parametrize("structure,expected", [
    ("VBO", ["BB", "KB"]), ("MAVO", ["TL"]), ("VBO/MAVO/HAVO/VWO", ["BB", "KB", "GL", "TL"]), ("HAVO/VWO", []),
])
def test_pathways_for_structure(structure, expected):
    assert pathways_for_structure(structure) == expected


def test_every_gemeente_lies_in_one_of_the_12_provincies_with_a_centre_and_boundary(db_session, reference_data):
    from portal.models import Province
    provinces = db_session.scalars(select(Province)).all()
    assert len(provinces) == 12 and all(p.geometry for p in provinces)
    municipalities = db_session.scalars(select(Municipality)).all()
    assert all(m.province_id and m.geometry and m.label_lat and m.label_lon for m in municipalities)
    by_code = {m.code: m for m in municipalities}
    # Spot checks: a gemeente on an island, one on a provincial border, the capital.
    assert by_code["GM1676"].province.name == "Zeeland"  # Schouwen-Duiveland
    assert by_code["GM0034"].province.name == "Flevoland"  # Almere
    assert by_code["GM0363"].province.name == "Noord-Holland"  # Amsterdam
    per_province = db_session.execute(
        select(Province.name, func.count(Municipality.id)).join(Municipality.province).group_by(Province.name)
    ).all()
    assert sum(n for _, n in per_province) == 342 and len(per_province) == 12


def test_province_file_with_a_bad_code_names_the_feature(db_session):
    from portal.services.reference.areas import import_provinces
    with pytest.raises(ReferenceDataError, match="feature 1: 'XX01' is geen provinciecode"):
        import_provinces(db_session, json.dumps({"type": "FeatureCollection", "features": [feature(code="XX01")]}))


def test_gemeente_boundaries_for_an_unknown_gemeente_load_nothing(db_session):
    from portal.services.reference.areas import import_municipality_boundaries
    with pytest.raises(ReferenceDataError, match="Onbekende gemeente"):
        import_municipality_boundaries(
            db_session, json.dumps({"type": "FeatureCollection", "features": [feature(code="GM9999")]}))


def test_import_repairs_invalid_polygons_and_reports_them(db_session, reference_data):
    """AM24 Zeeland has two holes sharing an edge in the CBS file: stored repaired, and said so."""
    from portal.core.geometry import is_valid_geojson
    raw = require_data_file("arbeidsmarktregio_2024.geojson").read_bytes()
    source = {f["properties"]["statcode"]: f["geometry"] for f in json.loads(raw)["features"]}
    assert not is_valid_geojson(source["AM24"])  # the control: the file's shape is invalid
    report = import_regions(db_session, raw, 2024)
    assert report.notes == ["Ongeldige geometrie hersteld: AM24."]
    stored = dict(db_session.execute(select(Region.code, Region.geometry).where(Region.year == 2024)).all())
    assert all(is_valid_geojson(json.loads(g)) for g in stored.values())
    assert json.loads(stored["AM01"]) == source["AM01"]  # valid shapes are stored as they are


def test_every_served_gemeente_and_provincie_boundary_is_valid(db_session, reference_data):
    """The gemeente file has invalid shapes too (GM1676 Schouwen-Duiveland, GM0293 Westervoort): stored repaired."""
    from portal.core.geometry import is_valid_geojson
    from portal.models import Province
    from portal.services.reference.areas import import_municipality_boundaries
    raw = require_data_file("gemeente_2025.geojson").read_bytes()
    source = {f["properties"]["statcode"]: f["geometry"] for f in json.loads(raw)["features"]}
    assert not is_valid_geojson(source["GM0293"])  # the control: the file's shape is invalid
    report = import_municipality_boundaries(db_session, raw)
    assert report.notes and "GM0293" in report.notes[0]
    shapes = [m.geometry for m in db_session.scalars(select(Municipality))]
    shapes += [p.geometry for p in db_session.scalars(select(Province))]
    assert len(shapes) == 342 + 12 and all(is_valid_geojson(json.loads(g)) for g in shapes)
