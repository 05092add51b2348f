"""Hotlist management for ALPR administrators: manual entries and the
history of state hot-file imports."""
from datetime import datetime, time, timezone

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from hub import paging
from hub.errors import Forbidden, HubError, ValidationFailed
from hub.extensions import db
from hub.forms import FORM_ERROR_STATUS, apply_errors
from hub.hotlists import services
from hub.hotlists.errors import HotFileInvalid
from hub.hotlists.models import PRIORITIES, REASON_CATEGORIES, EntrySource, HotlistEntry
from hub.identity.permissions import can
from hub.identity.roles import Capability

pages = Blueprint("hotlists", __name__, template_folder="templates")


class EntryForm(FlaskForm):
    plate = StringField("Plate (partial: * any, ? one character)", validators=[DataRequired(), Length(max=12)])
    reason_category = SelectField("Reason", choices=[(r, r.replace("_", " ")) for r in REASON_CATEGORIES])
    case_number = StringField("Case (ICR) number", validators=[DataRequired(), Length(max=100)])
    priority = SelectField("Priority", choices=[(p, p) for p in PRIORITIES])
    expires_on = DateField("Expires on", validators=[DataRequired()])
    non_encounter = BooleanField("Non-encounter (do not stop)")
    instructions = TextAreaField("Instructions", validators=[Length(max=2000)])


class RemoveForm(FlaskForm):
    reason = StringField("Why it is no longer justified", validators=[DataRequired(), Length(max=1000)])


class ImportForm(FlaskForm):
    file = FileField("State hot file (CSV)", validators=[FileRequired()])


def _require() -> None:
    if not can(current_user, Capability.MANAGE_HOTLISTS):
        raise Forbidden("ALPR administrators manage hotlists.")


class ListFilterForm(FlaskForm):
    class Meta:
        csrf = False

    source = SelectField("Source", choices=[("", "Manual and state hot file"), (EntrySource.MANUAL.value, "Manual"),
                                            (EntrySource.STATE_FILE.value, "State hot file")],
                         validators=[Optional()])
    removed = BooleanField("Include removed entries")


def _page(status=200, **forms):
    context = {"form": EntryForm(prefix="entry"), "remove_form": RemoveForm(prefix="remove"),
               "import_form": ImportForm(prefix="import"), **forms}
    shown = ListFilterForm(request.args)
    if not shown.validate():
        raise ValidationFailed("The list cannot be shown that way.", errors=shown.errors)
    page = services.entries_page(paging.page_request(request.args, services.ENTRY_SORTS, default_sort="added"),
                                 source=EntrySource(shown.source.data) if shown.source.data else None,
                                 include_removed=shown.removed.data)
    return render_template("hotlists/index.html", page=page, list_form=shown, imports=services.imports(),
                           columns=",".join(services.HOT_FILE_COLUMNS), reasons=REASON_CATEGORIES,
                           priorities=PRIORITIES, **context), status


@pages.route("/hotlists", methods=["GET", "POST"])
@login_required
def index():
    _require()
    form = EntryForm(prefix="entry")
    if not form.is_submitted():
        return _page()
    if not form.validate():
        return _page(FORM_ERROR_STATUS, form=form)
    try:
        services.add_entry(current_user, plate=form.plate.data, reason_category=form.reason_category.data,
                           case_number=form.case_number.data, priority=form.priority.data,
                           expires_at=datetime.combine(form.expires_on.data, time(23, 59, 59), tzinfo=timezone.utc),
                           non_encounter=form.non_encounter.data, instructions=form.instructions.data or "")
    except HubError as error:
        if error.refusal is not None:
            raise
        return _page(apply_errors(form, error), form=form)
    flash("Entry added; it is matched from the next read on.", "info")
    return redirect(url_for("hotlists.index"))


@pages.route("/hotlists/<int:entry_id>/remove", methods=["POST"])
@login_required
def remove(entry_id: int):
    _require()
    entry = db.session.get(HotlistEntry, entry_id) or abort(404)
    form = RemoveForm(prefix="remove")
    if not form.validate_on_submit():
        return _page(FORM_ERROR_STATUS, remove_form=form)
    services.remove_entry(current_user, entry, reason=form.reason.data)
    flash("Entry removed.", "info")
    return redirect(url_for("hotlists.index"))


@pages.route("/hotlists/import", methods=["POST"])
@login_required
def upload():
    _require()
    form = ImportForm(prefix="import")
    if not form.validate_on_submit():
        return _page(FORM_ERROR_STATUS, import_form=form)
    try:
        batch = services.import_hot_file(current_user, form.file.data.read(), file_name=form.file.data.filename)
    except HotFileInvalid as error:  # the whole problem in one message, beside the file
        db.session.rollback()
        form.file.errors = [error.message]
        return _page(FORM_ERROR_STATUS, import_form=form)
    except HubError as error:
        return _page(apply_errors(form, error), import_form=form)
    flash(f"Imported {batch.entries} entries; the previous batch is replaced.", "info")
    return redirect(url_for("hotlists.index"))
