"""Every service write produces an audit entry.

The public functions of every module in portal/services are found by
introspection. Each one is either
- a WRITE: a case below calls it with valid input (made by the factories) and
  the test asserts a new audit row for that object and action;
- READ_ONLY: it changes nothing (its source is checked for the obvious write
  calls, so the list stays honest);
- or NOT_AUDITED, with the reason (the audit log itself, derived search
  index rows, login-throttle counters, whole-database backup/restore, files
  on disk, building blocks of an audited use case).

A new public service function that is in none of the three fails
test_every_service_function_is_classified, so a write cannot be added without
an audit case.
"""
from __future__ import annotations

import importlib
import inspect
import io
import pkgutil
import re
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

import portal.core
import portal.devdata
import portal.services
from portal.models import AuditLog
from tests.factories import PASSWORD, make_organisation, make_user
from tests.factories_agreements import make_agreement, make_parties_and_route
from tests.factories_practices import PDF_BYTES, make_practice, practice_data
from tests.factories_routes import RouteWorld, route_data

READ_ONLY: dict[str, set[str]] = {
    "core.code_version": {"code_version"},
    "services.monitoring.facts": {"load_facts"},
    "services.monitoring.indicators": {"indicator_years", "snapshot_year"},
    "services.monitoring.progress": {"dashboard_progress", "progress_of", "regions_behind"},
    "services.monitoring.report": {"build", "find_snapshot", "first_counted_year", "snapshot_report", "year_report"},
    "services.monitoring.report_pack": {"report_xlsx", "sheet_title"},
    "services.monitoring.snapshots": {"freeze", "latest_per_school_year", "list_snapshots", "results_of",
                                      "route_rows", "snapshot_data"},
    "services.monitoring.targets": {"list_targets"},
    "services.agreements.queries": {"today", "current_status", "share_lines", "needs_full_coverage", "guarantee_check",
                                    "checklist", "allocations", "list_agreements", "list_expiring", "list_archived",
                                    "agreements_for_route", "routes_for", "version_diff", "activation_school_year",
                                    "activation_errors", "in_force_in", "routes_covered_in"},
    "services.agreements.snapshots": {"content_snapshot", "full_snapshot"},
    "services.learning_routes.duplicates": {"find_duplicate", "normal_title", "route_keys"},
    "services.agreements.changes": {"check_version", "ensure_editable"},
    "services.agreements.funding": {"validate_funding", "validate_guarantee"},
    "core.backup": {"check_postgres_tools"},
    "core.audit": {"changes_since"},
    "services.coverage.figures": {"selection_filters", "selected_route_ids", "region_pairs", "is_active_selection",
                 "region_figures", "schools_without_route",
                 "region_geometries", "add_organisation_figures", "count_schools_without_route", "vmbo_parties"},
    "services.coverage.export": {"region_rows", "goal_rows", "to_csv", "to_xlsx", "export_name"},
    "services.coverage.region": {"region_detail", "agreement_figures", "practices_for_region", "region_selection",
                        "region_organisations", "region_schools_without_route"},
    "services.coverage.trend": {"first_school_year", "trend", "counted_routes", "region_trend"},
    "core.id_sets": {"id_set", "id_set_parameter", "id_set_value"},
    "core.geometry": {"compact_geometry"},
    "core.local_time": {"local", "display", "iso"},
    "core.spreadsheets": {"csv_cell", "xlsx_text", "xlsx_cell", "append_row"},
    # (its cached statement builders, functools.lru_cache objects, are not functions to the check)
    "services.coverage.region_reads": {"in_region", "selected", "municipalities", "organisations_query", "schools_query"},
    "devdata.rows": {"stamp"},
    "core.idempotency": {"valid_key", "find", "submissions_for"},
    "devdata.content": {"weighted", "weighted_sample", "person_name", "paragraph", "school_year"},
    "services.coverage.map_data": {"map_data"},
    "services.accounts.passwords": {"hash_password", "verify_password", "needs_rehash", "password_policy_errors"},
    "services.practices.queries": {"search_practices", "practices_for_region", "related_practices", "moderation_queue",
                         "practices_by_author", "list_archived"},
    "services.practices.operations": {"snapshot"},
    "services.reference.boundaries": {"current_region_year", "parse_region_geojson"},
    "services.reference.region_years": {"year_statuses", "year_status"},
    "services.reference.schools": {"pathways_for_structure"},
    "services.reference.files": {"read_csv"},
    "services.learning_routes.filters": {"route_region_pairs", "route_region_pairs_select", "visibility_clause", "filter_clauses", "filtered_routes",
                                         "active_in", "state_clause", "state_expression"},
    "services.learning_routes.export": {"export_header", "export_rows", "to_csv", "to_xlsx"},
    "services.learning_routes.csv_import": {"template_csv", "parse_csv", "row_to_input"},
    "services.learning_routes.listing": {"route_options", "page_of_routes", "all_routes", "list_counts", "newest_regions",
                   "school_year_choices", "organisations_by_id", "organisation_region",
                   "search_organisations", "routes_of_organisation", "regions_for_routes"},
    "services.learning_routes.operations": {"party_facts", "validate"},
    "services.learning_routes.snapshots": {"snapshot", "route_input_from", "input_snapshot"},
    "services.learning_routes.history": {"history", "field_changes", "display_value"},
    "services.practices.search": {"to_fts5", "to_tsquery", "match_cte", "snippets", "index_text"},
    "core.settings": {"get_setting", "dataset_label"},
    "services.accounts.throttle": {"account_key", "ip_key", "login_keys", "backend_name", "retry_after"},
    "core.uploads": {"safe_filename", "name_error", "detect_kind", "upload_dir", "stored_path"},
    "core.locking": {"locks_enabled"},
    "services.accounts.users": {"normalise_email", "find_user_by_email", "count_users"},
}

