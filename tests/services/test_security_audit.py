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
from portal.domain.school_year import current_school_year
from portal.models import AuditLog
from tests.factories import PASSWORD, make_organisation, make_route, make_user
from tests.factories_agreements import make_agreement, make_parties_and_route
from tests.factories_practices import PDF_BYTES, make_practice, practice_data
from tests.factories_routes import RouteWorld, route_data

READ_ONLY: dict[str, set[str]] = {
    "core.code_version": {"code_version"},
    "core.data_version": {"read", "moved", "read_slots", "changes_between", "read_now"},
    # Values in Redis (page cache, kept aggregates), not in the database.
    "core.shared_cache": {"key_prefix"},
    # install/init_app register the session listener; kept() reads the version (its flush writes only
    # what the caller had pending, the version row included: tests/services/test_kept_aggregates.py).
    "core.aggregates": {"install", "init_app", "read_version", "read_request_version", "adopt_request_version", "store", "kept"},
    "services.monitoring.facts": {"load_facts"},
    "services.monitoring.indicators": {"indicator_years", "snapshot_year"},
    "services.monitoring.progress": {"dashboard_progress", "progress_of", "regions_behind"},
    "services.monitoring.report": {"build", "find_snapshot", "first_counted_year", "snapshot_report", "year_report"},
    "services.monitoring.report_pack": {"report_xlsx", "sheet_title"},
    "services.monitoring.snapshots": {"freeze", "latest_per_school_year", "list_snapshots", "results_of",
                                      "route_rows", "snapshot_data"},
    "services.monitoring.targets": {"list_targets"},
    "services.outcomes.queries": {"guarantee_agreement", "phase_choices", "recordable_years", "outcome_for",
                                  "outcomes_of_route", "groups_of", "public_year", "agreement_waits"},
    "services.agreements.queries": {"today", "current_status", "share_lines", "needs_full_coverage", "guarantee_check",
                                    "checklist", "allocations", "list_agreements", "list_expiring", "list_archived",
                                    "agreements_for_route", "routes_for", "version_diff", "activation_school_year",
                                    "activation_errors", "in_force", "in_force_of", "in_force_on", "has_addendum", "status_label",
                                    "public_snapshot", "addendum_diff", "unsigned_parties", "is_fully_signed",
                                    "in_force_in", "routes_covered_in"},
    "services.agreements.route_basis": {"basis_ended", "ended_routes", "routes_still_active"},
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
    "core.geometry": {"compact_geometry", "valid_polygonal", "is_valid_geojson", "contains_point",
                      "hull_overlaps"},
    "core.local_time": {"local", "display", "iso"},
    "core.spreadsheets": {"csv_cell", "xlsx_text", "xlsx_cell", "append_row", "new_workbook", "bold_row"},
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
    "services.reference.files": {"read_csv", "decode_text"},
    # issue 16: the landelijke dekking, computed from the offer (reads only)
    "services.coverage.profile_tables": {"distance_table", "distribution_table", "exam_trend_table", "file_name",
                                         "header_line", "municipality_table", "profile_table",
                                         "province_matrix_table", "pupil_trend_table", "share_value",
                                         "small_table", "table", "to_csv", "to_xlsx", "trend_table"},
    "services.coverage.profiles": {"compute", "offer_years", "profile_coverage"},
    "services.coverage.profile_trends": {"exam_sector_trend", "exam_sector_trend_per_region", "exam_trend",
                                         "pupil_trend", "pupil_trend_per_region"},
    "services.institutions.queries": {"list_institutions", "locations_of"},
    # issue 19: the regioplannen's reads; begin_write/ensure_editable lock and check, validate_* check input
    "services.plans.area": {"plan_areas", "plans_covering", "region_names"},
    "services.plans.assessment": {"active_criteria", "is_assigned", "scores_of", "weighted"},
    "services.plans.editing": {"begin_write", "ensure_editable", "validate_actions", "validate_budget"},
    "services.plans.export": {"to_csv", "to_xlsx"},
    "services.plans.followup": {"reports_of"},
    "services.plans.queries": {"assessors", "counts", "export_rows", "organisations_by_id", "plans_for_user",
                               "plans_of_round", "rounds", "search_member_organisations"},
    "services.plans.regions": {"taken_schools"},
    "services.plans.snapshots": {"content_snapshot", "diff", "regional_portrait"},
    "services.reference.governing_bodies": {"parse_governing_bodies"},
    "services.reference.mbo": {"parse_institutions", "parse_locations"},
    "services.reference.offer": {"exam_pathways_of", "parse_exam_figures", "parse_exam_pathways", "parse_profile_figures"},
    "services.coverage.mbo_presence": {"mbo_count_per_region", "mbo_region_pairs"},
    "services.learning_routes.locations": {"check_mbo_location", "location_choices"},
    "services.offer.queries": {"profile_sources", "school_offer"},
    "services.reference.organisation_search": {"search_organisations", "option_of", "select_options"},
    "services.search.routes": {"search_routes", "option_of", "scope_clause"},
    "services.learning_routes.filters": {"audience", "route_region_pairs", "route_region_pairs_select", "visibility_clause", "filter_clauses", "filtered_routes",
                                         "active_in", "state_clause", "state_expression"},
    "services.learning_routes.export": {"export_header", "export_rows", "to_csv", "to_xlsx"},
    "services.learning_routes.csv_import": {"template_csv", "parse_csv", "row_to_input"},
    "services.learning_routes.listing": {"route_options", "page_of_routes", "all_routes", "list_counts", "newest_regions",
                   "school_year_choices", "organisations_by_id", "organisation_region",
                   "search_organisations", "routes_of_organisation", "regions_for_routes"},
    "services.learning_routes.operations": {"party_facts", "validate"},
    "services.learning_routes.rio": {"describe", "vmbo_party", "active_rio_parties", "unregistered",
                                     "unregistered_route_ids", "unregistered_rows"},
    "services.learning_routes.rio_compare": {"parse_registered_csv", "compare"},
    "services.learning_routes.snapshots": {"snapshot", "route_input_from", "input_snapshot"},
    "services.learning_routes.history": {"history", "field_changes", "display_value"},
    "services.practices.search": {"to_fts5", "to_tsquery", "match_cte", "snippets", "index_text"},
    "core.settings": {"get_setting", "dataset_label"},
    "services.accounts.throttle": {"account_key", "ip_key", "login_keys", "backend_name", "retry_after"},
    "core.uploads": {"safe_filename", "name_error", "detect_kind", "upload_dir", "stored_path", "attachment_title"},
    "core.locking": {"locks_enabled"},
    "services.accounts.users": {"normalise_email", "find_user_by_email", "count_users"},
    "services.organisations.duplicates": {"probable_duplicates"},
    "services.organisations.merge": {"merge_plan", "organisation_foreign_keys", "reference_counts"},
    "services.organisations.merge_versions": {"touched_ids", "before_merge"},
    "services.organisations.partners": {"similar_in_municipality"},
    "services.organisations.queries": {"all_filtered", "export_csv", "filtered", "merged_into", "municipalities_by_code",
                                       "municipality_choices", "organisation_detail", "organisation_with_region",
                                       "page_of_organisations", "region_choices"},
    # issue 18: the to-do list, what waits in agreements, recipients, the mail settings
    "core.mail": {"mail_configured", "sender"},
    "core.unsubscribe": {"make_token", "read_token"},
    "services.agreements.waiting": {"addendum_waits_for_other_party", "awaits_signature_of", "expires_soon",
                                    "for_organisation", "matches_filter", "missing_funding_years",
                                    "route_ids_covered_by", "route_ids_in_filter", "route_states"},
    "services.notifications.delivery": {"counts", "load", "stuck"},
    "services.notifications.digest": {"items"},
    "services.notifications.outbox": {"preferences_for"},
    "services.notifications.preferences": {"preferences", "recent", "region_choices"},
    "services.notifications.recipients": {"anybody_follows", "coordinators_of", "followers_of", "region_codes_of",
                                          "schools_left_without_route"},
    "services.todo.items": {"items_for"},
    "services.imports.runs": {"open_runs", "list_runs"},
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
    "core.data_version.add_step": "the version's own counter, moved by bump_data_version and core.aggregates",
    "core.data_version.put_setting": "the plain write under the audited set_setting",
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
    "core.uploads.stored_attachment": "a file on disk for the row the caller writes and audits (add_attachment of "
                                      "plans and practices); removed again when that write fails",
    "devdata.rows.insert_rows": "bulk insert inside generate(), which records one entry for the data set",
    "devdata.areas.generate_routes": "part of generate(), which records one entry for the data set",
    "devdata.areas.generate_agreements": "part of generate(), which records one entry for the data set",
    "devdata.areas.generate_practices": "part of generate(), which records one entry for the data set",
    "core.idempotency.claim": "a submission key (bookkeeping against duplicate submits); the object it guards is "
                         "audited by its own create service in the same transaction",
    "core.idempotency.create_once": "runs an audited create service once per submission key (claim + that service)",
    "core.idempotency.prune": "housekeeping: removes expired submission keys, no user data",
    "services.learning_routes.locations.apply_mbo_location": "sets the mbo location on the party rows inside the "
                                                             "audited route writes (register_route, update_route)",
    "services.reference.offer_basis.refresh_offer": "derived rows (organisation_profiles/_pathways, offer_bases) kept "
                                                    "in step by the audited offer imports and state_offer",
    "services.learning_routes.csv_import.iter_import": "the generator behind import_routes (same audit, checked through import_routes)",
    # issue 18: outbox rows are messages about audited changes, not changes themselves
    "services.notifications.outbox.record": "outbox rows written inside an audited change (send, sign, addendum, "
                                            "route status, practice moderation); the change is the audit entry",
    "services.notifications.outbox.add": "the outbox rows of record()",
    "services.agreements.reminders.schedule_expiry": "outbox rows about signed agreements nearing their end; no "
                                                     "data changes",
    "services.notifications.delivery.claim": "delivery bookkeeping of outbox rows (status, claim token)",
    "services.notifications.delivery.mark_sent": "delivery bookkeeping of outbox rows",
    "services.notifications.delivery.retry_later": "delivery bookkeeping of outbox rows",
    "services.notifications.delivery.give_up": "delivery bookkeeping of outbox rows",
    "services.notifications.digest.build_digests": "bundles waiting outbox rows into one digest row",
    "services.notifications.outbox.record_new_routes": "outbox rows of the routes an audited CSV import made (each "
                                                       "route has its create entry)",
    "services.imports.runs.record_run": "the report of an import run, itself a log; written after the import's own "
                                        "transaction (whose changes are audited), also when it was rolled back",
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


def _end_basis(c, dropped: bool):
    """route_basis ends a route whose agreement ended (or an addendum in force dropped it), audited."""
    from portal.services.agreements import route_basis
    a = c.signed()
    c.route.status = "actief"
    if dropped:  # an addendum in force without the route
        ended = route_basis.end_dropped_routes(c.session, a, [c.route], c.vmbo_user)
    else:
        a.status, a.terminated_on = "opgezegd", date.today()
        c.session.flush()
        ended = route_basis.end_routes(c.session, a, c.vmbo_user)
    assert ended == [c.route]
    return ("learning_route", c.route.id, "end_basis")


def _plans():  # noqa: C901  one small case per write of the area, each a nested function
    """Issue 19: every write of the regioplannen, on the synthetic plan world of tests/factories_plans.py."""
    from decimal import Decimal

    from portal.domain import plans as dom
    from portal.services.plans import assessment, attachments, editing, followup, lifecycle, regions
    from tests.factories_plans import add_pdf, make_plan_world, make_round, score_all, to_review

    def world(c):
        return make_plan_world(c.session)

    def reviewed(c, outcome=dom.POSITIVE):
        w = world(c)
        to_review(c.session, w)
        score_all(c.session, w)
        lifecycle.advise(c.session, w.plan, outcome, "Synthetisch advies", "Synthetische punten", "", w.assessor)
        return w

    def running(c):
        w = reviewed(c)
        lifecycle.approve(c.session, w.plan, w.staff)
        lifecycle.start_execution(c.session, w.plan, w.staff)
        return w

    def plan_case(make, action):
        def case(c):
            w = make(c)
            return "regional_plan", w.plan.id, action
        return case

    def criterion(c):
        made = assessment.add_criterion(c.session, "Synthetisch auditcriterium", "", 1, c.staff)
        return "assessment_criterion", made.id, "create"

    def scores(c):
        w = world(c)
        to_review(c.session, w)
        score_all(c.session, w)
        return "regional_plan", w.plan.id, "score"

    def text(c):
        w = world(c)
        editing.update_text(c.session, w.plan, {"vision": "Synthetisch: een andere visie.",
                                                "labour_market_analysis": "x", "pupil_prognosis": "",
                                                "prognosis_source": ""}, w.lead)
        return "regional_plan", w.plan.id, "update"

    def remove(c):
        w = world(c)
        attachment = add_pdf(c.session, w.plan, w.lead)
        attachments.remove_attachment(c.session, attachment, w.lead)
        return "regional_plan", w.plan.id, "remove_attachment"

    def withdraw(c):
        w = world(c)
        lifecycle.submit(c.session, w.plan, w.lead)
        lifecycle.withdraw(c.session, w.plan, w.lead)
        return "regional_plan", w.plan.id, dom.WITHDRAWN

    def progress(c):
        w = running(c)
        followup.report_progress(c.session, w.plan, 2026, {a.id: {"percent_done": 50, "explanation": "Half"}
                                                            for a in w.plan.actions},
                                 {b.id: {"spent": Decimal("10.00")} for b in w.plan.budget_lines}, w.lead)
        return "regional_plan", w.plan.id, "progress_report"

    def midterm(c):
        w = running(c)
        followup.record_midterm(c.session, w.plan, "Synthetisch: loopt op schema.", w.staff)
        return "regional_plan", w.plan.id, "midterm"

    def plan_round(c):
        made = make_round(c.session, c.staff)
        return "plan_round", made.id, "create"

    def region(c):
        w = world(c)
        return "plan_region", w.region.id, "create"

    def members(c):
        w = world(c)
        regions.set_members(c.session, w.region, w.region.name + " (gewijzigd)", w.region.lead_organisation_id,
                            sorted(w.region.member_ids()), w.lead)
        return "plan_region", w.region.id, "update"

    def submitted(c):
        w = world(c)
        lifecycle.submit(c.session, w.plan, w.lead)
        return "regional_plan", w.plan.id, dom.SUBMITTED

    def in_review(c):
        w = world(c)
        to_review(c.session, w)
        return "regional_plan", w.plan.id, dom.IN_REVIEW

    def approved(c):
        w = reviewed(c)
        lifecycle.approve(c.session, w.plan, w.staff)
        return "regional_plan", w.plan.id, dom.APPROVED

    return {
        "services.plans.assessment.add_criterion": criterion,
        "services.plans.assessment.set_scores": scores,
        "services.plans.attachments.add_attachment": plan_case(lambda c: _with_pdf(c, world), "add_attachment"),
        "services.plans.attachments.remove_attachment": remove,
        "services.plans.editing.update_text": text,
        "services.plans.editing.set_actions": plan_case(world, "update_actions"),  # fill_plan sets the actions
        "services.plans.editing.set_budget": plan_case(world, "update_budget"),  # and the budget
        "services.plans.followup.record_midterm": midterm,
        "services.plans.followup.report_progress": progress,
        "services.plans.lifecycle.submit": submitted,
        "services.plans.lifecycle.withdraw": withdraw,
        "services.plans.lifecycle.start_review": in_review,
        "services.plans.lifecycle.advise": plan_case(reviewed, dom.POSITIVE),
        "services.plans.lifecycle.approve": approved,
        "services.plans.lifecycle.start_execution": plan_case(running, dom.RUNNING),
        "services.plans.regions.create_round": plan_round,
        "services.plans.regions.create_region": region,
        "services.plans.regions.set_members": members,
    }


def _with_pdf(c, world):
    from tests.factories_plans import add_pdf
    w = world(c)
    add_pdf(c.session, w.plan, w.lead)
    return w


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
        a.end_date = a.in_force_end_date = date.today() - timedelta(days=1)  # the version in force ended
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
    result = {f"{function.__module__.removeprefix('portal.')}.{function.__name__}": as_case(body)
              for function, body in cases.items()}
    result["services.agreements.route_basis.end_routes"] = lambda c: _end_basis(c, dropped=False)
    result["services.agreements.route_basis.end_dropped_routes"] = lambda c: _end_basis(c, dropped=True)
    return result


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
            "services.learning_routes.csv_import.import_routes": import_csv,
            **_rio()}


