"""Forms for the pages of written data requests."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (BooleanField, DateTimeLocalField, IntegerField, RadioField, SelectField, StringField,
                     TextAreaField)
from wtforms.validators import DataRequired, Length, Optional

from hub.data_requests.schemas import LIMITS


def _text(label: str, name: str, area: bool = False, autocomplete: str | None = None):
    kind = TextAreaField if area else StringField
    kwargs = {"render_kw": {"autocomplete": autocomplete}} if autocomplete else {}
    return kind(label, validators=[Length(max=LIMITS[name])], **kwargs)


class RequestForm(FlaskForm):
    """The written request: the five elements the law asks for, then what is
    asked for. An element left empty is named by the rule that needs it."""

    agency_name = _text("1. Requesting agency", "agency_name", autocomplete="organization")
    requester_name = _text("2. Your name", "requester_name", autocomplete="name")
    purpose = _text("3. Intended purpose of obtaining the data", "purpose", area=True)
    offense_type = SelectField("Offense category")
    factual_basis = _text("4. Factual basis for the request", "factual_basis", area=True)
    case_number = _text("4. Case, complaint or incident number", "case_number")
    authorization_statement = _text("5. Statement that the head of your agency or a designee authorised this "
                                    "request", "authorization_statement", area=True)
    out_of_state_declaration = BooleanField(
        "For an agency outside Minnesota: we will keep these data under the classification, destruction and security "
        "requirements of Minn. Stat. 13.824, and use them for none of its prohibited purposes")
    plates = TextAreaField("Plates asked about (one a line; ? for one unknown character, * for several)",
                           validators=[Length(max=1000)])
    cameras = StringField("Camera numbers (optional, comma-separated; none: every camera the agency may search)",
                          validators=[Length(max=1000)])
    window_start = DateTimeLocalField("Reads from (UTC)", validators=[Optional()])
    window_end = DateTimeLocalField("Reads to (UTC)", validators=[Optional()])
    follows_request_id = IntegerField("Follows your earlier request number (optional)", validators=[Optional()])


class RecordsNoteForm(FlaskForm):
    note = TextAreaField("What records staff did under the Data Practices Act",
                         validators=[DataRequired(), Length(max=5000)])


class SearchForm(FlaskForm):
    """The search that answers a request: plates, cameras and window."""

    plates = TextAreaField("Plates (one a line)", validators=[Length(max=1000)])
    cameras = StringField("Camera numbers (comma-separated; none: every camera the agency may search)",
                          validators=[Length(max=1000)])
    window_start = DateTimeLocalField("Reads from (UTC)", validators=[Optional()])
    window_end = DateTimeLocalField("Reads to (UTC)", validators=[Optional()])


class DecisionForm(SearchForm):
    decision = RadioField("Decision", choices=[("approved", "Approve the prepared search"),
                                               ("approved_in_part", "Approve in part: only the plates, cameras and "
                                                                    "window below"),
                                               ("denied", "Deny")], validators=[DataRequired()])
    reasonable_suspicion = BooleanField("Reasonable suspicion exists that the data are pertinent to an active "
                                        "criminal investigation")
    finding = TextAreaField("Written finding", validators=[DataRequired(), Length(max=5000)])


class LetterForm(FlaskForm):
    """A scanned letter carries the five elements; what it asks for is given beside it."""

    letter = FileField("The signed letter (PDF, PNG or JPEG; scanned at 300 dpi if you can)",
                       validators=[FileRequired("Attach the scanned letter.")])
    offense_type = SelectField("Offense category")
    out_of_state_declaration = RequestForm.out_of_state_declaration
    plates = RequestForm.plates
    cameras = RequestForm.cameras
    window_start = RequestForm.window_start
    window_end = RequestForm.window_end
    follows_request_id = RequestForm.follows_request_id
