"""A route's values as the audit log records them (snapshot of a route,
input_snapshot of a new route straight from its input, the same dict) and
as the form starts from them (route_input_from)."""
from __future__ import annotations

from collections.abc import Mapping

from portal.domain import vocab
from portal.domain.routes import PartyFacts, RouteInput
from portal.models import LearningRoute

AUDIT_TYPE = "learning_route"


def snapshot(route: LearningRoute, names: Mapping[int, str] | None = None) -> dict:
    """The route's user-visible values, for the audit log and the history tab."""
    def party_names(role: str) -> list[str]:
        return [(names or {}).get(p.organisation_id) or (p.organisation.display_name if p.organisation else str(p.organisation_id))
                for p in route.parties if p.role == role]

    return {
        "title": route.title,
        "kind": route.kind_code,
        "status": route.status,
        "vmbo_parties": party_names("vmbo"),
        "mbo_parties": party_names("mbo"),
        "mbo_location": next((p.mbo_location.display_name for p in route.parties
                              if p.role == "mbo" and p.mbo_location is not None), None),
        "employer_parties": party_names("employer"),
        "pathways": [p.code for p in route.pathways],
        "profiles": [p.code for p in route.profiles],
        "crebo": route.crebo,
        "qualification_name": route.qualification_name,
        "mbo_domain": route.mbo_domain_code,
        "mbo_level": route.mbo_level_code,
        "teaching_location": route.teaching_location,
        "first_school_year": route.first_school_year,
        "last_school_year": route.last_school_year,
        "pupils_per_cohort": route.pupils_per_cohort,
        "contact_name": route.contact_name,
        "contact_email": route.contact_email,
        "contact_phone": route.contact_phone,
        "description": route.description,
        "version_id": route.version_id,
    }


def route_input_from(route: LearningRoute) -> RouteInput:
    """The current values of a route as a RouteInput (to pre-fill a form)."""
    return RouteInput(
        title=route.title, kind=route.kind_code,
        vmbo_parties=[p.organisation_id for p in route.parties if p.role == "vmbo"],
        mbo_parties=[p.organisation_id for p in route.parties if p.role == "mbo"],
        employer_parties=[p.organisation_id for p in route.parties if p.role == "employer"],
        mbo_location=next((p.mbo_location_id for p in route.parties if p.role == "mbo" and p.mbo_location_id),
                          None),
        pathways=[p.code for p in route.pathways], profiles=[p.code for p in route.profiles],
        crebo=route.crebo, qualification_name=route.qualification_name,
        mbo_domain=route.mbo_domain_code, mbo_level=route.mbo_level_code,
        teaching_location=route.teaching_location, first_school_year=route.first_school_year,
        last_school_year=route.last_school_year, status=route.status,
        pupils_per_cohort=route.pupils_per_cohort, contact_name=route.contact_name,
        contact_email=route.contact_email, contact_phone=route.contact_phone,
        description=route.description,
    )


def input_snapshot(data: RouteInput, facts: Mapping[int, PartyFacts], location_name: str | None = None) -> dict:
    """snapshot() of a new route straight from its (validated) input; the order
    of pathways and profiles follows the vocabulary, as the relationships do."""
    order = {t.code: n for n, t in enumerate(vocab.PATHWAYS)}
    profile_order = {t.code: n for n, t in enumerate(vocab.PROFILES)}
    return {
        "title": data.title, "kind": data.kind, "status": data.status,
        "vmbo_parties": [facts[i].name for i in data.vmbo_parties],
        "mbo_parties": [facts[i].name for i in data.mbo_parties],
        "mbo_location": location_name,
        "employer_parties": [facts[i].name for i in data.employer_parties],
        "pathways": sorted(data.pathways, key=order.get), "profiles": sorted(data.profiles, key=profile_order.get),
        "crebo": data.crebo, "qualification_name": data.qualification_name, "mbo_domain": data.mbo_domain,
        "mbo_level": data.mbo_level, "teaching_location": data.teaching_location,
        "first_school_year": data.first_school_year, "last_school_year": data.last_school_year,
        "pupils_per_cohort": data.pupils_per_cohort, "contact_name": data.contact_name,
        "contact_email": data.contact_email, "contact_phone": data.contact_phone,
        "description": data.description, "version_id": 1,
    }
