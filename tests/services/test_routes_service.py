"""The route service: rules enforced, audit with before/after, optimistic
locking with the other person's change, archive/restore."""
import pytest
from sqlalchemy import select

from portal.core.errors import ConflictError, ServiceError
from portal.models import AuditLog, LearningRoute
from portal.services.learning_routes import history as route_history
from portal.services.learning_routes import listing
from portal.services.learning_routes import operations as service
from tests.factories import make_organisation, make_user
from tests.factories_routes import RouteWorld, make_school, route_data


@pytest.fixture
def world(db_session):
    return RouteWorld()


def audit_entries(session, route):
    return list(session.scalars(select(AuditLog).where(AuditLog.object_type == "learning_route",
                                                       AuditLog.object_id == route.id).order_by(AuditLog.id)))


def test_register_route_writes_the_route_and_an_audit_entry(db_session, world):
    route = service.register_route(db_session, route_data(world.school, world.roc), world.coordinator)
    assert route.id and route.kind_code == "glr" and route.mbo_level_code == "2"
    assert [p.organisation_id for p in route.parties] == [world.school.id, world.roc.id]
    assert [p.code for p in route.pathways] == ["BB"]
    (entry,) = audit_entries(db_session, route)
    assert entry.action == "create" and entry.actor_id == world.coordinator.id
    assert entry.after["title"] == "GLR Zorg" and entry.after["vmbo_parties"] == [world.school.display_name]


def test_register_route_refuses_broken_rules_with_messages_at_the_fields(db_session, world):
    with pytest.raises(ServiceError) as caught:
        service.register_route(db_session, route_data(world.school, world.roc, mbo_level="3", mbo_parties=[]),
                               world.coordinator)
    assert "mbo-niveau 2" in " ".join(caught.value.errors["mbo_level"])
    assert "mbo-instelling" in " ".join(caught.value.errors["mbo_parties"])
    assert db_session.scalar(select(LearningRoute).where(LearningRoute.title == "GLR Zorg")) is None


def test_a_coordinator_registers_only_routes_of_their_own_organisation(db_session, world):
    with pytest.raises(ServiceError) as caught:
        service.register_route(db_session, route_data(world.other_school, world.other_roc), world.coordinator)
    assert "eigen organisatie" in " ".join(caught.value.errors["vmbo_parties"])
    # the mbo coordinator's message lands on the mbo field
    with pytest.raises(ServiceError) as caught:
        service.register_route(db_session, route_data(world.school, world.other_roc), world.mbo_coordinator)
    assert "mbo_parties" in caught.value.errors
    # staff register for anyone
    assert service.register_route(db_session, route_data(world.other_school, world.other_roc), world.staff).id


def test_a_school_that_does_not_offer_the_leerweg_is_refused(db_session, world):
    tl_only = make_school(pathways=("TL",), name="Mavo Alleen TL")
    user = make_user("coordinator", tl_only)
    with pytest.raises(ServiceError) as caught:
        service.register_route(db_session, route_data(tl_only, world.roc), user)
    assert "Mavo Alleen TL biedt geen van de gekozen leerwegen" in " ".join(caught.value.errors["vmbo_parties"])


def test_a_missing_profiel_is_only_a_warning(db_session, world):
    school = make_school(profiles=("HBR",), name="Vmbo Horeca")
    route = service.register_route(db_session, route_data(school, world.roc), world.staff)
    assert any("Vmbo Horeca" in m for m in route.rule_warnings["profiles"])


def test_update_records_each_changed_field_before_and_after(db_session, world):
    route = service.register_route(db_session, route_data(world.school, world.roc), world.coordinator)
    version = route.version_id
    data = route_data(world.school, world.roc, title="GLR Zorg en welzijn", employer_parties=[])
    service.update_route(db_session, route, data, world.mbo_coordinator, expected_version=version)
    assert route.version_id == version + 1
    entry = audit_entries(db_session, route)[-1]
    assert entry.action == "update" and entry.actor_id == world.mbo_coordinator.id
    assert entry.before["title"] == "GLR Zorg" and entry.after["title"] == "GLR Zorg en welzijn"
    assert "crebo" not in entry.after  # unchanged fields are not listed
    assert [(f, b, a) for f, b, a in route_history.field_changes(entry)] == [("title", "GLR Zorg", "GLR Zorg en welzijn")]


