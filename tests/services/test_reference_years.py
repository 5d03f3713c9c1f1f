"""Switching to a new year's indeling safely: a loaded year is used only once
its regions and gemeenten are both complete (or on request); a year not in use
can be removed. Through the services and through `flask geo` (CLI runner).

The 2025 files are loaded again as "2026" (the same indeling a year on) and
as "2024" (an older year loaded for reference)."""
from __future__ import annotations

import pytest
from sqlalchemy import delete, event, func, select

from portal.core.errors import ServiceError
from portal.core.settings import get_setting
from portal.extensions import db
from portal.models import AuditLog, Municipality, MunicipalityRegion, Region, Setting
from portal.services.learning_routes import listing as route_list
from portal.services.reference import region_years
from portal.services.reference.boundaries import current_region_year, import_municipalities, import_regions
from tests.conftest import require_data_file
from tests.factories import make_user
from tests.factories_practices import make_practice

REGIONS = "arbeidsmarktregio_2025.geojson"
GEMEENTEN = "gemeente_arbeidsmarktregio_2025.csv"


def regions_raw() -> bytes:
    return require_data_file(REGIONS).read_bytes()


def gemeenten_raw(without_region: str | None = None) -> str:
    text = require_data_file(GEMEENTEN).read_text(encoding="utf-8")
    if without_region:
        text = "\n".join(line for line in text.splitlines() if line.split(",")[2] != without_region)
    return text


def load(session, year: int, gemeenten: bool = True) -> None:
    import_regions(session, regions_raw(), year)
    if gemeenten:
        import_municipalities(session, gemeenten_raw(), year)


def count(session, model, year: int) -> int:
    return session.scalar(select(func.count(model.id)).where(model.year == year))


# --- services ------------------------------------------------------------------------

def test_the_reference_data_is_complete_and_in_use(db_session, reference_data):
    status = region_years.year_status(db_session, 2025)
    assert status.complete and status.current and status.problems() == []
    assert current_region_year(db_session) == 2025


def test_new_regions_alone_leave_the_current_year_in_use(db_session, reference_data):
    import_regions(db_session, regions_raw(), 2026)
    assert current_region_year(db_session) == 2025
    assert route_list.newest_regions(db_session)[0] == 2025  # the route list's region facet agrees
    status = region_years.year_status(db_session, 2026)
    assert not status.complete and not status.current
    assert status.problems() == ["de gemeenten (koppeling gemeente → regio) zijn nog niet geladen"]


def test_the_gemeenten_complete_the_year_and_switch_to_it_audited(db_session, reference_data):
    load(db_session, 2026)
    assert current_region_year(db_session) == 2026
    assert get_setting(db_session, region_years.ACTIVE_REGION_YEAR) == "2026"
    entry = db_session.scalars(select(AuditLog).where(AuditLog.object_type == "region_set",
                                                      AuditLog.action == "activate")
                               .order_by(AuditLog.id.desc())).first()
    assert entry.object_id == 2026 and entry.before["year"] == 2025 and entry.after["year"] == 2026


def test_an_older_year_loaded_completely_does_not_switch(db_session, reference_data):
    load(db_session, 2024)
    assert region_years.year_status(db_session, 2024).complete
    assert current_region_year(db_session) == 2025


@pytest.mark.parametrize("spoil, problem", [
    ("boundary", "1 van de 35 regio's hebben geen grens"),
    ("gemeente", "1 van de 35 regio's hebben geen gemeente"),
])
def test_a_region_without_boundary_or_gemeente_keeps_the_year_incomplete(db_session, reference_data, spoil, problem):
    import_regions(db_session, regions_raw(), 2026)
    if spoil == "boundary":
        db_session.scalar(select(Region).where(Region.year == 2026, Region.code == "AM01")).geometry = None
        db_session.flush()
        import_municipalities(db_session, gemeenten_raw(), 2026)
    else:
        import_municipalities(db_session, gemeenten_raw(without_region="AM01"), 2026)
    status = region_years.year_status(db_session, 2026)
    assert not status.complete and status.problems() == [problem]
    assert current_region_year(db_session) == 2025


def test_gemeenten_mapped_to_another_years_region_keep_the_year_incomplete(db_session, reference_data):
    load(db_session, 2026)
    region_years.activate_region_year(db_session, 2025)
    membership = db_session.scalars(select(MunicipalityRegion).where(MunicipalityRegion.year == 2026)).first()
    membership.region_id = db_session.scalar(select(Region.id).where(Region.year == 2025, Region.code == "AM01"))
    db_session.flush()
    status = region_years.year_status(db_session, 2026)
    assert status.mapped_elsewhere == 1 and not status.complete
    assert not region_years.activate_if_complete(db_session, 2026)


def test_without_a_stored_year_the_newest_complete_year_is_used(db_session, reference_data):
    """A database loaded before the setting existed keeps working: the newest
    complete year; with no complete year at all, the newest loaded one."""
    import_regions(db_session, regions_raw(), 2026)
    db_session.execute(delete(Setting).where(Setting.key == region_years.ACTIVE_REGION_YEAR))
    assert current_region_year(db_session) == 2025
    db_session.execute(delete(MunicipalityRegion).where(MunicipalityRegion.year == 2025))
    assert current_region_year(db_session) == 2026


