"""The current offer of each vmbo school, derived from the newest figures the
portal has for it: DUO's profiel figures (per school year), DUO's examined
leerwegen (per school year) and the school's own statement. The result is
written to organisation_profiles / organisation_pathways, which coverage and
the route rules read, with its source and year in offer_bases.

The school's own statement wins when its school year is the same as or newer
than DUO's (a school that corrects DUO's figure for a year knows better)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from portal.models import (
    OfferBasis,
    OfferPathwayYear,
    OfferProfileFigure,
    OfferStatement,
    Organisation,
    organisation_pathways,
    organisation_profiles,
)

# When two sources have the same school year, the first wins.
PATHWAY_PREFERENCE = ("school", "duo_examens", "duo_leerlingen")


@dataclass(frozen=True)
class Choice:
    source: str
    school_year: str
    codes: tuple[str, ...]


def _newest(candidates: list[Choice]) -> Choice | None:
    if not candidates:
        return None
    return max(candidates, key=lambda c: (c.school_year, -PATHWAY_PREFERENCE.index(c.source)))


def _duo_by_code(session: Session, codes: set[str]):
    """Per vestigingscode: {school year: profiel codes} and {school year:
    leerwegen} from DUO's pupil figures (rows with pupils in leerjaar 3-4)."""
    profiles: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    pathways: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    rows = session.execute(select(OfferProfileFigure.vestigingscode, OfferProfileFigure.school_year,
                                  OfferProfileFigure.pathway_code, OfferProfileFigure.profile_code)
                           .where(OfferProfileFigure.pupils_year3 + OfferProfileFigure.pupils_year4 > 0))
    for code, year, pathway, profile in rows:
        if code in codes:
            pathways[code][year].add(pathway)
            if profile:
                profiles[code][year].add(profile)
    exams: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for code, year, pathway in session.execute(select(OfferPathwayYear.vestigingscode, OfferPathwayYear.school_year,
                                                      OfferPathwayYear.pathway_code)):
        if code in codes:
            exams[code][year].add(pathway)
    return profiles, pathways, exams


def _latest_statements(session: Session, org_ids: list[int] | None) -> dict[int, OfferStatement]:
    query = select(OfferStatement).order_by(OfferStatement.school_year)
    if org_ids is not None:
        query = query.where(OfferStatement.organisation_id.in_(org_ids))
    return {s.organisation_id: s for s in session.scalars(query)}  # the last (newest year) wins


def refresh_offer(session: Session, org_ids: list[int] | None = None) -> int:
    """Derive the current offer of the given vmbo schools (all when None);
    returns how many schools have a derived offer. A school without any
    figure keeps the leerwegen and profielen it had."""
    query = select(Organisation.id, Organisation.vestigingscode).where(Organisation.kind == "vmbo")
    if org_ids is not None:
        query = query.where(Organisation.id.in_(org_ids))
    orgs = list(session.execute(query))
    codes = {code for _, code in orgs if code}
    duo_profiles, duo_pathways, exams = _duo_by_code(session, codes)
    statements = _latest_statements(session, org_ids)
    bases, profile_rows, pathway_rows = [], [], []
    for org_id, code in orgs:
        statement = statements.get(org_id)
        stated = [Choice("school", statement.school_year, tuple(p.code for p in statement.profiles))] \
            if statement else []
        stated_pathways = [Choice("school", statement.school_year, tuple(p.code for p in statement.pathways))] \
            if statement else []
        profile_choice = _newest(stated + [Choice("duo_leerlingen", year, tuple(sorted(found)))
                                           for year, found in duo_profiles.get(code, {}).items()])
        pathway_choice = _newest(
            stated_pathways
            + [Choice("duo_examens", year, tuple(sorted(found))) for year, found in exams.get(code, {}).items()]
            + [Choice("duo_leerlingen", year, tuple(sorted(found)))
               for year, found in duo_pathways.get(code, {}).items()])
        if profile_choice is None and pathway_choice is None:
            continue
        bases.append({
            "organisation_id": org_id,
            "profiles_source": profile_choice.source if profile_choice else None,
            "profiles_school_year": profile_choice.school_year if profile_choice else None,
            "pathways_source": pathway_choice.source if pathway_choice else None,
            "pathways_school_year": pathway_choice.school_year if pathway_choice else None,
        })
        if profile_choice:
            profile_rows += [{"organisation_id": org_id, "profile_code": c} for c in profile_choice.codes]
        if pathway_choice:
            pathway_rows += [{"organisation_id": org_id, "pathway_code": c} for c in pathway_choice.codes]
    _write(session, bases, profile_rows, pathway_rows)
    return len(bases)


def _write(session: Session, bases: list[dict], profile_rows: list[dict], pathway_rows: list[dict]) -> None:
    ids = [b["organisation_id"] for b in bases]
    with_profiles = [b["organisation_id"] for b in bases if b["profiles_source"]]
    with_pathways = [b["organisation_id"] for b in bases if b["pathways_source"]]
    session.flush()
    for chunk in _chunks(ids):
        session.execute(delete(OfferBasis).where(OfferBasis.organisation_id.in_(chunk)))
    for chunk in _chunks(with_profiles):
        session.execute(delete(organisation_profiles).where(organisation_profiles.c.organisation_id.in_(chunk)))
    for chunk in _chunks(with_pathways):
        session.execute(delete(organisation_pathways).where(organisation_pathways.c.organisation_id.in_(chunk)))
    for table, rows in ((OfferBasis.__table__, bases), (organisation_profiles, profile_rows),
                        (organisation_pathways, pathway_rows)):
        if rows:
            session.execute(insert(table), rows)
    # The ORM's loaded collections are stale now.
    session.expire_all()


def _chunks(ids: list[int], size: int = 500):
    for start in range(0, len(ids), size):
        yield ids[start:start + size]
