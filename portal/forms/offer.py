"""The school's own offer: leerwegen and profielen as checkbox groups."""
from __future__ import annotations

from wtforms import SelectMultipleField

from portal.domain import vocab
from portal.forms.boundary import BoundaryForm
from portal.forms.choices import options, term_options


class CodeChoices(SelectMultipleField):
    """Checkbox group of vocabulary codes; unknown codes are reported by the
    domain rules (domain.offer.statement_errors) at the field."""

    def pre_validate(self, form):
        pass


class OfferForm(BoundaryForm):
    pathways = CodeChoices("Leerwegen", choices=options((t.code, f"{t.code} – {t.name}") for t in vocab.PATHWAYS))
    profiles = CodeChoices("Profielen", choices=term_options(vocab.PROFILES))
