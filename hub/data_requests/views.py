"""Pages for written data requests: the requester's form and list, and a
request's page with its history."""
from __future__ import annotations

import re
from datetime import timezone

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from hub.data_requests import history, services
from hub.data_requests.errors import DataRequestInvalid
from hub.data_requests.forms import RequestForm
from hub.errors import Forbidden, HubError
from hub.forms import FORM_ERROR_STATUS, apply_errors
from hub.identity.permissions import can
from hub.identity.roles import Capability
from hub.policy import PolicyRefused

pages = Blueprint("data_requests", __name__, template_folder="templates")

# The names services and rules use, by the form field a person changes.
FORM_FIELDS = {"window": "window_start", "purpose_statement": "purpose", "head_of_agency_statement":
               "authorization_statement", "purpose": "offense_type"}


def _utc(value):
    return value.replace(tzinfo=timezone.utc) if value else None


def _split(text: str | None) -> list[str]:
    return [part for part in re.split(r"[\s,;]+", text or "") if part]


def asked_from(form: RequestForm) -> services.Asked:
    cameras = _split(form.cameras.data)
    if not all(c.isdigit() and len(c) < 10 for c in cameras):
        raise DataRequestInvalid(errors={"cameras": ["Camera numbers are whole numbers, comma-separated."]})
    return services.Asked(
        agency_name=form.agency_name.data or "", requester_name=form.requester_name.data or "",
        purpose=form.purpose.data or "", offense_type=form.offense_type.data or "",
        factual_basis=form.factual_basis.data or "", case_number=form.case_number.data or "",
        authorization_statement=form.authorization_statement.data or "",
        out_of_state_declaration=form.out_of_state_declaration.data, plates=tuple(_split(form.plates.data)),
        cameras=tuple(int(c) for c in cameras), window_start=_utc(form.window_start.data),
        window_end=_utc(form.window_end.data), follows_request_id=form.follows_request_id.data)


@pages.route("/requests", methods=["GET"])
@login_required
def mine():
    if not can(current_user, Capability.SUBMIT_DATA_REQUESTS):
        raise Forbidden("Outside agencies' requesters follow their requests here.")
    return render_template("data_requests/mine.html", requests=services.requests_of(current_user))


@pages.route("/requests/new", methods=["GET", "POST"])
@login_required
def new():
    if not can(current_user, Capability.SUBMIT_DATA_REQUESTS):
        raise Forbidden("Outside agencies' requesters submit written requests.")
    form = RequestForm()
    form.offense_type.choices = [("", "Choose…"), *services.purposes().items()]
    if not form.is_submitted():
        form.agency_name.data, form.requester_name.data = current_user.organisation.name, current_user.display_name
    status = 200
    if form.validate_on_submit():
        try:
            request = services.submit(current_user, asked_from(form))
            flash(f"Request {request.id} received: {request.status_words}.", "info")
            return redirect(url_for("data_requests.detail", request_id=request.id))
        except HubError as error:
            if error.status == 403 and not isinstance(error, PolicyRefused):
                raise
            status = apply_errors(form, error, fields=FORM_FIELDS)
    elif form.is_submitted():
        status = FORM_ERROR_STATUS
    return render_template("data_requests/new.html", form=form), status


@pages.route("/requests/<int:request_id>")
@login_required
def detail(request_id: int):
    request = services.get_request(current_user, request_id)
    staff = services.is_staff(current_user)
    return render_template("data_requests/detail.html", request=request, staff=staff,
                           history=history.of(request, staff=staff))
