"""One fixture world for the permission matrix, the IDOR tests and the form
fuzzers: a route with parties org A (vmbo) and org B (mbo), an agreement
between them, practices by a coordinator of A in every status (each with an
attachment), a signed agreement with an uploaded PDF, and the same kind of
objects of another pair of organisations (C, D) for IDOR checks; archived
variants of a route, an agreement and a practice (only staff see and restore them).

Users (USERS order): anonymous, reader, party (coordinator of A), other
(coordinator of C, no party of A/B's objects), staff, admin, assessor (a
member of the commission without an organisation, assigned to every
regioplan of the world from the moment its review starts)."""
from __future__ import annotations

import io
import uuid
from functools import cached_property

from werkzeug.datastructures import FileStorage

from portal.core.unsubscribe import make_token
from portal.domain.school_year import current_school_year
from portal.extensions import db
from portal.models import Target
from portal.services.agreements import lifecycle as agreement_lifecycle
from portal.services.learning_routes import operations as route_service
from portal.services.practices import attachments as practice_attachments
from portal.services.practices import operations as practice_service
from tests.factories import make_organisation, make_route, make_user
from tests.factories_agreements import make_agreement
from tests.factories_practices import PDF_BYTES, make_practice

USERS = ("anonymous", "reader", "party", "other", "staff", "admin", "assessor")
PRACTICE_STATUSES = ("concept", "ingediend", "teruggestuurd", "gepubliceerd")