NOT_AUDITED: dict[str, str] = {
    "core.locking.lock_for_write": "takes the aggregate's row lock and reads its current state; writes no row",
    "services.agreements.changes.begin_write": "the first step of every audited agreement write: the lock and the "
                                              "version check; writes no row",
    "services.practices.operations.begin_write": "the first step of every audited practice write: the lock and the "
                                                "version check; writes no row",
    "core.audit.record": "the audit log itself",
    "core.audit.record_many": "the audit log itself",
    "core.data_version.bump_data_version": "part of every audit entry (record() calls it)",
    "core.data_version.put_setting": "the plain write under bump_data_version and the audited set_setting",
    "services.agreements.changes.store_version": "the version row (snapshot) of an audited agreement write; each "
                                                "caller records its own entry",
    "services.agreements.changes.derive_internal": "sets the derived is_internal flag inside an audited agreement write",
    "services.agreements.changes.finish_change": "the last step of an agreement write: records that write's entry "
                                                "(checked through update_agreement, set_parties, set_funding, set_guarantee)",
    "core.backup.backup": "copies the whole database outside the app's session (CLI); the copy includes the audit log",
    "core.backup.restore": "replaces the whole database, audit log included, with a backup (CLI)",
    "services.practices.search.index_first": "derived full-text index rows, kept in step by the audited practice writes",
    "services.practices.search.index_document": "derived full-text index rows, kept in step by the audited practice writes",
    "services.practices.search.remove_document": "derived full-text index rows, kept in step by the audited practice writes",
    "services.practices.operations.reindex": "derived facet/search rows of a practice; every caller is an audited practice write",
    "services.accounts.throttle.record_failure": "login-throttle counters (Redis or a table), not data; an attacker must not fill the audit log",
    "services.accounts.throttle.clear_account": "login-throttle counters (Redis or a table), not data",
    "services.accounts.users.check_password_again": "re-entering the password before signing: its only write is the login-throttle counter of a wrong password; the signature it guards is audited",
    "core.uploads.store_upload": "a file on disk; the row that points to it is audited (attach_document, add_attachment)",
    "core.uploads.delete_stored": "removes a file on disk",
    "devdata.rows.insert_rows": "bulk insert inside generate(), which records one entry for the data set",
    "devdata.areas.generate_routes": "part of generate(), which records one entry for the data set",
    "devdata.areas.generate_agreements": "part of generate(), which records one entry for the data set",
    "devdata.areas.generate_practices": "part of generate(), which records one entry for the data set",
    "core.idempotency.claim": "a submission key (bookkeeping against duplicate submits); the object it guards is "
                         "audited by its own create service in the same transaction",
    "core.idempotency.create_once": "runs an audited create service once per submission key (claim + that service)",
    "core.idempotency.prune": "housekeeping: removes expired submission keys, no user data",
    "services.learning_routes.csv_import.iter_import": "the generator behind import_routes (same audit, checked through import_routes)",
}

