from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, FloatField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from hub.cameras.models import SharingMode
from hub.cameras.services import DIRECTIONS
from hub.ledger import actions

MODE_LABELS = {
    SharingMode.PRIVATE: "Private: police see nothing without a time-limited grant",
    SharingMode.ALERTS_ONLY: "Alerts only: hotlist hits reach police, searches do not",
    SharingMode.SHARED: "Shared: a standing share with the agency",
}


class CameraForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    location_description = StringField("Location (road, nearest crossing)", validators=[DataRequired(), Length(max=300)])
    latitude = FloatField("Latitude", validators=[DataRequired(message="Enter a number, e.g. 45.0952")])
    longitude = FloatField("Longitude", validators=[DataRequired(message="Enter a number, e.g. -93.5476")])
    direction = SelectField("Traffic watched", choices=[(d, d) for d in DIRECTIONS])
    fixed = BooleanField("Fixed location (not mobile)", default=True)
    built_in = BooleanField("Built into another surveillance device (a security camera system, for example)")
    vendor = StringField("Vendor", validators=[Length(max=120)])
    model = StringField("Model", validators=[Length(max=120)])
    installed_on = DateField("Installed on", validators=[DataRequired()])


class SharingForm(FlaskForm):
    sharing_mode = SelectField("How the police may see this camera",
                               choices=[(m.value, label) for m, label in MODE_LABELS.items()])
    retention_days = IntegerField("Keep reads for at most (days, optional)",
                                  validators=[Optional(), NumberRange(min=1, max=60)])
    reason = StringField("Why (kept in the audit ledger)", validators=[DataRequired(), Length(max=1000)])


class MoveForm(FlaskForm):
    location_description = StringField("New location", validators=[DataRequired(), Length(max=300)])
    latitude = FloatField("Latitude", validators=[DataRequired()])
    longitude = FloatField("Longitude", validators=[DataRequired()])
    moved_on = DateField("Moved on", validators=[DataRequired()])
    reason = StringField("Why", validators=[DataRequired(), Length(max=1000)])


class ConfirmForm(FlaskForm):
    """A button that changes state: only the CSRF token."""


class ReasonForm(FlaskForm):
    reason = StringField("Why", validators=[DataRequired(), Length(max=1000)])


class BcaSentForm(FlaskForm):
    sent_on = DateField("Notice sent on", validators=[DataRequired()])


class AccessLogFilterForm(FlaskForm):
    class Meta:
        csrf = False

    since = DateField("From", validators=[Optional()])
    until = DateField("To", validators=[Optional()])
    action = SelectField("What", choices=[("", "Anything"), *actions.choices()], validate_choice=True,
                         validators=[Optional()])
    actor = StringField("Who", validators=[Optional(), Length(max=200)])
    case_number = StringField("Case number", validators=[Optional(), Length(max=100)])