def test_activate_forces_an_incomplete_or_older_year_and_refuses_an_unloaded_one(db_session, reference_data):
    import_regions(db_session, regions_raw(), 2026)
    status = region_years.activate_region_year(db_session, 2026)
    assert not status.complete
    assert current_region_year(db_session) == 2026
    region_years.activate_region_year(db_session, 2025)
    assert current_region_year(db_session) == 2025
    with pytest.raises(ServiceError, match="Er zijn geen arbeidsmarktregio's van 2031 geladen"):
        region_years.activate_region_year(db_session, 2031)


def test_current_region_year_is_one_statement(db_session, reference_data):
    statements = []

    def seen(conn, cursor, statement, *args):
        if not statement.startswith(("SAVEPOINT", "RELEASE")):  # the test's transaction, not the app's
            statements.append(statement)
    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        assert current_region_year(db_session) == 2025
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    assert len(statements) == 1


def test_drop_refuses_the_year_in_use(db_session, reference_data):
    with pytest.raises(ServiceError, match="Indeling 2025 is nu in gebruik en kan niet worden verwijderd"):
        region_years.drop_region_year(db_session, 2025)
    assert count(db_session, Region, 2025) == 35


def test_drop_refuses_a_year_that_good_practices_point_at(db_session, reference_data):
    load(db_session, 2024)
    region = db_session.scalar(select(Region).where(Region.year == 2024, Region.code == "AM01"))
    make_practice(make_user("staff"), region_ids=[region.id])
    with pytest.raises(ServiceError, match="1 goede voorbeeld\\(en\\) verwijzen naar regio's van 2024"):
        region_years.drop_region_year(db_session, 2024)
    assert count(db_session, Region, 2024) == 35


def test_drop_removes_a_year_not_in_use_audited(db_session, reference_data):
    load(db_session, 2024)
    db_session.add(Municipality(code="GM9990", name="Alleen in 2024"))
    db_session.flush()
    db_session.add(MunicipalityRegion(
        municipality_id=db_session.scalar(select(Municipality.id).where(Municipality.code == "GM9990")),
        region_id=db_session.scalar(select(Region.id).where(Region.year == 2024, Region.code == "AM01")), year=2024))
    db_session.flush()
    report = region_years.drop_region_year(db_session, 2024)
    assert (report.regions, report.memberships, report.municipalities) == (35, 343, 1)
    assert count(db_session, Region, 2024) == 0 and count(db_session, MunicipalityRegion, 2024) == 0
    assert count(db_session, Region, 2025) == 35 and count(db_session, MunicipalityRegion, 2025) == 342
    assert db_session.scalar(select(func.count(Municipality.id))) == 342  # the 2025 gemeenten stay
    assert current_region_year(db_session) == 2025
    entry = db_session.scalars(select(AuditLog).where(AuditLog.object_type == "region_set", AuditLog.action == "drop")
                               .order_by(AuditLog.id.desc())).first()
    assert entry.object_id == 2024 and entry.before["regions"] == 35


# --- the CLI ---------------------------------------------------------------------------

def geo(app, *args, input=None):
    return app.test_cli_runner().invoke(args=["geo", *map(str, args)], input=input)


def test_cli_regions_then_gemeenten_switch_only_when_complete(app, db_session, reference_data):
    first = geo(app, "import", require_data_file(REGIONS), "--year", 2026)
    assert first.exit_code == 0, first.output
    assert "Nog niet compleet: de gemeenten (koppeling gemeente → regio) zijn nog niet geladen" in first.output
    assert "De portal blijft indeling 2025 gebruiken tot 2026 compleet is" in first.output
    assert current_region_year(db_session) == 2025

    second = geo(app, "import-municipalities", require_data_file(GEMEENTEN), "--year", 2026)
    assert second.exit_code == 0, second.output
    assert "De portal gebruikt nu indeling 2026." in second.output
    assert current_region_year(db_session) == 2026
    years = geo(app, "years")
    assert "Indeling 2026: 35 regio's (35 met grens), 342 gemeenten; in gebruik." in years.output
    assert "Indeling 2025: 35 regio's (35 met grens), 342 gemeenten; compleet." in years.output


def test_cli_activate_flag_forces_the_year(app, db_session, reference_data):
    result = geo(app, "import", require_data_file(REGIONS), "--year", 2026, "--activate")
    assert result.exit_code == 0, result.output
    assert "De portal gebruikt nu indeling 2026." in result.output
    assert "Let op: indeling 2026 is niet compleet" in result.output
    assert current_region_year(db_session) == 2026
    back = geo(app, "activate", 2025)
    assert back.exit_code == 0 and current_region_year(db_session) == 2025


def test_cli_drop_year_refuses_the_current_year_and_removes_another(app, db_session, reference_data):
    refused = geo(app, "drop-year", 2025, "--yes")
    assert refused.exit_code != 0
    assert "Indeling 2025 is nu in gebruik en kan niet worden verwijderd" in refused.output
    assert count(db_session, Region, 2025) == 35

    assert geo(app, "import", require_data_file(REGIONS), "--year", 2026).exit_code == 0
    kept = geo(app, "drop-year", 2026, input="n\n")  # asks first
    assert kept.exit_code != 0 and count(db_session, Region, 2026) == 35
    dropped = geo(app, "drop-year", 2026, input="y\n")
    assert dropped.exit_code == 0, dropped.output
    assert "Indeling 2026 verwijderd: 35 regio's" in dropped.output
    assert count(db_session, Region, 2026) == 0 and current_region_year(db_session) == 2025
