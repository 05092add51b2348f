from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from hub.identity.roles import OrganisationKind


class SignUpForm(FlaskForm):
    organisation_name = StringField("Organisation name", validators=[DataRequired(), Length(max=200)],
                                    render_kw={"autocomplete": "organization"})
    kind = SelectField("Kind", choices=[(OrganisationKind.HOA.value, "Homeowners association"),
                                        (OrganisationKind.BUSINESS.value, "Business")])
    contact_name = StringField("Contact person", validators=[DataRequired(), Length(max=200)],
                               render_kw={"autocomplete": "name"})
    contact_email = EmailField("Contact e-mail", validators=[DataRequired(), Length(max=200)],
                               render_kw={"autocomplete": "email"})
    contact_phone = StringField("Contact phone", validators=[Optional(), Length(max=50)],
                                render_kw={"autocomplete": "tel"})
    display_name = StringField("Your name", validators=[DataRequired(), Length(max=200)],
                               render_kw={"autocomplete": "name"})
    username = StringField("Username", validators=[DataRequired(), Length(max=80)],
                           render_kw={"autocomplete": "username"})
    password = PasswordField("Password (12 characters or more)", validators=[DataRequired(), Length(max=200)],
                             render_kw={"autocomplete": "new-password"})
    accept_terms = BooleanField("I accept the data-sharing terms on behalf of the organisation")


class AcceptTermsForm(FlaskForm):
    version = HiddenField()
    accept = BooleanField("I have read these terms and accept them on behalf of the organisation",
                          validators=[DataRequired(message="Tick the box to accept the terms.")])


class DecisionForm(FlaskForm):
    reason = StringField("Reason (the partner sees it)", validators=[DataRequired(), Length(max=1000)])


class InviteForm(FlaskForm):
    email = StringField("Colleague's e-mail", validators=[DataRequired(), Length(max=200)])


class AcceptInvitationForm(FlaskForm):
    display_name = StringField("Your name", validators=[DataRequired(), Length(max=200)])
    username = StringField("Username", validators=[DataRequired(), Length(max=80)])
    password = PasswordField("Password (12 characters or more)", validators=[DataRequired(), Length(max=200)])
