"""Forms of the organisations area: adding a partner, merging two."""
from __future__ import annotations

from wtforms import BooleanField, HiddenField, SelectField, StringField

from portal.domain.organisations import ADDABLE_KIND_LABELS
from portal.forms.boundary import BoundaryForm
from portal.forms.choices import options


class PartnerForm(BoundaryForm):
    """Name, kind, KvK number, gemeente, website; `field` and `next` say where
    the new organisation goes (the party field of the form it was opened from)."""
    kind = SelectField("Soort", choices=options(ADDABLE_KIND_LABELS.items()), default="employer",
                       validate_choice=False)
    name = StringField("Naam")
    kvk_number = StringField("KvK-nummer (8 cijfers)", render_kw={"inputmode": "numeric", "autocomplete": "off"})
    municipality = SelectField("Gemeente", validate_choice=False)
    website = StringField("Website", render_kw={"type": "url", "autocomplete": "off"})
    confirm_similar = BooleanField("Ja, toch toevoegen: het is een andere organisatie")
    field = HiddenField()
    next = HiddenField()


class MergeForm(BoundaryForm):
    keep = StringField("Id van de organisatie die blijft", render_kw={"inputmode": "numeric"})
    remove = StringField("Id van de organisatie die verdwijnt", render_kw={"inputmode": "numeric"})
    confirmed = HiddenField()
