"""Organisations that are probably the same (for staff: "waiting for a merge
decision"). Rule: organisations in the same gemeente whose names have the same
comparison key (portal.domain.organisations.name_key), where at least one of
them was added by hand (has no BRIN): two reference vestigingen of one school
in one gemeente are two real places, not a duplicate."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.organisations import name_key
from portal.models import Organisation


def probable_duplicates(session: Session) -> list[list[Organisation]]:
    """Groups of two or more organisations, each group ordered by id (the
    oldest first: the natural one to keep), groups ordered by name."""
    groups: dict[tuple[int, str], list[Organisation]] = {}
    for org in session.scalars(select(Organisation).where(Organisation.municipality_id.is_not(None))
                               .order_by(Organisation.id)):
        key = name_key(org.name)
        if key:
            groups.setdefault((org.municipality_id or 0, key), []).append(org)
    found = [g for g in groups.values() if len(g) > 1 and any(o.brin is None for o in g)]
    return sorted(found, key=lambda g: (g[0].name.lower(), g[0].id))
