"""Merging two organisations (staff): everything that points at the removed
organisation moves to the kept one, in one transaction under the write locks
of both organisations and of every route and agreement they share, audited.

What moves:
- route parties: re-pointed; where both were a party of the same route, the
  kept organisation's party row stays (with its role) and the other goes;
- agreement parties: re-pointed; where both signed the same agreement, the
  kept party row stays and takes over what only the removed row had: its
  signature (when the kept row is unsigned), its bevoegd gezag (when the kept
  row has none), its funding shares (added to the kept row's share of the same
  stream and year, so every year still adds up to 100 %), the funding totals it
  receives and the guarantee phases it is responsible for;
- practice links and the vmbo offer (profielen, leerwegen): a union;
- every other column that references organisations.id (users, an agreement's
  examining organisation, and whatever later tables add) is re-pointed
  generically from the metadata, so a new foreign key cannot be forgotten.

Every route, agreement and practice that pointed at the removed organisation
gets a new version (its version_id) and an audit entry of its own
(merge_versions.py): a form of it opened before the merge is refused with the
usual conflict message. An agreement's revision (the signed text's number)
stays: a merge makes no addendum and drops no signature.

The removed organisation is then deleted: keeping it (marked merged) would
leave a second copy in every search, picker, count and export. Its fields are
in the audit entry of the merge, and an OrganisationMerge row keeps its id
pointing at the kept organisation, so /organisaties/<removed id> redirects.

A removed organisation from the reference data (one with a BRIN) is refused:
the next import would create it again."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.orm import Session

from portal.core.audit import record
from portal.core.errors import ServiceError
from portal.core.locking import lock_for_write
from portal.extensions import db
from portal.models import (
    Agreement,
    AgreementParty,
    FundingShare,
    FundingTotal,
    GoodPractice,
    LearningRoute,
    Organisation,
    OrganisationMerge,
    RouteParty,
    TransferGuarantee,
    User,
    organisation_pathways,
    organisation_profiles,
)
from portal.models.practice import practice_organisations
from portal.services.organisations import merge_versions

AUDIT_TYPE = "organisation"
# Tables moved by hand above (duplicates need a rule); the merge record is ours.
SPECIAL_TABLES = frozenset({"route_parties", "agreement_parties", "practice_organisations",
                            "organisation_pathways", "organisation_profiles", "organisation_merges"})


@dataclass
class MergePlan:
    """What a merge of `removed` into `kept` moves: counts per kind of link, and
    the routes and agreements both take part in (one party row remains)."""
    kept: Organisation
    removed: Organisation
    counts: dict[str, int] = field(default_factory=dict)
    shared_routes: list[LearningRoute] = field(default_factory=list)
    shared_agreements: list[Agreement] = field(default_factory=list)


LINK_LABELS = {
    "route_parties": "deelnames aan leerroutes",
    "agreement_parties": "partijen in samenwerkingsovereenkomsten",
    "practice_organisations": "koppelingen aan goede voorbeelden",
    "users": "gebruikers (coördinatoren)",
    "agreements.examining_organisation_id": "overeenkomsten waarin zij examineert",
}


def organisation_foreign_keys() -> list[tuple[str, str]]:
    """(table, column) of every column that references organisations.id."""
    found = []
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if any(fk.column.table.name == "organisations" and fk.column.name == "id" for fk in column.foreign_keys):
                found.append((table.name, column.name))
    return found


def reference_counts(session: Session, organisation_id: int) -> dict[str, int]:
    """How many rows of each referencing column point at the organisation."""
    counts = {}
    for table_name, column_name in organisation_foreign_keys():
        table = db.metadata.tables[table_name]
        n = session.scalar(select(func.count()).select_from(table).where(table.c[column_name] == organisation_id))
        key = table_name if table_name != "agreements" else f"{table_name}.{column_name}"
        counts[key] = counts.get(key, 0) + (n or 0)
    return counts


def _check(kept: Organisation | None, removed: Organisation | None) -> tuple[Organisation, Organisation]:
    errors: dict[str, list[str]] = {}
    if kept is None:
        errors["keep"] = ["Kies de organisatie die blijft."]
    if removed is None:
        errors["remove"] = ["Kies de organisatie die verdwijnt."]
    if kept is not None and removed is not None:
        if kept.id == removed.id:
            errors["remove"] = ["Kies twee verschillende organisaties."]
        elif kept.kind != removed.kind:
            errors["remove"] = ["Je kunt alleen organisaties van dezelfde soort samenvoegen."]
        elif removed.brin:
            errors["remove"] = [f"{removed.name} komt uit de referentiegegevens (BRIN {removed.brin}); de volgende "
                                "import zou haar opnieuw aanmaken. Kies haar als de organisatie die blijft."]
    if errors:
        raise ServiceError(errors)
    assert kept is not None and removed is not None
    return kept, removed


def merge_plan(session: Session, kept_id: int | None, removed_id: int | None) -> MergePlan:
    kept = session.get(Organisation, kept_id) if kept_id else None
    removed = session.get(Organisation, removed_id) if removed_id else None
    kept, removed = _check(kept, removed)
    counts = {k: v for k, v in reference_counts(session, removed.id).items()
              if v and k not in ("organisation_pathways", "organisation_profiles", "organisation_merges")}
    shared_routes = list(session.scalars(
        select(LearningRoute).where(LearningRoute.parties.any(RouteParty.organisation_id == kept.id),
                                    LearningRoute.parties.any(RouteParty.organisation_id == removed.id))
        .order_by(LearningRoute.id)))
    shared_agreements = list(session.scalars(
        select(Agreement).where(Agreement.parties.any(AgreementParty.organisation_id == kept.id),
                                Agreement.parties.any(AgreementParty.organisation_id == removed.id))
        .order_by(Agreement.id)))
    return MergePlan(kept, removed, counts, shared_routes, shared_agreements)


def _lock_everything(session: Session, kept: Organisation, removed: Organisation) -> None:
    for org in sorted((kept, removed), key=lambda o: o.id):
        lock_for_write(session, org)
    route_ids = select(RouteParty.route_id).where(RouteParty.organisation_id.in_((kept.id, removed.id)))
    for route in session.scalars(select(LearningRoute).where(LearningRoute.id.in_(route_ids))
                                 .order_by(LearningRoute.id)):
        lock_for_write(session, route)
    agreement_ids = select(AgreementParty.agreement_id).where(
        AgreementParty.organisation_id.in_((kept.id, removed.id)))
    for agreement in session.scalars(select(Agreement).where(or_(Agreement.id.in_(agreement_ids),
                                                                 Agreement.examining_organisation_id == removed.id))
                                     .order_by(Agreement.id)):
        lock_for_write(session, agreement)
    _, _, practice_ids = merge_versions.touched_ids(session, removed.id)
    for practice_id in practice_ids:
        lock_for_write(session, session.get_one(GoodPractice, practice_id))


def _merge_route_parties(session: Session, kept_id: int, removed_id: int) -> int:
    shared = select(RouteParty.route_id).where(RouteParty.organisation_id == kept_id)
    dropped = session.execute(delete(RouteParty).where(RouteParty.organisation_id == removed_id,
                                                       RouteParty.route_id.in_(shared))).rowcount
    session.execute(update(RouteParty).where(RouteParty.organisation_id == removed_id)
                    .values(organisation_id=kept_id))
    return dropped or 0


def _merge_agreement_party(session: Session, kept_party: AgreementParty, removed_party: AgreementParty) -> None:
    if kept_party.signed_at is None and removed_party.signed_at is not None:
        kept_party.signed_at = removed_party.signed_at
        kept_party.signed_by_id = removed_party.signed_by_id
        kept_party.signed_by_name = removed_party.signed_by_name
        kept_party.signed_on_behalf_of = removed_party.signed_on_behalf_of
    if not kept_party.governing_body_name and removed_party.governing_body_name:
        kept_party.governing_body_name = removed_party.governing_body_name
        kept_party.governing_body_number = removed_party.governing_body_number
    for share in session.scalars(select(FundingShare).where(FundingShare.party_id == removed_party.id)):
        same = session.scalar(select(FundingShare).where(
            FundingShare.party_id == kept_party.id, FundingShare.stream == share.stream,
            FundingShare.school_year == share.school_year))
        if same is not None:
            same.percentage = same.percentage + share.percentage
            session.delete(share)
        else:
            share.party_id = kept_party.id
    session.flush()
    session.execute(update(FundingTotal).where(FundingTotal.recipient_party_id == removed_party.id)
                    .values(recipient_party_id=kept_party.id))
    session.execute(update(TransferGuarantee).where(TransferGuarantee.responsible_party_id == removed_party.id)
                    .values(responsible_party_id=kept_party.id))
    session.delete(removed_party)
    session.flush()


def _merge_agreement_parties(session: Session, kept_id: int, removed_id: int) -> int:
    merged = 0
    for removed_party in list(session.scalars(select(AgreementParty)
                                              .where(AgreementParty.organisation_id == removed_id))):
        kept_party = session.scalar(select(AgreementParty).where(
            AgreementParty.agreement_id == removed_party.agreement_id, AgreementParty.organisation_id == kept_id))
        if kept_party is None:
            removed_party.organisation_id = kept_id
        else:
            _merge_agreement_party(session, kept_party, removed_party)
            merged += 1
    session.flush()
    return merged


def _union_link(session: Session, table, other_column: str, kept_id: int, removed_id: int) -> None:
    already = select(table.c[other_column]).where(table.c.organisation_id == kept_id)
    rows = session.execute(select(table.c[other_column]).where(table.c.organisation_id == removed_id,
                                                               table.c[other_column].not_in(already))).all()
    if rows:
        session.execute(insert(table), [{"organisation_id": kept_id, other_column: r[0]} for r in rows])
    session.execute(delete(table).where(table.c.organisation_id == removed_id))


def _snapshot(org: Organisation) -> dict:
    return {"name": org.name, "kind": org.kind, "brin": org.brin, "vestigingscode": org.vestigingscode,
            "kvk_number": org.kvk_number, "municipality_id": org.municipality_id, "city": org.city,
            "website": org.website, "governing_body_name": org.governing_body_name,
            "governing_body_number": org.governing_body_number, "is_demo": org.is_demo}


def merge_organisations(session: Session, actor: User | None, kept_id: int | None,
                        removed_id: int | None) -> Organisation:
    """Merge `removed_id` into `kept_id` (see the module's docstring). Returns the kept organisation."""
    plan = merge_plan(session, kept_id, removed_id)
    kept, removed = plan.kept, plan.removed
    _lock_everything(session, kept, removed)
    kept, removed = _check(session.get(Organisation, kept.id), session.get(Organisation, removed.id))
    before_counts = reference_counts(session, removed.id)
    touched = merge_versions.before_merge(session, removed.id)
    dropped_route_parties = _merge_route_parties(session, kept.id, removed.id)
    merged_agreement_parties = _merge_agreement_parties(session, kept.id, removed.id)
    _union_link(session, practice_organisations, "practice_id", kept.id, removed.id)
    _union_link(session, organisation_profiles, "profile_code", kept.id, removed.id)
    _union_link(session, organisation_pathways, "pathway_code", kept.id, removed.id)
    for table_name, column_name in organisation_foreign_keys():
        if table_name in SPECIAL_TABLES:
            continue
        table = db.metadata.tables[table_name]
        session.execute(update(table).where(table.c[column_name] == removed.id).values({column_name: kept.id}))
    # Earlier merges into the removed organisation now point at the kept one.
    session.execute(update(OrganisationMerge).where(OrganisationMerge.kept_id == removed.id)
                    .values(kept_id=kept.id))
    if kept.kvk_number is None and removed.kvk_number:
        kvk = removed.kvk_number
        removed.kvk_number = None
        session.flush()
        kept.kvk_number = kvk
    snapshot, gone = _snapshot(removed), removed.id
    session.add(OrganisationMerge(removed_id=gone, removed_name=removed.name, kept_id=kept.id,
                                  merged_by_id=actor.id if actor is not None else None))
    session.flush()
    session.expunge(removed)
    session.execute(delete(Organisation).where(Organisation.id == gone))
    session.expire_all()
    # Forms of the routes, agreements and practices opened before now conflict.
    new_versions = merge_versions.bump_versions(session, actor, touched)
    record(session, actor, AUDIT_TYPE, kept.id, "merge",
           before={"removed_id": gone, "removed": snapshot, "links": before_counts},
           after={"kept_id": kept.id, "route_parties_joined": dropped_route_parties,
                  "agreement_parties_joined": merged_agreement_parties, "new_versions": new_versions})
    session.refresh(kept)
    return kept