def test_changing_only_the_parties_still_moves_the_version(db_session, world):
    route = service.register_route(db_session, route_data(world.school, world.roc), world.staff)
    version = route.version_id
    employer = make_organisation("employer", name="Bakkerij Test")
    service.update_route(db_session, route, route_data(world.school, world.roc, employer_parties=[employer.id]),
                         world.staff, expected_version=version)
    assert route.version_id == version + 1
    entry = audit_entries(db_session, route)[-1]
    assert entry.before["employer_parties"] == [] and entry.after["employer_parties"] == ["Bakkerij Test"]


def test_a_stale_version_raises_a_conflict_with_the_other_change_and_writes_nothing(db_session, world):
    route = service.register_route(db_session, route_data(world.school, world.roc), world.coordinator)
    opened = route.version_id
    service.update_route(db_session, route, route_data(world.school, world.roc, pupils_per_cohort=20),
                         world.mbo_coordinator, expected_version=opened)
    with pytest.raises(ConflictError) as caught:
        service.update_route(db_session, route, route_data(world.school, world.roc, title="Mijn titel"),
                             world.coordinator, expected_version=opened)
    conflict = caught.value
    assert world.mbo_coordinator.name in conflict.errors["__all__"][0]
    assert [(c["label"], c["before"], c["after"]) for c in conflict.changes] == [("Leerlingen per cohort", "–", "20")]
    assert conflict.current_version == route.version_id
    assert route.title == "GLR Zorg"


def test_the_coordinator_cannot_remove_their_own_organisation(db_session, world):
    route = service.register_route(db_session, route_data(world.school, world.roc), world.coordinator)
    with pytest.raises(ServiceError):
        service.update_route(db_session, route, route_data(world.other_school, world.roc), world.coordinator,
                             expected_version=route.version_id)


def test_archive_and_restore_are_audited_and_not_repeated(db_session, world):
    route = service.register_route(db_session, route_data(world.school, world.roc), world.coordinator)
    service.archive_route(db_session, route, world.coordinator)
    assert route.archived_at is not None
    with pytest.raises(ServiceError):
        service.archive_route(db_session, route, world.coordinator)
    service.restore_route(db_session, route, world.staff)
    assert route.archived_at is None
    actions = [e.action for e in audit_entries(db_session, route)]
    assert actions == ["create", "archive", "restore"]
    entry = audit_entries(db_session, route)[-1]
    assert route_history.field_changes(entry) == [("archived", True, False)]


def test_status_rule_lives_in_one_place(db_session, world):
    route = service.register_route(db_session, route_data(world.school, world.roc, status="beeindigd"), world.staff)
    with pytest.raises(ServiceError) as caught:
        service.update_route(db_session, route, route_data(world.school, world.roc, status="concept"), world.staff,
                             expected_version=route.version_id)
    assert "status" in caught.value.errors


def test_regions_are_derived_from_the_vmbo_parties(db_session, reference_data):
    from portal.models import Organisation
    from portal.services.reference.boundaries import current_region_year
    perron = db_session.scalar(select(Organisation).where(Organisation.vestigingscode == "02MF00"))
    insula = db_session.scalar(select(Organisation).where(Organisation.vestigingscode == "02CI01"))
    roc = make_organisation("mbo", name="ROC Ergens")
    staff = make_user("staff")
    route = service.register_route(db_session, route_data(perron, roc, vmbo_parties=[perron.id, insula.id],
                                                          pathways=["KB"]), staff)
    regions = listing.regions_for_routes(db_session, [route.id], current_region_year(db_session))[route.id]
    # One region per vmbo party, in name order (the service sorts by name).
    assert [(r.code, r.name) for r in regions] == [("AM23", "Drechtsteden"), ("AM38", "FoodValley")]