def _rio():
    from portal.services.learning_routes import rio

    def register_at_duo(c):
        rio.set_registration(c.session, c.route, c.vmbo.id, True, date.today(), "100B490", c.vmbo_user)
        return "learning_route", c.route.id, "duo_registration"

    def mark(c):
        c.route.status, c.route.kind_code = "actief", "dlr"
        c.session.flush()
        year = current_school_year()
        assert rio.mark_registered(c.session, [(c.route.id, c.vmbo.id, year)], c.staff, date.today()) == 1
        return "learning_route", c.route.id, "duo_registration"

    return {"services.learning_routes.rio.set_registration": register_at_duo,
            "services.learning_routes.rio.mark_registered": mark}


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


def _notifications():
    from portal.domain import notifications as rules
    from portal.services.learning_routes import operations as routes
    from portal.services.notifications import preferences as s

    def save(c):
        u = make_user("reader")
        s.save_preferences(c.session, u, email_events=list(rules.EVENTS)[:2], regions=[], weekly_digest=True,
                           expected_version=None)
        return "notification_preference", u.id, "update"

    def unsubscribe(c):
        u = make_user("reader")
        s.unsubscribe(c.session, u, "agreement_sent")
        return "notification_preference", u.id, "unsubscribe"

    def set_status(c):
        r = routes.register_route(c.session, route_data(c.routes.school, c.routes.roc), c.routes.coordinator)
        routes.set_status(c.session, r, "beeindigd", c.routes.coordinator, expected_version=r.version_id)
        return "learning_route", r.id, "update"

    return {"services.notifications.preferences.save_preferences": save,
            "services.notifications.preferences.unsubscribe": unsubscribe,
            "services.learning_routes.operations.set_status": set_status}


