"""Camera pages: the registry with its map, registration, a camera's page
(sharing mode, location, credential, BCA notice) and its access log."""
from __future__ import annotations

import json
from datetime import date

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from hub.cameras import access_log as log, bca, credentials, permissions, services, sharing
from hub.cameras.forms import (AccessLogFilterForm, BcaSentForm, CameraForm, ConfirmForm, MoveForm, ReasonForm,
                               SharingForm)
from hub.cameras.models import CameraStatus, SharingMode
from hub import paging
from hub.errors import Forbidden, HubError
from hub.forms import FORM_ERROR_STATUS, apply_errors
from hub.identity.permissions import can
from hub.identity.roles import Capability
from hub.urls import absolute_url

pages = Blueprint("cameras", __name__, template_folder="templates")


def _require(capability: Capability) -> None:
    if not can(current_user, capability):
        raise Forbidden(f"The {current_user.role.label.lower()} role has no camera pages.")


@pages.route("/cameras")
@login_required
def index():
    _require(Capability.VIEW_CAMERAS)
    cameras = services.list_cameras(current_user, limit=1000)
    markers = [{"id": c.id, "name": c.name, "lat": c.latitude, "lon": c.longitude, "mode": c.sharing_mode.value,
                "status": c.status.value, "owner": c.organisation.name, "url": url_for("cameras.detail", camera_id=c.id)}
               for c in cameras]
    return render_template("cameras/index.html", cameras=cameras, markers=markers,
                           may_register=can(current_user, Capability.MANAGE_CAMERAS))


@pages.route("/cameras/new", methods=["GET", "POST"])
@login_required
def register():
    _require(Capability.MANAGE_CAMERAS)
    form = CameraForm()
    status = 200
    if form.validate_on_submit():
        try:
            camera = services.register_camera(
                current_user, current_user.organisation, name=form.name.data,
                location=services.Location(form.latitude.data, form.longitude.data, form.location_description.data),
                direction=form.direction.data, fixed=form.fixed.data, built_in=form.built_in.data,
                vendor=form.vendor.data or "",
                model=form.model.data or "", installed_on=form.installed_on.data)
            flash(f"Camera '{camera.name}' registered. Issue its ingest credential below.", "info")
            return redirect(url_for("cameras.detail", camera_id=camera.id))
        except HubError as error:
            if error.refusal is not None:
                raise
            status = apply_errors(form, error)
    elif form.is_submitted():
        status = FORM_ERROR_STATUS
    return render_template("cameras/register.html", form=form), status


def _detail(camera, status=200, secret=None, **forms):
    owner = sharing.is_owner(current_user, camera)
    manager = permissions.may_manage(current_user, camera.organisation)
    defaults = {
        "sharing_form": SharingForm(prefix="sharing", sharing_mode=camera.sharing_mode.value,
                                    retention_days=camera.retention_days),
        "move_form": MoveForm(prefix="move", moved_on=date.today()),
        "retire_form": ReasonForm(prefix="retire"),
        "revoke_form": ReasonForm(prefix="revoke"),
        "credential_form": ConfirmForm(prefix="credential"),
        "bca_form": BcaSentForm(prefix="bca", sent_on=date.today()),
    }
    defaults.update(forms)
    return render_template(
        "cameras/detail.html", camera=camera, owner=owner, manager=manager, secret=secret,
        may_handle_credential=credentials.may_handle(current_user, camera),
        has_credential=credentials.active_credential(camera) is not None,
        may_record_bca=can(current_user, Capability.RECORD_BCA_NOTICES) and permissions.sees_whole_registry(current_user),
        may_see_log=permissions.may_see_access_log(current_user, camera), days_left=bca.days_left(camera),
        access=sharing.agency_access(camera), retired=camera.status is CameraStatus.RETIRED, **defaults), status


@pages.route("/cameras/<int:camera_id>")
@login_required
def detail(camera_id: int):
    return _detail(services.get_camera(current_user, camera_id))


def _post(camera_id: int, name: str, form, authorise, action, done: str):
    """One of the camera page's forms: who may use it is asked first (a
    refusal goes to the error handler, which ledgers it), then a form problem
    comes back on the page."""
    camera = services.get_camera(current_user, camera_id)
    try:
        authorise(camera)
        if not form.validate_on_submit():
            return _detail(camera, FORM_ERROR_STATUS, **{f"{name}_form": form})
        result = action(camera, form)
    except HubError as error:
        if error.refusal is not None:
            raise
        status = apply_errors(form, error)
        return _detail(services.get_camera(current_user, camera_id), status, **{f"{name}_form": form})
    if isinstance(result, str):
        return _detail(camera, 200, secret=result)
    flash(done, "info")
    return redirect(url_for("cameras.detail", camera_id=camera_id))