class MatrixWorld:
    def __init__(self, session):
        self.session = session
        self.tag = tag = uuid.uuid4().hex[:6]
        self.org_a = make_organisation("vmbo", name=f"Matrix Vmbo A {tag}", governing_body_name="Stichting A")
        self.org_b = make_organisation("mbo", name=f"Matrix ROC B {tag}", governing_body_name="Stichting B")
        self.org_c = make_organisation("vmbo", name=f"Matrix Vmbo C {tag}", governing_body_name="Stichting C")
        self.org_d = make_organisation("mbo", name=f"Matrix ROC D {tag}", governing_body_name="Stichting D")
        self.users = {
            "reader": make_user("reader"),
            "party": make_user("coordinator", self.org_a),
            "party_mbo": make_user("coordinator", self.org_b),
            "other": make_user("coordinator", self.org_c),
            "staff": make_user("staff"),
            "admin": make_user("admin"),
            "assessor": make_user("assessor"),
        }
        self.target_user = make_user("reader", name="Doelwit van toggle")
        ab = [(self.org_a, "vmbo"), (self.org_b, "mbo")]
        cd = [(self.org_c, "vmbo"), (self.org_d, "mbo")]
        self.route = make_route(parties=ab, title=f"Matrixroute openbaar {tag}", status="actief")
        self.route_concept = make_route(parties=ab, title=f"Matrixroute concept {tag}", status="concept")
        self.route_archived = make_route(parties=ab, title=f"Matrixroute archief {tag}", status="actief")
        route_service.archive_route(session, self.route_archived, self.users["staff"])
        self.other_route = make_route(parties=cd, title=f"Andere route openbaar {tag}", status="actief")
        self.other_concept = make_route(parties=cd, title=f"Geheime conceptroute C {tag}", status="concept")

        self._practices: dict = {}
        self._plans: dict = {}
        self.save()

    def save(self) -> None:
        """Commit (a savepoint release inside the test's transaction), so a
        request that rolls back after a refused save keeps the world, as in
        production."""
        self.session.commit()

    # The heavier objects are made when a test first asks for them.
    @cached_property
    def agreement(self):
        agreement = make_agreement(self.users["party"], self.route, self.org_b, title=f"Matrixovereenkomst {self.tag}")
        self.save()
        return agreement

    @cached_property
    def signed(self):
        agreement = make_agreement(self.users["party"], self.route, self.org_b,
                                   title=f"Getekende matrixovereenkomst {self.tag}")
        self._sign_and_attach(agreement)
        self.save()
        return agreement

    @cached_property
    def archived_agreement(self):
        """A concept agreement of A and B that its party archived (only staff see it)."""
        agreement = make_agreement(self.users["party"], self.route, self.org_b,
                                   title=f"Gearchiveerde matrixovereenkomst {self.tag}")
        agreement_lifecycle.archive(self.session, agreement, self.users["party"])
        self.save()
        return agreement

    @cached_property
    def archived_practice(self):
        """A published practice of the party coordinator, archived by staff."""
        practice = self.practice("gepubliceerd")
        practice_service.archive_practice(self.session, practice, self.users["staff"])
        self.save()
        return practice

    @cached_property
    def other_agreement(self):
        agreement = make_agreement(self.users["other"], self.other_route, self.org_d,
                                   title=f"Andere overeenkomst {self.tag}")
        self.save()
        return agreement

    def practice(self, status: str):
        """A practice by the party coordinator in this status, with a PDF attachment."""
        if status not in self._practices:
            party = self.users["party"]
            practice = make_practice(party, status=status, title=f"Matrixvoorbeeld {status} {self.tag}")
            practice_attachments.add_attachment(
                self.session, practice, FileStorage(stream=io.BytesIO(PDF_BYTES), filename="bijlage.pdf"),
                "Bijlage", party)
            self.save()
            self._practices[status] = practice
        return self._practices[status]

    def plan(self, state: str):
        """A regioplan with penvoerder A (the party coordinator) and B, in this state."""
        from tests.factories_plans import MATRIX_STATES, make_matrix_plan
        state = state if state in MATRIX_STATES else "concept"
        if state not in self._plans:
            self._plans[state] = make_matrix_plan(self.session, self.org_a, self.org_b, self.users["staff"],
                                                  self.users["party"], state, self.users["assessor"])
            self.save()
        return self._plans[state]

    def _sign_and_attach(self, agreement) -> None:
        from portal.core.uploads import StoredFile, upload_dir
        party, party_mbo = self.users["party"], self.users["party_mbo"]
        agreement_lifecycle.send_for_signature(self.session, agreement, party)
        for user in (party, party_mbo):
            p = agreement.party_for(user.organisation_id)
            agreement_lifecycle.sign(self.session, agreement, p, user)
        name = uuid.uuid4().hex + ".pdf"
        (upload_dir() / name).write_bytes(PDF_BYTES)
        agreement_lifecycle.attach_document(
            self.session, agreement,
            StoredFile(name, "getekend.pdf", "application/pdf", len(PDF_BYTES), "0" * 64), party)

    def user(self, name: str):
        return None if name == "anonymous" else self.users[name]

    def party_of(self, agreement, org):
        return next(p for p in agreement.parties if p.organisation_id == org.id)

    @cached_property
    def target(self) -> Target:
        """A programme target (synthetic) for /beheer/doelen/<id>."""
        target = Target(name=f"Matrixdoel (synthetisch) {self.tag}", indicator="regions_with_route",
                        target_value=35, target_school_year="2030-2031", source="Synthetische testbron")
        db.session.add(target)
        db.session.flush()
        return target

    @property
    def import_run(self):
        """A refused route CSV import of the party coordinator (one error)."""
        if getattr(self, "_import_run", None) is None:
            from portal.domain.imports import RunError
            from portal.services.imports import runs
            self._import_run = runs.record_run(self.session, "routes_csv", self.users["party"], committed=False,
                                               rows_total=1, rows_ok=0, errors=[RunError(2, "titel", "Titel ontbreekt.")])
        return self._import_run

    def url_values(self, variant: str | None, names) -> dict:
        """URL arguments `names` for a variant of an endpoint (see the matrix
        table): a practice status, a concept/archived route, the signed
        agreement, an export format."""
        values = {}
        for name in names:
            if name == "route_id":
                values[name] = {"concept": self.route_concept, "archived": self.route_archived}.get(
                    variant or "", self.route).id
            elif name in ("agreement_id", "party_id"):
                agreement = {"signed": self.signed, "archived": self.archived_agreement}.get(variant or "") \
                    or self.agreement
                values["agreement_id"] = agreement.id
                values["party_id"] = self.party_of(agreement, self.org_a).id
            elif name in ("practice_id", "attachment_id"):
                practice = self.archived_practice if variant == "archived" else \
                    self.practice(variant if variant in PRACTICE_STATUSES else "gepubliceerd")
                values["practice_id"] = practice.id
                values["attachment_id"] = practice.attachments[0].id
            else:
                values[name] = self._simple_value(name, variant)
        return {name: values[name] for name in names}

    def _simple_value(self, name: str, variant: str | None):
        """The URL arguments that are one value each."""
        if name == "fmt":
            fmt = (variant or "").rsplit(".", 1)[-1]  # "csv", or a "table.csv" export variant
            return fmt if fmt in ("csv", "xlsx") else "csv"
        values = {
            "school_id": lambda: self.org_a.id,  # a vmbo party of the route (the party coordinator's school)
            "plan_id": lambda: self.plan(variant or "concept").id,
            "plan_attachment_id": lambda: self.plan(variant or "concept").attachments[0].id,
            "round_id": lambda: self.plan("concept").region.round_id,
            "user_id": lambda: self.target_user.id,
            "organisation_id": lambda: (self.org_b if variant == "mbo" else self.org_a).id,
            "token": lambda: make_token(self.user("party").id, "agreement_sent"),
            "target_id": lambda: self.target.id,
            "run_id": lambda: self.import_run.id,
            "school_year": current_school_year,
            "name": lambda: (variant or "verdeling").split(".")[0],  # the /dekking exports: "verdeling.csv"
            "code": lambda: "AM38",
            "filename": lambda: "css/portal.css",
        }
        return values[name]()


def flush() -> None:
    db.session.flush()