# Calls that would make a READ_ONLY claim a lie.
WRITE_CALLS = re.compile(r"session\.(add|add_all|flush|delete|merge|commit)\(|\brecord(_many)?\(|\bset_setting\(|"
                         r"execute\(\s*(insert|delete|update)\(")


def service_functions() -> dict[str, Callable]:
    """module.function -> function, for every public function of portal/services, core and devdata."""
    found = {}
    for package in (portal.services, portal.core, portal.devdata):
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{package.__name__}."):
            module = importlib.import_module(info.name)
            short = module.__name__.removeprefix("portal.")
            for name, value in vars(module).items():
                if inspect.isfunction(value) and value.__module__ == module.__name__ and not name.startswith("_"):
                    found[f"{short}.{name}"] = value
    return found


# --- the write cases: each returns (object_type, object_id, action) ---------------------

class Ctx:
    """Valid objects to call the services with, made by the factories."""

    def __init__(self, session):
        self.session = session
        self.routes = RouteWorld()
        self.vmbo, self.mbo, self.route, self.vmbo_user, self.mbo_user = make_parties_and_route()
        self.staff = make_user("staff")

    def agreement(self, **fields):
        return make_agreement(self.vmbo_user, self.route, self.mbo, **fields)

    def signed(self):
        from portal.services.agreements import lifecycle
        agreement = self.agreement()
        lifecycle.send_for_signature(self.session, agreement, self.vmbo_user)
        for user in (self.vmbo_user, self.mbo_user):
            lifecycle.sign(self.session, agreement, agreement.party_for(user.organisation_id), user)
        return agreement


def _party_rows(agreement):
    return [dict(organisation_id=p.organisation_id, role=p.role, governing_body_name=p.governing_body_name,
                 governing_body_number="12AB") for p in agreement.parties]