def _imports():
    from portal.domain.imports import RunError
    from portal.services.imports import runs

    def handled(c):
        run = runs.record_run(c.session, "mbo", None, committed=False, rows_total=0, rows_ok=0,
                              errors=[RunError(2, "", "Regel 2: fout")])
        runs.mark_handled(c.session, run, c.staff)
        return "import_run", run.id, "handled"

    return {"services.imports.runs.mark_handled": handled}


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

    def provinces(c):
        from portal.services.reference import areas
        areas.import_provinces(c.session, data_file("provincie_2025.geojson").read_bytes())
        return "province_set", None, "import"

    def boundaries(c):
        from portal.services.reference import areas
        areas.import_municipality_boundaries(c.session, data_file("gemeente_2025.geojson").read_bytes())
        return "municipality_boundaries", None, "import"

    def centres(c):
        from portal.services.reference import areas
        areas.import_municipality_centres(c.session, data_file("gemeente_arbeidsmarktregio_2025.csv").read_bytes())
        return "municipality_centres", None, "import"

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
            "core.settings.set_setting": setting, "devdata.generator.generate": generate,
            "services.reference.areas.import_provinces": provinces,
            "services.reference.areas.import_municipality_boundaries": boundaries,
            "services.reference.areas.import_municipality_centres": centres}


