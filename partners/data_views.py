"""The partner's "Your data" pages (what is held, export, leaving, the
destruction receipt) and the chief's view of partners that left."""
from __future__ import annotations

import json

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField
from wtforms.validators import Length

from hub.errors import Forbidden, HubError
from hub.forms import FORM_ERROR_STATUS, apply_errors
from hub.identity.permissions import can
from hub.identity.roles import Capability, Role
from hub.urls import absolute_url
from partners import data, leaving

pages = Blueprint("partner_data", __name__, template_folder="templates", url_prefix="/partners")
EXPORTS = {"reads.csv": "text/csv", "access-log.csv": "text/csv", "json": "application/json"}


class LeaveForm(FlaskForm):
    confirm_name = StringField("Type your organisation's name to confirm", validators=[Length(max=200)])
    revoke_live_grants = BooleanField("Revoke every live grant of police access as we leave")


def _partner():
    if current_user.role is not Role.PARTNER_ADMIN:
        raise Forbidden("These pages are for a partner's administrators.")
    return current_user.organisation


def _proof_url(camera_id: int, entry_id: int) -> str:
    return absolute_url("cameras_api.CameraAccessProof", camera_id=camera_id, entry_id=entry_id)


@pages.route("/data")
@login_required
def your_data():
    organisation = _partner()
    departure = leaving.departure_of(organisation)
    cameras, held = data.holdings(current_user, organisation)
    return render_template("partners/your_data.html", organisation=organisation, cameras=cameras, held=held,
                           departure=departure, grants=leaving.live_grants(organisation))


@pages.route("/data/export")
@login_required
def export():
    organisation = _partner()
    kind = request.args.get("format", "json")
    if kind not in EXPORTS:
        abort(404)
    result = data.export(current_user, organisation, kind=kind,
                         camera_ids=request.args.getlist("camera_id", type=int) or None)
    if kind == "reads.csv":
        body = result.reads_csv()
    elif kind == "access-log.csv":
        body = result.access_log_csv(_proof_url)
    else:
        body = json.dumps(result.as_json(_proof_url), indent=1)
    return Response(body, mimetype=EXPORTS[kind], headers={
        "Content-Disposition": f'attachment; filename="{organisation.id}-{kind.replace(".", "-")}.'
                               f'{"csv" if kind.endswith("csv") else "json"}"'})


@pages.route("/data/leave", methods=["GET", "POST"])
@login_required
def leave():
    organisation = _partner()
    if leaving.departure_of(organisation) is not None:
        return redirect(url_for("partner_data.receipt"))
    form = LeaveForm()
    status = 200
    if form.is_submitted():
        if form.validate():
            try:
                leaving.leave_network(current_user, organisation, confirm_name=form.confirm_name.data or "",
                                      revoke_live_grants=form.revoke_live_grants.data)
                return redirect(url_for("partner_data.receipt"))
            except HubError as error:
                if error.refusal is not None:
                    raise
                status = apply_errors(form, error)
        else:
            status = FORM_ERROR_STATUS
    cameras, held = data.holdings(current_user, organisation)
    return render_template("partners/leave.html", organisation=organisation, form=form, cameras=cameras, held=held,
                           grants=leaving.live_grants(organisation)), status


@pages.route("/data/receipt")
@login_required
def receipt():
    organisation = _partner()
    departure = leaving.departure_of(organisation)
    if departure is None:
        abort(404)
    if request.args.get("format") == "json":
        return Response(departure.receipt, mimetype="application/json", headers={
            "Content-Disposition": f'attachment; filename="{organisation.id}-destruction-receipt.json"'})
    return render_template("partners/receipt.html", organisation=organisation, departure=departure,
                           receipt=leaving.receipt_of(departure))


@pages.route("/departed")
@login_required
def departed():
    """The chief's view: partners that left, what was destroyed and what holds keep."""
    if not can(current_user, Capability.APPROVE_PARTNERS):
        raise Forbidden("The chief and the hub administrators see the partners that left.")
    return render_template("partners/departed.html", departures=[
        (organisation, departure, leaving.receipt_of(departure)) for organisation, departure in leaving.departures()])
