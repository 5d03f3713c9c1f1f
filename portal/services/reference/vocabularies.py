"""The official vocabularies (leerwegen, niveaus, domeinen, soorten, profielen) as rows."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from portal.core.audit import record
from portal.domain import vocab
from portal.models import MboDomain, MboLevel, Pathway, Profile, RouteKind


def seed_vocabularies(session: Session) -> int:
    """Insert or update the official vocabularies; safe to rerun. Audited
    (one entry) when a term was added or changed; returns the number added."""
    count = 0
    changed: list[str] = []
    tables: Iterable[tuple[type, tuple[vocab.Term, ...]]] = (
        (Pathway, vocab.PATHWAYS), (MboLevel, vocab.MBO_LEVELS),
        (MboDomain, vocab.MBO_DOMAINS), (RouteKind, vocab.ROUTE_KINDS),
    )
    for model, terms in tables:
        for order, term in enumerate(terms):
            count += _upsert_term(session, model, term, order, changed)
    for order, term in enumerate(vocab.PROFILES):
        count += _upsert_term(
            session, Profile, term, order, changed,
            abbreviation=vocab.PROFILE_ABBREVIATIONS[term.code], is_tl=term.code.startswith("TL-"),
        )
    session.flush()
    if changed:
        record(session, None, "vocabulary", None, "seed", after={"added": count, "changed": changed})
    return count


def _upsert_term(session: Session, model: type, term: vocab.Term, order: int, changed: list[str], **extra) -> int:
    row = session.get(model, term.code)
    key = f"{model.__tablename__}:{term.code}"
    if row is None:
        session.add(model(code=term.code, name=term.name, sort_order=order, **extra))
        changed.append(key)
        return 1
    wanted = {"name": term.name, "sort_order": order, **extra}
    if any(getattr(row, k) != v for k, v in wanted.items()):
        changed.append(key)
        for k, v in wanted.items():
            setattr(row, k, v)
    return 0