def _mbo_and_offer():
    from portal.services.institutions import operations as institutions
    from portal.services.offer import operations as offer
    from portal.services.reference import governing_bodies, mbo
    from portal.services.reference import offer as offer_import
    from tests.factories import make_organisation

    def funded(c):
        institutions.set_funded(c.session, c.mbo, True, c.staff)
        return "organisation", c.mbo.id, "set_funded"

    def statement(c):
        offer.state_offer(c.session, c.vmbo, c.vmbo_user, ["BB"], ["ZW"])
        return "organisation", c.vmbo.id, "state_offer"

    def mbo_files(c):
        mbo.import_mbo(c.session, "brin,naam,website,hoofdlocatie_brinvest,hoofdlocatie_plaats,hoofdlocatie_lat,"
                       "hoofdlocatie_lon\n99XA,Synthetisch mbo (testdata),,99XA00,Ede,52.0,5.6\n",
                       "brinvest,instelling_brin,locatie_naam,straat_huisnummer,postcode,plaats,url,lat,lon,"
                       "gemeente_code_2025\n99XA00,99XA,Hoofd,,,Ede,,52.0,5.6,\n")
        return "mbo_set", None, "import"

    def bodies(c):
        make_organisation("vmbo", vestigingscode="99XA00")
        governing_bodies.import_governing_bodies(
            c.session, "BEVOEGD GEZAG NUMMER;BRIN NUMMER;VESTIGINGSNUMMER\n41234;99XA;99XA00\n")
        return "school_set", None, "governing_bodies"

    def profiles(c):
        offer_import.import_profile_figures(
            c.session, "BRIN NUMMER;VESTIGINGSNUMMER;ONDERWIJSTYPE VO EN LEER- OF VERBLIJFSJAAR;VMBO SECTOR;AFDELING;"
            "LEER- OF VERBLIJFSJAAR 3 - MAN;LEER- OF VERBLIJFSJAAR 3 - VROUW;LEER- OF VERBLIJFSJAAR 4 - MAN;"
            "LEER- OF VERBLIJFSJAAR 4 - VROUW\n99XA;00;VMBO BL lj 3-4;Techniek;Groen;1;2;3;4\n", "2019-2020")
        return "offer_profiles", None, "import"

    def exams(c):
        offer_import.import_exam_pathways(
            c.session, "VESTIGINGSCODE;ONDERWIJSTYPE VO;OPLEIDINGSNAAM;EXAMENKANDIDATEN SCHOOLJAAR 2023-2024 - TOTAAL\n"
            "99XA00;VMBO;VMBO B - techniek;7\n")
        return "offer_pathways", None, "import"

    return {"services.institutions.operations.set_funded": funded, "services.offer.operations.state_offer": statement,
            "services.reference.mbo.import_mbo": mbo_files,
            "services.reference.governing_bodies.import_governing_bodies": bodies,
            "services.reference.offer.import_profile_figures": profiles,
            "services.reference.offer.import_exam_pathways": exams}


