"""Form fields shared by the areas. DutchDateField: a date as Dutch users write it, dd-mm-jjjj.

A native <input type="date"> shows the format of the browser's language
(mm/dd/yyyy in an English browser), whatever the page says. This field is a
text box that shows and reads dd-mm-jjjj, and also reads jjjj-mm-dd (what a
browser's date input, a bookmark or an older client sends)."""
from __future__ import annotations

from wtforms import DateField
from wtforms.widgets import TextInput

DATE_FORMATS = ["%d-%m-%Y", "%Y-%m-%d"]
DATE_HINT = "Schrijf de datum als dd-mm-jjjj, bijvoorbeeld 01-08-2026."


class DutchDateField(DateField):
    widget = TextInput()

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("format", DATE_FORMATS)
        kwargs.setdefault("invalid_value_message", DATE_HINT)
        kwargs.setdefault("description", DATE_HINT)  # the form macro shows it as the hint
        render_kw = {"inputmode": "numeric", "autocomplete": "off", "size": 10, "class": "date-input",
                     **(kwargs.pop("render_kw", None) or {})}
        super().__init__(label, validators, render_kw=render_kw, **kwargs)
