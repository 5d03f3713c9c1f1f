"""Settings: facts about the data set, such as its label (demo / synthetic).
Changes are audited (which also bumps the data version, see data_version)."""
from __future__ import annotations

from typing import cast

from sqlalchemy.orm import Session

from portal.core.aggregates import kept
from portal.core.audit import record
from portal.core.data_version import put_setting
from portal.extensions import db
from portal.models import Setting, User

DATASET_LABEL = "dataset_label"

LABELS = {
    "demo": "Demodata: fictieve routes, overeenkomsten en gebruikers bovenop echte referentiedata.",
    "synthetic": "Synthetische data: gegenereerd voor tests en metingen, niet echt.",
}


def get_setting(session: Session, key: str) -> str | None:
    row = session.get(Setting, key)
    return row.value if row else None


def set_setting(session: Session, key: str, value: str, actor: User | None = None, *, audit: bool = True) -> None:
    """Change a setting, audited (which also bumps the data version).
    audit=False only inside a use case that records its own entry for it."""
    old = put_setting(session, key, value)
    if audit:
        record(session, actor, "setting", None, "update", before={"key": key, "value": old},
               after={"key": key, "value": value})


def dataset_label() -> str | None:
    """The banner text for demo or synthetic data, or None for real data."""
    try:
        # db.session is the scoped_session that stands in for the request's Session.
        # Kept per data version (a setting's write moves it): not a query on every page.
        value = kept(cast(Session, db.session), ("setting", DATASET_LABEL),
                     lambda: get_setting(cast(Session, db.session), DATASET_LABEL))
    except Exception:  # noqa: BLE001  a missing table or database must not break error pages
        db.session.rollback()
        return None
    return LABELS.get(value or "")