def _organisations():
    from portal.services.organisations import merge, merge_versions, partners

    def add_partner(c):
        org = partners.create_partner(c.session, c.vmbo_user, partners.PartnerInput(
            name="Audittest Leerbedrijf", kvk_number="19283746"))
        return "organisation", org.id, "create"

    def merge_two(c):
        kept, removed = make_organisation("employer"), make_organisation("employer")
        merge.merge_organisations(c.session, c.staff, kept.id, removed.id)
        return "organisation", kept.id, "merge"

    def new_versions(c):
        employer = make_organisation("employer")
        route = make_route(parties=[(make_organisation("vmbo"), "vmbo"), (make_organisation("mbo"), "mbo"),
                                    (employer, "employer")])
        touched = merge_versions.before_merge(c.session, employer.id)
        merge_versions.bump_versions(c.session, c.staff, touched)
        return "learning_route", route.id, merge_versions.ACTION

    return {"services.organisations.partners.create_partner": add_partner,
            "services.organisations.merge.merge_organisations": merge_two,
            "services.organisations.merge_versions.bump_versions": new_versions}


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


def _outcomes():
    from portal.domain.outcomes import LeaverGroup
    from portal.services.outcomes import operations

    def save(c):
        first = operations.save_outcome(c.session, c.route, c.route.first_school_year,
                                        operations.OutcomeData(10, 0, 0), c.vmbo_user)
        operations.save_outcome(c.session, c.route, c.route.first_school_year, operations.OutcomeData(
            10, 2, 0, [LeaverGroup(None, None, "mbo2", (3,))]), c.mbo_user, first.version_id)
        return "route_outcome", first.id, "update"

    return {"services.outcomes.operations.save_outcome": save}


def write_cases() -> dict[str, Callable]:
    cases = {}
    cases.update(_outcomes())
    cases.update(_mbo_and_offer())
    cases.update(_organisations())
    cases.update(_plans())
    cases.update(_monitoring())
    cases.update(_agreements())
    cases.update(_practices())
    cases.update(_routes())
    cases.update(_users())
    cases.update(_notifications())
    cases.update(_imports())
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
    from portal.core import data_version
    from portal.services.accounts import users
    user = make_user("reader", make_organisation("vmbo"))
    version = data_version.read(db_session)
    users.authenticate(db_session, user.email, PASSWORD)
    users.rotate_session_token(db_session, user)
    assert data_version.read(db_session) == version
