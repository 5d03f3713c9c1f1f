"""Adding a partner organisation (an employer, a gemeente, another partner):
the one function the add form of the route and agreement pages, and the demo
seed, create organisations of those kinds through."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.core.audit import record
from portal.core.errors import ServiceError
from portal.domain import organisations as rules
from portal.domain.text import check_text, normalise_text
from portal.models import Municipality, Organisation, User

AUDIT_TYPE = "organisation"


@dataclass
class PartnerInput:
    name: str
    kind: str = "employer"
    kvk_number: str | None = None
    municipality_id: int | None = None
    website: str | None = None
    city: str | None = None


class DuplicateKvk(ServiceError):
    """Another organisation has this KvK number: refused, with a link to it."""

    def __init__(self, existing: Organisation):
        self.existing = existing
        super().__init__({"kvk_number": [f"Dit KvK-nummer hoort al bij {existing.name}."]})


class SimilarName(ServiceError):
    """Organisations with a similar name in the same gemeente: the person
    adding confirms ("toch toevoegen?") or picks an existing one."""

    def __init__(self, similar: list[Organisation]):
        self.similar = similar
        names = ", ".join(o.name for o in similar)
        super().__init__({"name": [f"Bestaat mogelijk al: {names} — toch toevoegen?"]})


def similar_in_municipality(session: Session, name: str, municipality_id: int | None) -> list[Organisation]:
    """Organisations in the same gemeente whose name is similar (see
    portal.domain.organisations for the rule), of any kind."""
    if municipality_id is None:
        return []
    candidates = session.scalars(select(Organisation).where(Organisation.municipality_id == municipality_id)
                                 .order_by(Organisation.name, Organisation.id))
    return [o for o in candidates if rules.names_similar(o.name, name)]


def _validated(session: Session, data: PartnerInput) -> tuple[dict, Municipality | None]:
    errors: dict[str, list[str]] = {}
    name = data.name or ""
    problem = check_text(name, name=True)
    name = "" if problem else (normalise_text(name) or "")
    if problem:
        errors["name"] = [problem]
    elif not name:
        errors["name"] = [rules.MESSAGE_NAME]
    elif len(name) > 255:
        errors["name"] = ["Een naam is hoogstens 255 tekens."]
    if (kind_problem := rules.kind_error(data.kind)):
        errors["kind"] = [kind_problem]
    kvk = rules.clean_kvk(data.kvk_number)
    if (kvk_problem := rules.kvk_error(kvk)):
        errors["kvk_number"] = [kvk_problem]
    website = rules.clean_website(data.website)
    if (website_problem := check_text(website) or rules.website_error(website)):
        errors["website"] = [website_problem]
    municipality = None
    if data.municipality_id is not None:
        municipality = session.get(Municipality, data.municipality_id)
        if municipality is None:
            errors["municipality"] = ["Kies een gemeente uit de lijst."]
    city = normalise_text(data.city) if data.city and not check_text(data.city, name=True) else None
    if errors:
        raise ServiceError(errors)
    return {"name": name, "kind": data.kind, "kvk_number": kvk, "website": website,
            "city": (city or (municipality.name if municipality else None))}, municipality


def create_partner(session: Session, actor: User | None, data: PartnerInput, *, confirm_similar: bool = False,
                   is_demo: bool = False) -> Organisation:
    """Create an employer or other partner. Refused: a vmbo or mbo kind (reference
    data only), a KvK number another organisation has (DuplicateKvk), and,
    unless confirmed, a name similar to one in the same gemeente (SimilarName)."""
    values, municipality = _validated(session, data)
    if values["kvk_number"]:
        existing = session.scalar(select(Organisation).where(Organisation.kvk_number == values["kvk_number"]))
        if existing is not None:
            raise DuplicateKvk(existing)
    if not confirm_similar:
        similar = similar_in_municipality(session, values["name"], municipality.id if municipality else None)
        if similar:
            raise SimilarName(similar)
    org = Organisation(**values, municipality_id=municipality.id if municipality else None, is_demo=is_demo)
    try:
        with session.begin_nested():  # two people adding the same KvK number at the same moment
            session.add(org)
            session.flush()
    except IntegrityError:
        existing = session.scalar(select(Organisation).where(Organisation.kvk_number == values["kvk_number"]))
        if existing is None:
            raise
        raise DuplicateKvk(existing) from None
    record(session, actor, AUDIT_TYPE, org.id, "create",
           after={**values, "municipality": municipality.code if municipality else None, "is_demo": is_demo})
    return org
