"""The data version: one setting that every write changes, so that cached
pages everywhere go stale. Also the plain (unaudited) setting write it uses."""
from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from portal.models import Setting

DATA_VERSION = "data_version"


def put_setting(session: Session, key: str, value: str) -> str | None:
    """Write one setting, not audited; returns the old value."""
    row = session.get(Setting, key)
    old = row.value if row is not None else None
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value
    session.flush()
    return old


def bump_data_version(session: Session) -> None:
    """Any write changes the data version. Part of every audit entry itself,
    so not audited again."""
    put_setting(session, DATA_VERSION, uuid.uuid4().hex)
