"""The synthetic data generator: deterministic for a seed, labelled synthetic,
realistic distributions. Small scales keep the suite fast."""
from __future__ import annotations

from collections import Counter
from statistics import median

import pytest
from sqlalchemy import func, select

from portal.core import data_version
from portal.core.errors import ServiceError
from portal.core.settings import DATASET_LABEL, get_setting
from portal.devdata.generator import GENERATED, generate
from portal.models import (
    AuditLog,
    LearningRoute,
    MunicipalityRegion,
    Organisation,
    Region,
    RouteParty,
    User,
    organisation_profiles,
    route_profiles,
)
from tests.conftest import DATA_DIR

pytestmark = pytest.mark.usefixtures("reference_data")


def _snapshot(session) -> dict:
    """Counts and the first rows, without database ids (sequences differ between runs)."""
    from portal.models.agreement import Agreement, FundingShare
    from portal.models.practice import GoodPractice
    counts = {model.__tablename__: session.scalar(select(func.count()).select_from(model))
              for model in (Organisation, User, LearningRoute, RouteParty, Agreement, FundingShare, GoodPractice)}
    routes = session.execute(
        select(LearningRoute.title, LearningRoute.kind_code, LearningRoute.mbo_level_code,
               LearningRoute.status, LearningRoute.first_school_year, LearningRoute.created_at)
        .where(LearningRoute.is_demo.is_(True)).order_by(LearningRoute.id).limit(15)).all()
    parties = session.execute(
        select(Organisation.name, RouteParty.role).join(Organisation, Organisation.id == RouteParty.organisation_id)
        .join(LearningRoute, LearningRoute.id == RouteParty.route_id).where(LearningRoute.is_demo.is_(True))
        .order_by(RouteParty.id).limit(30)).all()
    shares = session.execute(
        select(Agreement.title, FundingShare.stream, FundingShare.school_year, FundingShare.percentage)
        .join(Agreement, Agreement.id == FundingShare.agreement_id).order_by(FundingShare.id).limit(20)).all()
    practices = session.scalars(select(GoodPractice.title).order_by(GoodPractice.id).limit(10)).all()
    users = session.execute(select(User.email, User.name, User.role).where(User.is_demo.is_(True))
                            .order_by(User.id).limit(10)).all()
    return {"counts": counts, "routes": routes, "parties": parties, "shares": shares,
            "practices": practices, "users": users}


def _generate_and_snapshot(session, **kwargs) -> dict:
    savepoint = session.begin_nested()
    try:
        generate(session, data_dir=DATA_DIR, **kwargs)
        return _snapshot(session)
    finally:
        savepoint.rollback()


def test_same_seed_gives_the_same_data_and_another_seed_does_not(db_session):
    first = _generate_and_snapshot(db_session, scale=0.05, seed=42)
    second = _generate_and_snapshot(db_session, scale=0.05, seed=42)
    other = _generate_and_snapshot(db_session, scale=0.05, seed=43)
    assert first["counts"]["learning_routes"] >= 75
    assert first["routes"] and first["parties"] and first["shares"] and first["practices"]
    assert first == second
    assert other["routes"] != first["routes"]


def test_scale_sets_the_numbers(db_session):
    report = generate(db_session, scale=0.1, seed=1, data_dir=DATA_DIR)
    assert report.counts["leerroutes"] == 150
    assert report.counts["overeenkomsten"] == 90
    assert report.counts["goede voorbeelden"] == 40
    assert report.counts["gebruikers"] == 30
    assert report.counts["mbo-instellingen"] == round(65 * 0.1)
    assert report.counts["werkgevers"] == 100
    assert report.counts["vmbo-vestigingen"] == 1176  # the real vestigingen, never fewer


def test_the_data_set_is_labelled_synthetic_and_audited_once(db_session, client):
    version_before = data_version.read(db_session)
    audit_before = db_session.scalar(select(func.count(AuditLog.id)))
    generate(db_session, scale=0.02, seed=5, data_dir=DATA_DIR)
    assert get_setting(db_session, DATASET_LABEL) == "synthetic"
    assert data_version.read(db_session) != version_before
    entries = db_session.scalars(select(AuditLog).where(AuditLog.id > 0).order_by(AuditLog.id.desc())
                                 .limit(db_session.scalar(select(func.count(AuditLog.id))) - audit_before)).all()
    assert [e.action for e in entries] == ["generate"]
    assert db_session.scalar(select(func.count(LearningRoute.id)).where(LearningRoute.is_demo.is_(False))) == 0
    assert db_session.scalar(select(func.count(User.id)).where(User.is_demo.is_(False))) == 0
    page = client.get("/").get_data(as_text=True)
    assert "Synthetische data" in page
    with pytest.raises(ServiceError):
        generate(db_session, scale=0.02, seed=5, data_dir=DATA_DIR)
    assert get_setting(db_session, GENERATED) == "scale=0.02 seed=5"