def _agreements():
    from portal.core.uploads import StoredFile
    from portal.services.agreements import funding, lifecycle, operations

    def update(c):
        a = c.agreement()
        operations.update_agreement(c.session, a, {"title": "Nieuwe titel", "start_date": a.start_date,
                                                   "end_date": a.end_date, "route_ids": [c.route.id]}, c.vmbo_user)
        return a, "update"

    def parties(c):
        a = c.agreement()
        operations.set_parties(c.session, a, _party_rows(a), c.vmbo_user)
        return a, "update_parties"

    def set_funding(c):
        a = c.agreement(complete=False)
        v = next(p for p in a.parties if p.role == "vmbo")
        funding.set_funding(c.session, a, [dict(stream="lumpsum_vo", school_year="2026-2027", party_id=v.id,
                                                percentage=Decimal("100"))], [], c.vmbo_user)
        return a, "update_funding"

    def guarantee(c):
        a = c.agreement(complete=False)
        v = next(p for p in a.parties if p.role == "vmbo")
        funding.set_guarantee(c.session, a, 12, [dict(from_month=1, to_month=12, destination="vmbo_bb",
                                                      responsible_party_id=v.id, max_wait_days=5)], c.vmbo_user)
        return a, "update_guarantee"

    def send(c):
        a = c.agreement()
        lifecycle.send_for_signature(c.session, a, c.vmbo_user)
        return a, "send"

    def sign(c):
        a = c.agreement()
        lifecycle.send_for_signature(c.session, a, c.vmbo_user)
        lifecycle.sign(c.session, a, a.party_for(c.vmbo.id), c.vmbo_user)
        return a, "sign"

    def terminate(c):
        a = c.signed()
        lifecycle.terminate(c.session, a, date.today(), "Het programma stopt.", c.vmbo_user)
        return a, "terminate"

    def attach(c):
        a = c.signed()
        lifecycle.attach_document(c.session, a, StoredFile("x" * 32 + ".pdf", "getekend.pdf", "application/pdf", 10,
                                                           "0" * 64), c.vmbo_user)
        return a, "upload_document"

    def archive(c):
        a = c.agreement()
        lifecycle.archive(c.session, a, c.vmbo_user)
        return a, "archive"

    def restore(c):
        a = c.agreement()
        lifecycle.archive(c.session, a, c.vmbo_user)
        lifecycle.restore(c.session, a, c.staff)
        return a, "restore"

    def expire(c):
        a = c.signed()
        a.end_date = date.today() - timedelta(days=1)
        c.session.flush()
        assert lifecycle.expire_due(c.session) >= 1
        return a, "expire"

    def create(c):
        return c.agreement(complete=False), "create"

    cases = {operations.create_agreement: create, operations.update_agreement: update, operations.set_parties: parties,
             funding.set_funding: set_funding, funding.set_guarantee: guarantee,
             lifecycle.send_for_signature: send, lifecycle.sign: sign, lifecycle.terminate: terminate,
             lifecycle.attach_document: attach, lifecycle.archive: archive, lifecycle.restore: restore,
             lifecycle.expire_due: expire}
    def as_case(body):
        def case(c):
            agreement, action = body(c)
            return "agreement", agreement.id, action
        return case

    # keyed by the module that defines each function (the service is split by concept)
    return {f"{function.__module__.removeprefix('portal.')}.{function.__name__}": as_case(body)
            for function, body in cases.items()}


def _practices():
    from portal.services.practices import attachments
    from portal.services.practices import operations as s

    def mk(c, status="concept"):
        return make_practice(c.routes.coordinator, status=status)

    def wrap(action, body):
        def case(c):
            practice = body(c)
            return "good_practice", practice.id, action
        return case

    def attachment(c):
        p = mk(c)
        attachments.add_attachment(c.session, p, FileStorage(stream=io.BytesIO(PDF_BYTES), filename="a.pdf"),
                                   "Bijlage", c.routes.coordinator)
        return p

    def remove(c):
        p = attachment(c)
        attachments.remove_attachment(c.session, p.attachments[0], c.routes.coordinator)
        return p

    def restore(c):
        p = mk(c)
        s.archive_practice(c.session, p, c.staff)
        return s.restore_practice(c.session, p, c.staff)

    return {
        "services.practices.operations.create_practice": wrap("create", lambda c: s.create_practice(c.session, practice_data(),
                                                                                c.routes.coordinator)),
        "services.practices.operations.update_practice": wrap("update", lambda c: s.update_practice(
            c.session, mk(c), practice_data(title="Gewijzigd"), c.routes.coordinator)),
        "services.practices.operations.submit_practice": wrap("submit", lambda c: s.submit_practice(c.session, mk(c), c.routes.coordinator)),
        "services.practices.operations.send_back_practice": wrap("send_back", lambda c: s.send_back_practice(
            c.session, mk(c, "ingediend"), "Graag een concreter resultaat noemen.", c.staff)),
        "services.practices.operations.publish_practice": wrap("publish", lambda c: s.publish_practice(c.session, mk(c, "ingediend"),
                                                                                   c.staff)),
        "services.practices.operations.archive_practice": wrap("archive", lambda c: s.archive_practice(c.session, mk(c), c.staff)),
        "services.practices.operations.restore_practice": wrap("restore", restore),
        "services.practices.attachments.add_attachment": wrap("add_attachment", attachment),
        "services.practices.attachments.remove_attachment": wrap("remove_attachment", remove),
    }