@pages.route("/cameras/<int:camera_id>/sharing", methods=["POST"])
@login_required
def change_sharing(camera_id: int):
    return _post(camera_id, "sharing", SharingForm(prefix="sharing"),
                 lambda camera: sharing.require_owner(current_user, camera),
                 lambda camera, form: sharing.set_sharing_mode(
                     current_user, camera, SharingMode(form.sharing_mode.data), reason=form.reason.data,
                     retention_days=form.retention_days.data),
                 "Sharing mode changed: it applies from the next request on.")


@pages.route("/cameras/<int:camera_id>/move", methods=["POST"])
@login_required
def move(camera_id: int):
    return _post(camera_id, "move", MoveForm(prefix="move"),
                 lambda camera: services.require_manager(current_user, camera, "camera.update"),
                 lambda camera, form: services.update_camera(
                     current_user, camera, reason=form.reason.data, moved_on=form.moved_on.data,
                     location=services.Location(form.latitude.data, form.longitude.data,
                                                form.location_description.data)),
                 "Location changed; the previous one stays in the camera's history.")


@pages.route("/cameras/<int:camera_id>/retire", methods=["POST"])
@login_required
def retire(camera_id: int):
    return _post(camera_id, "retire", ReasonForm(prefix="retire"),
                 lambda camera: services.require_manager(current_user, camera, "camera.retire"),
                 lambda camera, form: services.retire_camera(current_user, camera, reason=form.reason.data),
                 "Camera retired; its history is kept.")


@pages.route("/cameras/<int:camera_id>/credential", methods=["POST"])
@login_required
def issue_credential(camera_id: int):
    return _post(camera_id, "credential", ConfirmForm(prefix="credential"),
                 lambda camera: credentials.require_handler(current_user, camera, "camera.credential_issue"),
                 lambda camera, form: credentials.issue_credential(current_user, camera)[1], "")


@pages.route("/cameras/<int:camera_id>/credential/revoke", methods=["POST"])
@login_required
def revoke_credential(camera_id: int):
    return _post(camera_id, "revoke", ReasonForm(prefix="revoke"),
                 lambda camera: credentials.require_handler(current_user, camera, "camera.credential_revoke"),
                 lambda camera, form: credentials.revoke_credential(current_user, camera, reason=form.reason.data),
                 "Credential revoked: the camera is refused from now on.")


@pages.route("/cameras/<int:camera_id>/bca-notice", methods=["POST"])
@login_required
def record_bca(camera_id: int):
    return _post(camera_id, "bca", BcaSentForm(prefix="bca"),
                 lambda camera: bca.require_recorder(current_user, camera),
                 lambda camera, form: bca.record_notice_sent(current_user, camera, sent_on=form.sent_on.data),
                 "Notice recorded as sent.")


@pages.route("/cameras/<int:camera_id>/bca-notice")
@login_required
def bca_notice(camera_id: int):
    camera = services.get_camera(current_user, camera_id)
    if request.args.get("format") == "pdf":
        return Response(bca.notice_pdf(camera), mimetype="application/pdf", headers={
            "Content-Disposition": f'inline; filename="bca-notice-camera-{camera.id}.pdf"'})
    return render_template("cameras/bca_notice.html", camera=camera, facts=bca.notice_facts(camera))


@pages.route("/cameras/bca-notices")
@login_required
def bca_notices():
    _require(Capability.RECORD_BCA_NOTICES)
    return render_template("cameras/bca_notices.html", cameras=bca.outstanding_notices(), days_left=bca.days_left)


def _proof_url(camera_id: int, entry_id: int) -> str:
    return absolute_url("cameras_api.CameraAccessProof", camera_id=camera_id, entry_id=entry_id)


@pages.route("/cameras/<int:camera_id>/access-log")
@login_required
def access_log(camera_id: int):
    camera = services.get_camera(current_user, camera_id)
    form = AccessLogFilterForm(request.args)
    if not form.validate():
        return render_template("cameras/access_log.html", camera=camera, form=form, page=None), FORM_ERROR_STATUS
    filters = log.Filters(since=form.since.data, until=form.until.data, action=form.action.data or None,
                          actor=form.actor.data or None, case_number=form.case_number.data or None,
                          before_id=request.args.get("before", type=int))
    if request.args.get("format") == "csv":
        return Response(log.access_log_csv(current_user, camera, filters,
                                           lambda entry_id: _proof_url(camera.id, entry_id)), mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="camera-{camera.id}-access-log.csv"'})
    if request.args.get("format") == "proofs":
        return Response(json.dumps(log.proof_bundle(current_user, camera, filters), indent=1),
                        mimetype="application/json",
                        headers={"Content-Disposition": f'attachment; filename="camera-{camera.id}-proofs.json"'})
    page = log.access_log_page(current_user, camera, filters,
                               paging.page_request(request.args, log.SORTS, default_sort="time"))
    return render_template("cameras/access_log.html", camera=camera, form=form, page=page,
                           csv_args={**request.args.to_dict(), "format": "csv"},
                           proof_args={**request.args.to_dict(), "format": "proofs"},
                           checkpoint=log.shown_checkpoint(current_user))
