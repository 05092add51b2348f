"""Safe at Home requests, for records staff only."""
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, StringField
from wtforms.validators import DataRequired, Length

from hub.errors import Forbidden, HubError
from hub.forms import FORM_ERROR_STATUS, apply_errors
from hub.identity.permissions import can
from hub.identity.roles import Capability
from hub.safe_at_home import services

pages = Blueprint("safe_at_home", __name__, template_folder="templates")


class RequestForm(FlaskForm):
    plate = StringField("Participant's plate", validators=[DataRequired(), Length(max=12)])
    received_on = DateField("Written request received on", validators=[DataRequired()])
    reference = StringField("Program or letter reference", validators=[DataRequired(), Length(max=100)])
    document = FileField("The written request (PDF, PNG or JPEG)", validators=[FileRequired()])


@pages.route("/safe-at-home", methods=["GET", "POST"])
@login_required
def index():
    if not can(current_user, Capability.MANAGE_SAFE_AT_HOME):
        raise Forbidden("Only records staff handle these requests.")
    form = RequestForm()
    status = 200
    if form.validate_on_submit():
        try:
            request = services.record_request(
                current_user, plate=form.plate.data, received_on=form.received_on.data,
                document=form.document.data.read(), document_type=form.document.data.mimetype,
                reference=form.reference.data)
            flash(f"Request recorded; {request.reads_destroyed} stored read(s) destroyed. Future reads of the "
                  "plate are dropped when collected.", "info")
            return redirect(url_for("safe_at_home.index"))
        except HubError as error:
            status = apply_errors(form, error)
    elif form.is_submitted():
        status = FORM_ERROR_STATUS
    return render_template("safe_at_home/index.html", form=form,
                           requests=services.list_requests(current_user)), status
