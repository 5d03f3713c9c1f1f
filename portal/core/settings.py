"""Facts about the data set: its label (demo / synthetic) and the data version."""
from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from portal.extensions import db
from portal.models import Setting

DATASET_LABEL = "dataset_label"
DATA_VERSION = "data_version"

LABELS = {
    "demo": "Demodata: fictieve routes, overeenkomsten en gebruikers bovenop echte referentiedata.",
    "synthetic": "Synthetische data: gegenereerd voor tests en metingen, niet echt.",
}


def get_setting(session: Session, key: str) -> str | None:
    row = session.get(Setting, key)
    return row.value if row else None


def _put(session: Session, key: str, value: str) -> str | None:
    """Write one setting; returns the old value."""
    row = session.get(Setting, key)
    old = row.value if row is not None else None
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value
    session.flush()
    return old


def set_setting(session: Session, key: str, value: str, actor=None, *, audit: bool = True) -> None:
    """Change a setting, audited (which also bumps the data version).
    audit=False only inside a use case that records its own entry for it."""
    old = _put(session, key, value)
    if audit:
        from portal.core.audit import record
        record(session, actor, "setting", None, "update", before={"key": key, "value": old},
               after={"key": key, "value": value})


def bump_data_version(session: Session) -> None:
    """Any write changes the data version, so cached pages everywhere go stale.
    Part of every audit entry itself, so not audited again."""
    _put(session, DATA_VERSION, uuid.uuid4().hex)


def dataset_label() -> str | None:
    """The banner text for demo or synthetic data, or None for real data."""
    try:
        value = get_setting(db.session, DATASET_LABEL)
    except Exception:  # noqa: BLE001  a missing table or database must not break error pages
        db.session.rollback()
        return None
    return LABELS.get(value or "")
