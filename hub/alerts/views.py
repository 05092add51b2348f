"""The officer's live alert board and an alert's page with the decision."""
from datetime import timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from hub import paging
from hub.alerts import services
from hub.alerts.models import AlertStatus
from hub.hotlists import services as hotlists
from hub.clock import utcnow
from hub.errors import Forbidden, HubError, ValidationFailed
from hub.forms import FORM_ERROR_STATUS, apply_errors
from hub.identity.permissions import can
from hub.identity.roles import Capability
from hub.reads import images
from hub.scope import Purpose, scope_for

pages = Blueprint("alerts", __name__, template_folder="templates")
BOARD_HISTORY = timedelta(days=1)


class DecisionForm(FlaskForm):
    outcome = RadioField("Checked against the source", choices=[("verified", "Verified: the hit is current"),
                                                                ("rejected", "Rejected: misread or not current")],
                         validators=[DataRequired()])
    plate_matches_image = BooleanField("The plate was read correctly: I compared the image")
    entry_current_in_source = BooleanField("The entry is still current in the state system")
    vehicle_description_matches = BooleanField("The vehicle matches the entry's description")
    driver_fits_description = BooleanField("The driver reasonably fits the registered owner's description "
                                           "(when the entry concerns the owner)")
    reason = StringField("What the source showed", validators=[DataRequired(), Length(max=1000)])

    def checks(self) -> dict[str, bool]:
        return {name: getattr(self, name).data for name in services.CHECKS}


def _require() -> None:
    if not can(current_user, Capability.RECEIVE_ALERTS):
        raise Forbidden("Alerts go to officers and ALPR administrators.")


@pages.route("/alerts")
@login_required
def board():
    _require()
    return render_template("alerts/board.html", after=services.last_alert_before(utcnow() - BOARD_HISTORY),
                           hot_file=hotlists.freshness())


class ListFilterForm(FlaskForm):
    class Meta:
        csrf = False

    status = SelectField("Status", choices=[("", "Any"), *[(s.value, s.value) for s in AlertStatus]],
                         validators=[Optional()])


@pages.route("/alerts/all")
@login_required
def history():
    _require()
    form = ListFilterForm(request.args)
    if not form.validate():
        raise ValidationFailed("The list cannot be shown that way.", errors=form.errors)
    page = services.alert_list(current_user, paging.page_request(request.args, services.SORTS, default_sort="time"),
                               status=AlertStatus(form.status.data) if form.status.data else None)
    return render_template("alerts/history.html", page=page, form=form)


@pages.route("/alerts/<bigint:alert_id>", methods=["GET", "POST"])
@login_required
def detail(alert_id: int):
    _require()
    alert = services.get_alert(current_user, alert_id)
    form = DecisionForm()
    status = 200
    if form.validate_on_submit():
        try:
            services.decide_alert(current_user, alert, verified=form.outcome.data == "verified",
                                  checks=form.checks(), reason=form.reason.data)
            flash(f"Alert {form.outcome.data}.", "info")
            return redirect(url_for("alerts.detail", alert_id=alert_id))
        except HubError as error:
            if error.refusal is not None:
                raise
            status = apply_errors(form, error)
    elif form.is_submitted():
        status = FORM_ERROR_STATUS
    return render_template("alerts/detail.html", alert=alert, form=form, actionable=services.actionable(alert),
                           concerns_owner=services.concerns_owner(alert), checks=services.checklist(alert),
                           differing=services.differing_characters(alert),
                           picture=images.thumbnail(scope_for(current_user, Purpose.ALERTS), alert,
                                                    alert.plate_image)), status
