"""Pages for access requests: the officer's form and list, the chief's
queue, a request's page (also the partner's, once approved)."""
from __future__ import annotations

from datetime import datetime, timezone

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from hub.cameras.services import camera_names, list_cameras
from hub.errors import Forbidden, HubError
from hub.extensions import db
from hub.forms import FORM_ERROR_STATUS, apply_errors
from hub.grants import access, consent, requests
from hub.grants.models import Grant, RequestStatus
from hub.identity.permissions import can
from hub.identity.roles import Capability
from hub.policy import PolicyRefused

pages = Blueprint("grants", __name__, template_folder="templates")


class RequestForm(FlaskForm):
    camera_ids = SelectMultipleField("Partner cameras (one partner per request)", coerce=int,
                                     validators=[DataRequired()])
    case_number = StringField("Case number", validators=[DataRequired(), Length(max=100)])
    offense_type = SelectField("Offense category", validators=[DataRequired()])
    factual_basis = TextAreaField("Factual basis (reasonable suspicion)", validators=[DataRequired(), Length(max=5000)])
    window_start = DateTimeLocalField("Data from (UTC)", validators=[DataRequired()])
    window_end = DateTimeLocalField("Data to (UTC)", validators=[DataRequired()])
    duration = SelectField("Access for", choices=[("24", "24 hours"), ("48", "48 hours"), ("custom", "Custom")])
    custom_hours = IntegerField("Custom duration (hours)", validators=[Optional(), NumberRange(min=1)])


# What the request rules weigh, by the form field a person changes to meet them.
REQUEST_RULE_FIELDS = {"purpose": "offense_type", "window_age_days": "window_start", "access_hours": "duration"}


class DecisionForm(FlaskForm):
    finding = TextAreaField("Written finding", validators=[DataRequired(), Length(max=5000)])


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=timezone.utc)


@pages.route("/grants/requests/new", methods=["GET", "POST"])
@login_required
def new():
    if not can(current_user, Capability.REQUEST_PARTNER_ACCESS):
        raise Forbidden("Officers ask for partner access.")
    form = RequestForm()
    form.camera_ids.choices = [(c.id, f"{c.organisation.name} — {c.name}") for c in list_cameras(current_user, limit=1000)
                               if c.organisation.kind.is_partner]
    form.offense_type.choices = [("", "Choose…"), *requests.purposes().items()]
    status = 200
    if form.validate_on_submit():
        hours = form.custom_hours.data if form.duration.data == "custom" else int(form.duration.data)
        try:
            request = requests.create_request(
                current_user, camera_ids=form.camera_ids.data, case_number=form.case_number.data,
                offense_type=form.offense_type.data, factual_basis=form.factual_basis.data,
                window_start=_utc(form.window_start.data), window_end=_utc(form.window_end.data),
                access_hours=hours or 0)
            flash("Request sent to the chief.", "info")
            return redirect(url_for("grants.detail", request_id=request.id))
        except HubError as error:
            if error.status == 403 and not isinstance(error, PolicyRefused):
                raise
            status = apply_errors(form, error, fields=REQUEST_RULE_FIELDS)
    elif form.is_submitted():
        status = FORM_ERROR_STATUS
    return render_template("grants/new.html", form=form), status


@pages.route("/grants/requests")
@login_required
def mine():
    return render_template("grants/mine.html", requests=requests.requests_of(current_user))


@pages.route("/grants/review")
@login_required
def review():
    if not can(current_user, Capability.APPROVE_ACCESS_REQUESTS):
        raise Forbidden("The chief reviews access requests.")
    return render_template("grants/review.html", pending=requests.awaiting_chief(), same_case=requests.same_case,
                           form=DecisionForm())


@pages.route("/grants/review/<int:request_id>/<any(approve, deny):decision>", methods=["POST"])
@login_required
def decide(request_id: int, decision: str):
    request = requests.get_request(current_user, request_id)
    requests.require_decider(current_user, request)
    form = DecisionForm()
    if not form.validate_on_submit():
        flash("Write the finding.", "error")
        return render_template("grants/review.html", pending=requests.awaiting_chief(),
                               same_case=requests.same_case, form=form), FORM_ERROR_STATUS
    requests.decide_request(current_user, request, approve=decision == "approve", finding=form.finding.data)
    flash(f"Request {request.id} {'approved: sent to the partner' if decision == 'approve' else 'denied'}.", "info")
    return redirect(url_for("grants.review"))


@pages.route("/grants/requests/<int:request_id>")
@login_required
def detail(request_id: int):
    request = requests.get_request(current_user, request_id)
    return render_template("grants/detail.html", request=request, grants=access.grants_for_request(request.id))


@pages.route("/grants/requests/<int:request_id>/consent")
@login_required
def consent_link(request_id: int):
    """The partner's message links here: on to the authorisation address the
    request's client prepared, which may be longer than a message link. Once
    the request is decided (or before the link is ready) the link leads to the
    request itself, saying why, never to an error."""
    access_request = requests.get_request(current_user, request_id)
    try:
        return redirect(consent.consent_url(access_request))
    except consent.ConsentLinkNotFound:
        flash(f"Request {request_id} is {access_request.status_words}: there is nothing to decide on now."
              if access_request.status is not RequestStatus.AWAITING_PARTNER else
              f"Request {request_id} is not ready for your decision yet: the department's system has not sent it.",
              "info")
        return redirect(url_for("grants.detail", request_id=request_id))


@pages.route("/grants/requests/<int:request_id>/grants/<int:grant_id>/reads")
@login_required
def granted_reads(request_id: int, grant_id: int):
    """The requesting officer's view of the data a partner granted."""
    grant = db.session.get(Grant, grant_id)
    if grant is None or grant.request_id != request_id:
        abort(404)
    reads = access.officer_reads(current_user, grant)
    cameras = camera_names(grant.cameras)
    return render_template("grants/granted_reads.html", grant=grant, reads=reads, cameras=cameras)