def _routes():
    from portal.services.learning_routes import bulk
    from portal.services.learning_routes import csv_import as route_import
    from portal.services.learning_routes import operations as s
    from tests.services.test_routes_io import csv_bytes, row

    def register(c):
        r = s.register_route(c.session, route_data(c.routes.school, c.routes.roc), c.routes.coordinator)
        return "learning_route", r.id, "create"

    def register_many(c):
        data = [route_data(c.routes.school, c.routes.roc, title=f"Bulk {i}") for i in range(2)]
        from portal.domain.routes import RouteInput
        out = bulk.register_routes(c.session, [RouteInput.from_mapping(d) for d in data], c.routes.coordinator)
        return "learning_route", out[-1][0].id, "create"

    def update(c):
        r = s.register_route(c.session, route_data(c.routes.school, c.routes.roc), c.routes.coordinator)
        s.update_route(c.session, r, route_data(c.routes.school, c.routes.roc, title="Anders"), c.routes.coordinator,
                       expected_version=r.version_id)
        return "learning_route", r.id, "update"

    def archive(c):
        r = s.register_route(c.session, route_data(c.routes.school, c.routes.roc), c.routes.coordinator)
        s.archive_route(c.session, r, c.routes.coordinator)
        return "learning_route", r.id, "archive"

    def restore(c):
        r = s.register_route(c.session, route_data(c.routes.school, c.routes.roc), c.routes.coordinator)
        s.archive_route(c.session, r, c.routes.coordinator)
        s.restore_route(c.session, r, c.staff)
        return "learning_route", r.id, "restore"

    def import_csv(c):
        from portal.models import LearningRoute
        rows = route_import.parse_csv(csv_bytes(row(c.routes, "Import audit 1"), row(c.routes, "Import audit 2")))
        result = route_import.import_routes(c.session, rows, c.routes.coordinator)
        assert result.created == 2
        route_id = c.session.scalar(select(LearningRoute.id).where(LearningRoute.title == "Import audit 2"))
        return "learning_route", route_id, "create"

    return {"services.learning_routes.operations.register_route": register, "services.learning_routes.bulk.register_routes": register_many,
            "services.learning_routes.operations.update_route": update, "services.learning_routes.operations.archive_route": archive, "services.learning_routes.operations.restore_route": restore,
            "services.learning_routes.csv_import.import_routes": import_csv}


def _users():
    from portal.services.accounts import users as s

    def create(c):
        u = s.create_user(c.session, email="nieuw.account@example.org", name="Nieuw Account", role="reader",
                          password="een lang genoeg wachtwoord", actor=c.staff)
        return "user", u.id, "create"

    def deactivate(c):
        u = make_user("reader")
        s.set_active(c.session, u, False, c.staff)
        return "user", u.id, "deactivate"

    def password(c):
        u = make_user("reader")
        s.change_password(c.session, u, PASSWORD, "een heel ander wachtwoord")
        return "user", u.id, "change_password"

    def logout(c):
        u = make_user("reader")
        s.rotate_session_token(c.session, u)
        return "user", u.id, "logout"

    def login(c):
        u = make_user("reader")
        assert s.authenticate(c.session, u.email, PASSWORD) is u
        return "user", u.id, "login"

    return {"services.accounts.users.create_user": create, "services.accounts.users.set_active": deactivate, "services.accounts.users.change_password": password,
            "services.accounts.users.rotate_session_token": logout, "services.accounts.users.authenticate": login}


