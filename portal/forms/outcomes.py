"""The form of a route's outcomes in one school year: the counts, and per
phase of the overstapgarantie and destination the waits of the pupils who
left (whole school days, separated by commas; no names)."""
from __future__ import annotations

from wtforms import HiddenField, IntegerField, SelectField, StringField
from wtforms.validators import Length, Optional

from portal.domain.outcomes import OUTCOME_DESTINATIONS, LeaverGroup, parse_waits
from portal.forms.boundary import BoundaryForm

NO_PHASE = 0  # the field name's "phase" when the route has no guarantee phases


class OutcomeForm(BoundaryForm):
    school_year = SelectField("Schooljaar", validate_choice=False)
    started = IntegerField("Gestarte leerlingen", validators=[Optional()],
                           render_kw={"inputmode": "numeric", "class": "narrow-number"})
    diplomas_vmbo = IntegerField("Vmbo-diploma's behaald", validators=[Optional()],
                                 render_kw={"inputmode": "numeric", "class": "narrow-number"})
    diplomas_mbo = IntegerField("Mbo-diploma's behaald", validators=[Optional()],
                                render_kw={"inputmode": "numeric", "class": "narrow-number"})
    version_id = HiddenField()

    # (field name, phase from, phase to, destination), set by outcome_form()
    wait_fields: list[tuple[str, int | None, int | None, str]] = []

    def validate(self, extra_validators=None) -> bool:
        """The fields' own checks, then each list of waits (whole numbers of
        school days in range), its message at its field."""
        valid = super().validate(extra_validators)
        for name, *_rest in self.wait_fields:
            field = getattr(self, name)
            _waits, error = parse_waits(field.data)
            if error:
                field.errors = [*field.errors, error]
                valid = False
        return valid

    def groups(self) -> list[LeaverGroup]:
        groups = []
        for name, start, end, destination in self.wait_fields:
            waits, _error = parse_waits(getattr(self, name).data)
            if waits:
                groups.append(LeaverGroup(start, end, destination, tuple(waits)))
        return groups

    def phase_fields(self) -> list[tuple[int | None, int | None, list]]:
        """Per phase, its wait fields in the order of the destinations."""
        phases: dict[tuple[int | None, int | None], list] = {}
        for name, start, end, _destination in self.wait_fields:
            phases.setdefault((start, end), []).append(getattr(self, name))
        return [(start, end, fields) for (start, end), fields in phases.items()]


def outcome_form(phases: list[tuple[int, int, int]], **kwargs) -> OutcomeForm:
    """An OutcomeForm with one waits field per phase ((from, to, max)) and
    destination; one set without a phase when the route has none."""
    keys: list[tuple[int | None, int | None]] = [(p[0], p[1]) for p in phases] or [(None, None)]
    fields = []
    attrs: dict = {}
    for start, end in keys:
        for destination, label in OUTCOME_DESTINATIONS.items():
            name = f"wait_{start or NO_PHASE}_{destination}"
            attrs[name] = StringField(label, validators=[Length(max=6000)],
                                      render_kw={"placeholder": "bijv. 0, 3, 12", "autocomplete": "off"})
            fields.append((name, start, end, destination))
    form_class = type("PhasedOutcomeForm", (OutcomeForm,), {**attrs, "wait_fields": fields})
    return form_class(**kwargs)


def fill_waits(form: OutcomeForm, groups: list[LeaverGroup]) -> None:
    """Put recorded waits into the form's fields (GET of a recorded year)."""
    for name, start, _end, destination in form.wait_fields:
        waits = [w for g in groups if g.phase_from == start and g.destination == destination for w in g.waits]
        getattr(form, name).data = ", ".join(str(w) for w in sorted(waits))
