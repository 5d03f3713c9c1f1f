"""Options for select, radio and checkbox fields as WTForms wants them
(SelectChoice; plain tuples are deprecated and go in WTForms 3.4)."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from wtforms import SelectChoice

from portal.domain.vocab import Term


def options(pairs: Iterable[tuple[Any, str]]) -> list[SelectChoice]:
    """(value, label) pairs as choices."""
    return [SelectChoice(value, label) for value, label in pairs]


def term_options(terms: Iterable[Term], blank: str | None = None) -> list[SelectChoice]:
    """A vocabulary as choices, optionally after an empty first option."""
    head = [SelectChoice("", blank)] if blank is not None else []
    return head + [SelectChoice(t.code, t.name) for t in terms]