def _reference_and_settings():
    from portal.core import settings
    from portal.models import Pathway
    from portal.services.reference import region_years
    from portal.services.reference.boundaries import import_municipalities, import_regions
    from portal.services.reference.schools import import_schools
    from portal.services.reference.vocabularies import seed_vocabularies
    from tests.conftest import require_data_file as data_file

    def seed(c):
        pathway = c.session.get(Pathway, "BB")
        pathway.name = "iets anders"  # the seed puts the official name back
        c.session.flush()
        seed_vocabularies(c.session)
        return "vocabulary", None, "seed"

    def regions(c):
        import_regions(c.session, data_file("arbeidsmarktregio_2025.geojson").read_bytes(), 2031)
        return "region_set", 2031, "import"

    def municipalities(c):
        import_regions(c.session, data_file("arbeidsmarktregio_2025.geojson").read_bytes(), 2031)
        import_municipalities(c.session, data_file("gemeente_arbeidsmarktregio_2025.csv").read_bytes(), 2031)
        return "municipality_set", 2031, "import"

    def schools(c):
        import_schools(c.session, data_file("vo_vestigingen_2024.csv").read_bytes())
        return "school_set", None, "import"

    def activate(c):
        import_regions(c.session, data_file("arbeidsmarktregio_2025.geojson").read_bytes(), 2031)
        region_years.activate_region_year(c.session, 2031, c.staff)
        return "region_set", 2031, "activate"

    def activate_when_complete(c):
        municipalities(c)  # 2031 complete: in use
        region_years.activate_region_year(c.session, 2025, c.staff)
        assert region_years.activate_if_complete(c.session, 2031, c.staff)
        return "region_set", 2031, "activate"

    def drop(c):
        import_regions(c.session, data_file("arbeidsmarktregio_2025.geojson").read_bytes(), 2031)
        region_years.drop_region_year(c.session, 2031, c.staff)
        return "region_set", 2031, "drop"

    def setting(c):
        settings.set_setting(c.session, "dataset_label", "demo", c.staff)
        return "setting", None, "update"

    def generate(c):
        from portal.devdata import generator
        from tests.conftest import DATA_DIR
        generator.generate(c.session, scale=0.01, seed=1, data_dir=DATA_DIR, practices=2)
        return "synthetic_data", None, "generate"

    return {"services.reference.vocabularies.seed_vocabularies": seed, "services.reference.boundaries.import_regions": regions,
            "services.reference.boundaries.import_municipalities": municipalities, "services.reference.schools.import_schools": schools,
            "services.reference.region_years.activate_region_year": activate,
            "services.reference.region_years.activate_if_complete": activate_when_complete,
            "services.reference.region_years.drop_region_year": drop,
            "core.settings.set_setting": setting, "devdata.generator.generate": generate}


def _monitoring():
    from datetime import date

    from portal.services.monitoring import snapshots, targets

    def data(**changes):
        values = dict(name="Synthetisch doel", indicator="regions_with_route", target_value=35.0,
                      target_school_year="2030-2031", source="Synthetische bron")
        values.update(changes)
        return targets.TargetData(**values)

    def create(c):
        target = targets.create_target(c.session, data(), c.staff)
        return "monitor_target", target.id, "create"

    def update(c):
        target = targets.create_target(c.session, data(), c.staff)
        targets.update_target(c.session, target, data(target_value=30.0), c.staff)
        return "monitor_target", target.id, "update"

    def delete(c):
        target = targets.create_target(c.session, data(), c.staff)
        target_id = target.id
        targets.delete_target(c.session, target, c.staff)
        return "monitor_target", target_id, "delete"

    def seed(c):
        assert targets.seed_letter_targets(c.session) == 4
        return "monitor_target", None, "seed"

    def snapshot(c):
        taken = snapshots.take_snapshot(c.session, date(2025, 10, 15))
        return "monitor_snapshot", taken.id, "snapshot"

    return {"services.monitoring.targets.create_target": create, "services.monitoring.targets.update_target": update,
            "services.monitoring.targets.delete_target": delete,
            "services.monitoring.targets.seed_letter_targets": seed,
            "services.monitoring.snapshots.take_snapshot": snapshot}


