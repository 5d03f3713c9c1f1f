"""How a flask command ends its transaction: through the same helper as a
request (web/transaction.save), with the service's message as the command's error."""
from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import click

from portal.web.transaction import save

T = TypeVar("T")


def run(write: Callable[[], T], prefix: str = "") -> T:
    """A command's write in one transaction (web/transaction.save): committed,
    or rolled back with the service's Dutch message as the command's error."""
    saved = save(write)
    if not saved.ok:
        raise click.ClickException(f"{prefix}{saved.error}")
    return saved.result
