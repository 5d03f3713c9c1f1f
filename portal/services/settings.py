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


def set_setting(session: Session, key: str, value: str) -> None:
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value
    session.flush()


def bump_data_version(session: Session) -> None:
    """Any write changes the data version, so cached pages everywhere go stale."""
    set_setting(session, DATA_VERSION, uuid.uuid4().hex)


def dataset_label() -> str | None:
    """The banner text for demo or synthetic data, or None for real data."""
    try:
        value = get_setting(db.session, DATASET_LABEL)
    except Exception:  # noqa: BLE001  a missing table or database must not break error pages
        db.session.rollback()
        return None
    return LABELS.get(value or "")
