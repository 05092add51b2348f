"""The page where a person confirms the plates the hub could not read with
confidence: each waiting read with its picture, and the plate as the person
reads it there."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from hub import paging
from hub.cameras.services import camera_names
from hub.errors import Forbidden, HubError
from hub.forms import FORM_ERROR_STATUS, apply_errors
from hub.identity.permissions import can
from hub.identity.roles import Capability
from hub.reads import confirmation, images
from hub.scope import Purpose, scope_for

pages = Blueprint("reads", __name__, template_folder="templates")


class ConfirmForm(FlaskForm):
    plate = StringField("Plate as you read it on the picture", validators=[DataRequired(), Length(max=12)])


def _require() -> None:
    if not can(current_user, Capability.VERIFY_READS):
        raise Forbidden("Officers, ALPR administrators and camera owners confirm reads.")


def _page(status: int = 200, failed: int | None = None, form: ConfirmForm | None = None):
    page = confirmation.unverified_page(current_user, paging.page_request(request.args, confirmation.SORTS,
                                                                          default_sort="time"))
    cameras = camera_names(sorted({r.camera_id for r in page.items}))
    scope = scope_for(current_user, Purpose.VERIFY)
    pictures = {r.id: images.thumbnail(scope, r, r.plate_image, r.vehicle_image) for r in page.items}
    return render_template("reads/unverified.html", page=page, cameras=cameras, pictures=pictures,
                           failed=failed, form=form or ConfirmForm()), status


@pages.route("/reads/unverified")
@login_required
def unverified():
    _require()
    return _page()


@pages.route("/reads/<bigint:read_id>/confirm", methods=["POST"])
@login_required
def confirm(read_id: int):
    _require()
    form = ConfirmForm()
    if not form.validate_on_submit():
        return _page(FORM_ERROR_STATUS, read_id, form)
    try:
        read, alerts = confirmation.confirm_read(current_user, read_id, plate=form.plate.data)
    except HubError as error:
        if error.refusal is not None:
            raise
        return _page(apply_errors(form, error), read_id, form)
    flash(f"Read confirmed as {read.plate}" + (f"; it raised {alerts} alert(s)." if alerts else "."), "info")
    return redirect(url_for("reads.unverified", **request.args))