def test_distributions_are_realistic(db_session):
    generate(db_session, scale=0.3, seed=3, data_dir=DATA_DIR)
    vocational = ("BWI", "DP", "EO", "GR", "HBR", "MAT", "MVI", "MT", "PIE", "ZW")
    per_school = Counter(db_session.scalars(
        select(organisation_profiles.c.organisation_id)
        .where(organisation_profiles.c.profile_code.in_(vocational))))
    counts = Counter(per_school.values())
    assert sum(n for k, n in counts.items() if 1 <= k <= 3) / sum(counts.values()) > 0.7
    by_profile = Counter(db_session.scalars(
        select(organisation_profiles.c.profile_code).where(organisation_profiles.c.profile_code.in_(vocational))))
    assert by_profile.most_common(1)[0][0] == "ZW"
    assert by_profile["MT"] == min(by_profile.values())
    assert by_profile["MT"] < by_profile["ZW"] / 10
    route_profile = Counter(db_session.scalars(select(route_profiles.c.profile_code)))
    assert route_profile["ZW"] > 5 * route_profile["MT"]

    year = db_session.scalar(select(func.max(Region.year)))
    routes_per_region = dict(db_session.execute(
        select(Region.code, func.count(func.distinct(RouteParty.route_id)))
        .select_from(Region)
        .outerjoin(MunicipalityRegion, MunicipalityRegion.region_id == Region.id)
        .outerjoin(Organisation, Organisation.municipality_id == MunicipalityRegion.municipality_id)
        .outerjoin(RouteParty, (RouteParty.organisation_id == Organisation.id) & (RouteParty.role == "vmbo"))
        .where(Region.year == year).group_by(Region.code)).all())
    assert len(routes_per_region) == 35
    empty = [code for code, n in routes_per_region.items() if n == 0]
    assert 1 <= len(empty) <= 5
    busy = sorted(routes_per_region.values())
    assert busy[-1] > 3 * median(busy)
    years = set(db_session.scalars(select(LearningRoute.first_school_year)))
    assert len(years) >= 5


def test_generated_practices_are_found_by_the_library_search(db_session):
    """The generator fills the library's search support (full-text index of
    the published practices, facet keys) the way the practices service does."""
    from portal.models.practice import GoodPractice
    from portal.services.practices.queries import Filters, search_practices
    generate(db_session, scale=0.05, seed=8, data_dir=DATA_DIR)
    published_with_word = db_session.scalar(select(func.count(GoodPractice.id)).where(
        GoodPractice.title.ilike("%techniek%"), GoodPractice.status == "gepubliceerd"))
    assert published_with_word > 0
    result = search_practices(db_session, Filters.from_args({"q": "techniek"}))
    assert result.total >= published_with_word
    assert all(hit.practice.status == "gepubliceerd" for hit in result.hits)
    facet_total = sum(f.count for facets in result.facets.values() for f in facets)
    assert facet_total >= result.total  # every practice has a theme, region, level and domain


def test_without_reference_files_the_geography_and_schools_are_synthetic(tmp_path):
    """A fresh database and no data directory: 35 synthetic regions, 342
    gemeenten and 1,176 synthetic vestigingen, labelled as such."""
    from flask_migrate import upgrade

    from portal import create_app
    from portal.config import TestConfig
    from portal.extensions import db

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        PORTAL_DATA_DIR = None

    app = create_app(Config)
    with app.app_context():
        upgrade()
        report = generate(db.session, scale=0.01, seed=4, data_dir=None)
        db.session.commit()
        assert db.session.scalar(select(func.count(Region.id))) == 35
        assert db.session.scalar(select(func.count(MunicipalityRegion.id))) == 342
        schools = db.session.scalar(select(func.count(Organisation.id)).where(
            Organisation.kind == "vmbo", Organisation.is_demo.is_(True), Organisation.lat.is_not(None)))
        assert schools == report.counts["vmbo-vestigingen"] == 1176
        assert any("synthetische" in note for note in report.notes)
        assert report.counts["leerroutes"] == 15
        db.session.remove()
        db.engine.dispose()


def test_the_cli_command_generates_once_and_then_refuses(app, db_session):
    runner = app.test_cli_runner()
    args = ["demo", "generate", "--scale", "0.01", "--seed", "2", "--data-dir", str(DATA_DIR)]
    first = runner.invoke(args=args)
    assert first.exit_code == 0, first.output
    assert "15 leerroutes" in first.output and "synthetisch" in first.output.lower()
    second = runner.invoke(args=args)
    assert second.exit_code != 0
    assert "al synthetische data" in second.output
