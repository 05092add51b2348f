from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, PasswordField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from hub.identity.roles import ALL_SCOPES, Role


class LoginForm(FlaskForm):
    username = StringField("Username", validators=[DataRequired(), Length(max=80)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])


class CodeForm(FlaskForm):
    code = StringField("Code", validators=[DataRequired(), Length(max=20)])


class TokenForm(FlaskForm):
    name = StringField("What will use it", validators=[DataRequired(), Length(max=100)])
    scopes = SelectMultipleField("Scopes", choices=[(s, s) for s in sorted(ALL_SCOPES)], validators=[Optional()])
    expires_in_days = IntegerField("Days until it expires", default=90,
                                   validators=[DataRequired(), NumberRange(min=1, max=365)])


class RevokeForm(FlaskForm):
    pass


class UserForm(FlaskForm):
    username = StringField("Username", validators=[DataRequired(), Length(max=80)])
    display_name = StringField("Full name", validators=[DataRequired(), Length(max=200)])
    email = StringField("E-mail", validators=[Optional(), Length(max=200)])
    organisation_id = SelectField("Organisation", coerce=int)
    role = SelectField("Role", choices=[(r.value, r.label) for r in Role])
    password = PasswordField("Initial password", validators=[DataRequired(), Length(max=200)])


class RoleForm(FlaskForm):
    role = SelectField("Role", choices=[(r.value, r.label) for r in Role])
    reason = StringField("Reason", validators=[DataRequired(), Length(max=500)])


class ActivationForm(FlaskForm):
    reason = StringField("Reason", validators=[DataRequired(), Length(max=500)])


class TrainingForm(FlaskForm):
    completed_on = DateField("Completed on", validators=[DataRequired()])
    course = StringField("Course or acknowledgement", validators=[DataRequired(), Length(max=200)],
                         default="ALPR operator training and policy acknowledgement")


class AuthorisationForm(FlaskForm):
    text = TextAreaField("Text of the written authorisation", validators=[DataRequired(), Length(max=5000)])
    signed_on = DateField("Signed on", validators=[DataRequired()])


class WithdrawForm(FlaskForm):
    reason = StringField("Reason", validators=[DataRequired(), Length(max=500)])
