"""Programme targets on the dashboard, staff maintaining them at /beheer/doelen,
and the year report with its XLSX read back (issue 17)."""
from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime

import pytest
from markupsafe import escape
from openpyxl import load_workbook
from sqlalchemy import select

from portal.domain import monitoring as rules
from portal.domain.school_year import current_school_year, shift_school_year
from portal.extensions import db
from portal.models import Target
from portal.services.monitoring import snapshots
from portal.services.monitoring.report_pack import DEFINITIONS_SHEET, ROUTES_SHEET, TARGETS_SHEET, sheet_title
from portal.services.monitoring.targets import LETTER_TARGETS, seed_letter_targets
from tests.conftest import login_as
from tests.factories import make_user
from tests.factories_map import make_region_route

NOW = current_school_year()
LAST = shift_school_year(NOW, -1)
LAST_PEILDATUM = date(int(LAST[:4]), 10, 15)


@pytest.fixture
def world(db_session, reference_data):
    seed_letter_targets(db.session)
    kept = make_region_route("AM38", kind_code="dlr", mbo_level_code="2", first_school_year=LAST,
                             title="Synthetische route Zorg (test)")
    archived = make_region_route("AM09", kind_code="glr", mbo_level_code="3", first_school_year=LAST,
                                 title="Synthetische route Techniek (test)")
    return {"kept": kept, "archived": archived}


def status_of(html: str, indicator: str) -> str:
    block = html[html.index(f'data-indicator="{indicator}"'):]
    return re.search(r'data-status="([a-z_]+)"', block).group(1)


def test_seed_adds_the_four_letter_targets_once(db_session, reference_data):
    assert seed_letter_targets(db.session) == 4
    assert seed_letter_targets(db.session) == 0
    targets = db.session.scalars(select(Target)).all()
    assert {t.indicator for t in targets} == {t["indicator"] for t in LETTER_TARGETS}
    assert any("samenwerkingsafspraken hebben geformuleerd" in t.source for t in targets)


def test_the_dashboard_shows_each_target_with_status_line_and_regions_behind(client, world):
    html = client.get("/kaart/dashboard").get_data(as_text=True)
    assert html.count('class="target-line"') == 4
    assert 'data-target="35.0"' in html
    for item in LETTER_TARGETS:
        assert str(escape(item["name"])) in html
    assert status_of(html, "regions_with_route") == "achter"  # 2 of 35 regions, and its year has passed
    # the regions not meeting a target link to their region page; AM38 meets "a route", so is not listed
    block = html[html.index('data-indicator="regions_with_route"'):html.index('data-indicator="regions_bbkb')]
    assert "/regio/AM01" in block and "/regio/AM38?" not in block
    assert str(escape(rules.INDICATORS["regions_matching_level"].definition)) in html
    assert "actueel" in html and "berekend achteraf, geen vastgestelde stand" in html


def test_a_reached_target_is_behaald(client, world):
    db.session.add(Target(name="Synthetisch doel: twee regio's", indicator="regions_with_route", target_value=2,
                          target_school_year=shift_school_year(NOW, 3), source="Testbron (synthetisch)"))
    db.session.flush()
    html = client.get("/kaart/dashboard").get_data(as_text=True)
    block = html[html.index(str(escape("Synthetisch doel: twee regio's"))):]
    assert re.search(r'data-status="([a-z_]+)"', block).group(1) == "behaald"


def test_past_years_come_from_the_snapshot_after_a_route_is_archived(client, world):
    snapshots.take_snapshot(db.session, LAST_PEILDATUM)
    world["archived"].archived_at = datetime.now(UTC)
    db.session.flush()
    html = client.get("/kaart/dashboard").get_data(as_text=True)
    assert f"stand op {LAST_PEILDATUM:%d-%m-%Y}" in html
    report = client.get(f"/kaart/rapportage/{NOW}").get_data(as_text=True)
    row = report[report.index('data-indicator="regions_with_route"'):]
    row = row[:row.index("</tr>")]
    assert "2 van 35" in row and "1 van 35" in row and "-1" in row  # frozen last year, live this year