def write_cases() -> dict[str, Callable]:
    cases = {}
    cases.update(_monitoring())
    cases.update(_agreements())
    cases.update(_practices())
    cases.update(_routes())
    cases.update(_users())
    cases.update(_reference_and_settings())
    return cases


WRITES = write_cases()


# --- the tests ----------------------------------------------------------------------------

def test_every_service_function_is_classified():
    """A new public service function must get a write case (with its audit),
    or be listed as read-only or as not audited with a reason."""
    functions = service_functions()
    read_only = {f"{m}.{n}" for m, names in READ_ONLY.items() for n in names}
    listed = set(WRITES) | read_only | set(NOT_AUDITED)
    unclassified = sorted(set(functions) - listed)
    assert not unclassified, ("service functions without an audit case; add a case to WRITES (or, if it "
                              f"truly writes nothing, to READ_ONLY): {unclassified}")
    stale = sorted(listed - set(functions))
    assert not stale, f"listed but no longer in portal/services: {stale}"
    assert not (set(WRITES) & read_only) and not (set(WRITES) & set(NOT_AUDITED)) and not (read_only & set(NOT_AUDITED))


@pytest.mark.parametrize("name", sorted({f"{m}.{n}" for m, names in READ_ONLY.items() for n in names}))
def test_read_only_functions_do_not_write(name):
    source = inspect.getsource(service_functions()[name])
    assert not WRITE_CALLS.search(source), f"{name} is listed as read-only but writes: add an audit case"


def _check_audited(session, case) -> AuditLog:
    last = session.scalar(select(func.max(AuditLog.id))) or 0
    obj_type, obj_id, action = case(Ctx(session))
    query = select(AuditLog).where(AuditLog.id > last, AuditLog.object_type == obj_type, AuditLog.action == action)
    if obj_id is not None:
        query = query.where(AuditLog.object_id == obj_id)
    entry = session.scalars(query.order_by(AuditLog.id.desc())).first()
    assert entry is not None, f"no audit entry ({obj_type}, {obj_id}, {action})"
    return entry


@pytest.mark.parametrize("name", sorted(WRITES))
def test_every_service_write_is_audited(db_session, reference_data, name):
    entry = _check_audited(db_session, WRITES[name])
    assert entry.at is not None


def test_the_check_notices_a_write_without_audit(db_session, reference_data, monkeypatch):
    """The control: with the service's record() switched off, its case fails."""
    import portal.services.accounts.users as users
    monkeypatch.setattr(users, "record", lambda *args, **kwargs: None)
    with pytest.raises(AssertionError, match="no audit entry"):
        _check_audited(db_session, WRITES["services.accounts.users.set_active"])


def test_an_unclassified_new_service_function_fails(monkeypatch):
    """The control for completeness: a new public function in a service module
    shows up as unclassified."""
    import portal.services.accounts.users as users

    def promote_user(session, user):  # a write someone adds later, without an audit case
        user.role = "admin"
        session.flush()
    promote_user.__module__ = users.__name__
    monkeypatch.setattr(users, "promote_user", promote_user, raising=False)
    with pytest.raises(AssertionError, match="services.accounts.users.promote_user"):
        test_every_service_function_is_classified()


def test_login_and_logout_entries_do_not_invalidate_cached_pages(db_session, reference_data):
    """Logging in and out is audited, but changes no page: the data version
    (the key of every cached page) stays the same."""
    from portal.core.data_version import DATA_VERSION
    from portal.core.settings import get_setting
    from portal.services.accounts import users
    user = make_user("reader", make_organisation("vmbo"))
    version = get_setting(db_session, DATA_VERSION)
    users.authenticate(db_session, user.email, PASSWORD)
    users.rotate_session_token(db_session, user)
    assert get_setting(db_session, DATA_VERSION) == version
