from __future__ import annotations

from wtforms import EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from portal.forms.boundary import BoundaryForm

REQUIRED = "Dit veld is verplicht."


class LoginForm(BoundaryForm):
    email = EmailField(
        "E-mailadres", validators=[DataRequired(REQUIRED), Length(max=255)],
        render_kw={"autocomplete": "username", "spellcheck": "false"},
    )
    password = PasswordField(
        "Wachtwoord", validators=[DataRequired(REQUIRED), Length(max=1024)],
        render_kw={"autocomplete": "current-password"},
    )
    submit = SubmitField("Inloggen")


class ChangePasswordForm(BoundaryForm):
    current_password = PasswordField(
        "Huidig wachtwoord", validators=[DataRequired(REQUIRED), Length(max=1024)],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = PasswordField(
        "Nieuw wachtwoord (minstens 12 tekens)",
        validators=[DataRequired(REQUIRED), Length(max=1024)],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField("Wachtwoord wijzigen")


class UserForm(BoundaryForm):
    email = EmailField("E-mailadres", validators=[DataRequired(REQUIRED), Length(max=255)],
                       render_kw={"autocomplete": "off"})
    name = StringField("Naam", validators=[DataRequired(REQUIRED), Length(max=255)])
    role = SelectField("Rol", validators=[DataRequired(REQUIRED)])
    organisation_id = SelectField("Organisatie (verplicht voor een coördinator)", coerce=str)
    password = PasswordField("Eerste wachtwoord (minstens 12 tekens)",
                             validators=[DataRequired(REQUIRED), Length(max=1024)],
                             render_kw={"autocomplete": "new-password"})
    submit = SubmitField("Account aanmaken")