def test_staff_add_a_fifth_target_and_bad_input_is_refused_at_the_field(client, world):
    login_as(client, make_user("staff"))
    response = client.post("/beheer/doelen/nieuw", data={
        "name": "Synthetisch doel", "indicator": "vmbo_share", "target_value": "150",
        "target_school_year": "2026", "source": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Een percentage is hoogstens 100." in html and "Schrijf het schooljaar als" in html
    assert "Dit veld is verplicht." in html  # the source
    assert db.session.scalar(select(Target).where(Target.name == "Synthetisch doel")) is None
    response = client.post("/beheer/doelen/nieuw", data={
        "name": "Synthetisch doel", "indicator": "vmbo_share", "target_value": "50",
        "target_school_year": "2027-2028", "source": "Testbron (synthetisch)"})
    assert response.status_code == 302
    target = db.session.scalar(select(Target).where(Target.name == "Synthetisch doel"))
    assert target.target_value == 50 and target.indicator == "vmbo_share"
    assert len(db.session.scalars(select(Target)).all()) == 5
    html = client.get("/kaart/dashboard").get_data(as_text=True)
    assert "Synthetisch doel" in html and 'data-target="50.0"' in html


def test_staff_edit_and_delete_a_target(client, world):
    login_as(client, make_user("staff"))
    target = db.session.scalars(select(Target).order_by(Target.id)).first()
    response = client.post(f"/beheer/doelen/{target.id}", data={
        "name": "Hernoemd (synthetisch)", "indicator": target.indicator, "target_value": "30",
        "target_school_year": target.target_school_year, "source": target.source,
        "version_id": str(target.version_id)})
    assert response.status_code == 302
    assert db.session.get(Target, target.id).name == "Hernoemd (synthetisch)"
    stale = client.post(f"/beheer/doelen/{target.id}", data={
        "name": "Oud (synthetisch)", "indicator": target.indicator, "target_value": "30",
        "target_school_year": target.target_school_year, "source": target.source, "version_id": "1"})
    assert stale.status_code == 200 and "intussen gewijzigd" in stale.get_data(as_text=True)
    assert client.post(f"/beheer/doelen/{target.id}/verwijderen").status_code == 302
    assert db.session.get(Target, target.id) is None


def test_year_report_xlsx_round_trips(client, world):
    snapshots.take_snapshot(db.session, LAST_PEILDATUM)
    response = client.get(f"/kaart/rapportage/{LAST}/rapport.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data), read_only=True)
    names = book.sheetnames
    assert names[:2] == [DEFINITIONS_SHEET, TARGETS_SHEET] and names[-1] == ROUTES_SHEET
    assert all(sheet_title(i) in names for i in rules.INDICATORS.values())
    definitions = list(book[DEFINITIONS_SHEET].values)
    assert (rules.INDICATORS["vmbo_share"].name, rules.INDICATORS["vmbo_share"].definition, "%") in definitions
    assert any(f"stand op {LAST_PEILDATUM:%d-%m-%Y}" in str(row[1]) for row in definitions if row and row[0] == "Stand")
    rows = list(book[sheet_title(rules.INDICATORS["regions_with_route"])].values)
    national = next(r for r in rows if r[0] == "NL")
    assert national[3] == 2
    assert next(r for r in rows if r[0] == "AM38")[3] == 1
    routes = list(book[ROUTES_SHEET].values)
    assert {r[0] for r in routes[2:]} == {world["kept"].id, world["archived"].id}
    targets = list(book[TARGETS_SHEET].values)
    assert len(targets) == 5 and {r[5] for r in targets[1:]} <= {"Behaald", "Op koers", "Achter"}


def test_compare_two_snapshots_and_the_print_page(client, world):
    first = snapshots.take_snapshot(db.session, LAST_PEILDATUM)
    world["archived"].archived_at = datetime.now(UTC)
    db.session.flush()
    second = snapshots.take_snapshot(db.session, LAST_PEILDATUM)
    html = client.get(f"/kaart/rapportage/vergelijk?van={first.id}&tot={second.id}").get_data(as_text=True)
    row = html[html.index('<tr data-indicator="regions_with_route"'):]
    row = row[:row.index("</tr>")]
    assert "2 van 35" in row and "1 van 35" in row and "-1" in row
    assert client.get(f"/kaart/rapportage/vergelijk?van={first.id}&tot=999999").status_code == 404
    book = load_workbook(io.BytesIO(client.get(
        f"/kaart/rapportage/vergelijk/rapport.xlsx?van={first.id}&tot={second.id}").data), read_only=True)
    assert ROUTES_SHEET in book.sheetnames
    printed = client.get(f"/kaart/rapportage/{LAST}/afdrukken").get_data(as_text=True)
    assert "print-report" in printed and "<details" not in printed
    assert client.get("/kaart/rapportage/2025").status_code == 404
    assert "Twee standen vergelijken" in client.get("/kaart/rapportage/").get_data(as_text=True)


def test_the_region_page_shows_its_indicators_frozen_for_a_past_year(client, world):
    snapshots.take_snapshot(db.session, LAST_PEILDATUM)
    world["archived"].archived_at = datetime.now(UTC)
    db.session.flush()
    html = client.get(f"/regio/AM09?school_year={NOW}").get_data(as_text=True)
    table = html[html.index('id="regio-indicatoren"'):]
    rows = {m.group(1): m.group(2) for m in re.finditer(r'<th scope="row">(\d{4}-\d{4})</th>(.*?)</tr>', table, re.S)}
    assert f"stand op {LAST_PEILDATUM:%d-%m-%Y}" in rows[LAST] and "actueel" in rows[NOW]
    # AM09 had its (now archived) route when the stand was taken; live it has none
    assert re.search(r'data-indicator="regions_with_route">ja<', rows[LAST])
    assert re.search(r'data-indicator="regions_with_route">nee<', rows[NOW])
