"""Holds, purge runs, the destruction record and the scheduler's job runs:
pages for administrators, records staff and auditors, and the API."""
from datetime import datetime, timezone

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.views import MethodView
from flask_login import current_user, login_required
from flask_smorest import Blueprint as ApiBlueprint
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from marshmallow import Schema, fields, validate
from wtforms import DateField, DateTimeLocalField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from hub.errors import Forbidden, HubError
from hub.forms import FORM_ERROR_STATUS, apply_errors
from hub.identity.auth import scope_required
from hub.identity.permissions import can
from hub.identity.roles import Capability
from hub.retention import proof, services
from hub.retention.models import HoldKind
from hub.scheduler.jobs import last_runs, recent_runs

pages = Blueprint("retention", __name__, template_folder="templates")
api_blp = ApiBlueprint("retention_api", __name__, url_prefix="/api/v1", description="Holds and retention")


class HoldForm(FlaskForm):
    kind = SelectField("Kind of hold", choices=[(HoldKind.INVESTIGATION.value, "Active criminal investigation"),
                                                (HoldKind.EXCULPATORY.value, "Exculpatory evidence (written request)")])
    case_number = StringField("Case or complaint number", validators=[DataRequired(), Length(max=100)])
    reason = TextAreaField("Why the reads must be kept", validators=[DataRequired(), Length(max=2000)])
    plate = StringField("Plate (optional if a window is given)", validators=[Optional(), Length(max=12)])
    window_start = DateTimeLocalField("Reads from (UTC, optional)", validators=[Optional()])
    window_end = DateTimeLocalField("Reads to (UTC, optional)", validators=[Optional()])
    review_on = DateField("Review by", validators=[DataRequired()])
    requester_name = StringField("Requester (exculpatory: the charged person or counsel)", validators=[Length(max=200)])
    exculpatory_statement = TextAreaField("Their statement that the data may be exculpatory",
                                          validators=[Length(max=5000)])
    document = FileField("The written request (PDF, PNG or JPEG; exculpatory holds)")


class ReleaseForm(FlaskForm):
    release_reason = StringField("Why the hold ends", validators=[DataRequired(), Length(max=1000)])


class ReviewForm(FlaskForm):
    next_review_on = DateField("Next review by", validators=[DataRequired()])
    note = StringField("Why the reads are still needed", validators=[DataRequired(), Length(max=1000)])


def _utc(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=timezone.utc) if value else None


def _kinds() -> list[HoldKind]:
    return [kind for kind, capability in services.MANAGES.items() if can(current_user, capability)]


@pages.route("/retention", methods=["GET", "POST"])
@login_required
def index():
    holds = services.list_holds(current_user)
    form = HoldForm()
    form.kind.choices = [c for c in form.kind.choices if HoldKind(c[0]) in _kinds()]
    status = 200
    if form.kind.choices and form.validate_on_submit():
        upload = form.document.data
        try:
            hold = services.place_hold(
                current_user, kind=HoldKind(form.kind.data), case_number=form.case_number.data,
                reason=form.reason.data, plate=form.plate.data or None, window_start=_utc(form.window_start.data),
                window_end=_utc(form.window_end.data), review_on=form.review_on.data,
                requester_name=form.requester_name.data, exculpatory_statement=form.exculpatory_statement.data,
                document=upload.read() if upload else None, document_type=upload.mimetype if upload else None)
            flash(f"Hold {hold.id} placed.", "info")
            return redirect(url_for("retention.hold", hold_id=hold.id))
        except HubError as error:
            if error.status == 403:
                raise
            status = apply_errors(form, error)
    elif form.is_submitted():
        status = FORM_ERROR_STATUS
    return render_template("retention/index.html", holds=holds, form=form if form.kind.choices else None,
                           runs=proof.purge_runs(20), today=datetime.now(timezone.utc).date()), status


@pages.route("/retention/holds/<int:hold_id>", methods=["GET", "POST"])
@login_required
def hold(hold_id: int):
    held = services.get_hold(current_user, hold_id)
    release, review = ReleaseForm(prefix="release"), ReviewForm(prefix="review")
    status = 200
    try:
        if request.method == "POST" and "release-release_reason" in request.form and release.validate_on_submit():
            destroyed = services.release_hold(current_user, held, reason=release.release_reason.data)
            flash(f"Hold released; {destroyed} overdue read(s) destroyed.", "info")
            return redirect(url_for("retention.hold", hold_id=hold_id))
        if request.method == "POST" and "review-note" in request.form and review.validate_on_submit():
            services.review_hold(current_user, held, review_on=review.next_review_on.data, note=review.note.data)
            flash("Review recorded.", "info")
            return redirect(url_for("retention.hold", hold_id=hold_id))
        if request.method == "POST":
            status = FORM_ERROR_STATUS
    except HubError as error:
        if error.status == 403:
            raise
        status = apply_errors(release if "release-release_reason" in request.form else review, error)
    return render_template("retention/hold.html", hold=held, reads=services.held_reads(held), release=release,
                           review=review, manages=held.kind in _kinds()), status


@pages.route("/retention/destruction")
@login_required
def destruction():
    return render_template("retention/destruction.html", days=proof.destruction_record(current_user))


@pages.route("/scheduler")
@login_required
def jobs():
    if not (can(current_user, Capability.MANAGE_SETTINGS) or can(current_user, Capability.MANAGE_HOLDS)):
        raise Forbidden("The job page is for hub and ALPR administrators.")
    return render_template("retention/jobs.html", latest=last_runs(), runs=recent_runs(100))


# --- API ---------------------------------------------------------------------

class HoldSchema(Schema):
    id = fields.Int(dump_only=True)
    kind = fields.Enum(HoldKind, by_value=True, required=True)
    case_number = fields.Str(required=True, validate=validate.Length(min=1, max=100))
    reason = fields.Str(required=True, validate=validate.Length(min=1, max=2000))
    plate = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=12))
    camera_ids = fields.List(fields.Int(validate=validate.Range(min=1, max=2**31 - 1)), load_default=list)
    window_start = fields.AwareDateTime(load_default=None, allow_none=True)
    window_end = fields.AwareDateTime(load_default=None, allow_none=True)
    review_on = fields.Date(required=True)
    requester_name = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=200))
    exculpatory_statement = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=5000),
                                       load_only=True)
    created_at = fields.DateTime(dump_only=True)
    released_at = fields.DateTime(dump_only=True, allow_none=True)
    release_reason = fields.Str(dump_only=True, allow_none=True)
    reads = fields.Function(services.held_reads, dump_only=True)


class ReleaseSchema(Schema):
    reason = fields.Str(required=True, validate=validate.Length(min=1, max=1000))


class ReleasedSchema(Schema):
    hold = fields.Nested(HoldSchema)
    destroyed = fields.Int()


class ReviewSchema(Schema):
    review_on = fields.Date(required=True)
    note = fields.Str(required=True, validate=validate.Length(min=1, max=1000))


class DayRecordSchema(Schema):
    camera_id = fields.Int()
    day = fields.Date()
    collected = fields.Int()
    destroyed = fields.Int()
    destroyed_at = fields.List(fields.DateTime())
    held = fields.Int()
    holds = fields.Function(lambda r: sorted(r.holds))
    key_destroyed_at = fields.DateTime(allow_none=True, metadata={
        "description": "When the owner's data key for the day was destroyed; none while it is kept"})


class DestructionArgs(Schema):
    since = fields.Date()
    until = fields.Date()
    camera_id = fields.Int(validate=validate.Range(min=1, max=2**31 - 1))


@api_blp.route("/holds")
class Holds(MethodView):
    @api_blp.response(200, HoldSchema(many=True))
    @scope_required("profile:read")
    def get(self):
        """Holds the caller manages (auditors: all), active first, by review date."""
        return services.list_holds(current_user)

    @api_blp.arguments(HoldSchema)
    @api_blp.response(201, HoldSchema)
    @scope_required("holds:write")
    def post(self, data):
        """Place a hold. Exculpatory holds need the written request: send it
        by the page (the API takes the other fields)."""
        return services.place_hold(current_user, **data)


@api_blp.route("/holds/<int:hold_id>")
class HoldItem(MethodView):
    @api_blp.response(200, HoldSchema)
    @scope_required("profile:read")
    def get(self, hold_id):
        return services.get_hold(current_user, hold_id)


@api_blp.route("/holds/<int:hold_id>/release")
class HoldRelease(MethodView):
    @api_blp.arguments(ReleaseSchema)
    @api_blp.response(200, ReleasedSchema)
    @scope_required("holds:write")
    def post(self, data, hold_id):
        """End a hold; its reads past their limit are destroyed at once."""
        held = services.get_hold(current_user, hold_id)
        return {"hold": held, "destroyed": services.release_hold(current_user, held, reason=data["reason"])}


@api_blp.route("/holds/<int:hold_id>/review")
class HoldReview(MethodView):
    @api_blp.arguments(ReviewSchema)
    @api_blp.response(200, HoldSchema)
    @scope_required("holds:write")
    def post(self, data, hold_id):
        held = services.get_hold(current_user, hold_id)
        return services.review_hold(current_user, held, review_on=data["review_on"], note=data["note"])


@api_blp.route("/retention/destruction")
class Destruction(MethodView):
    @api_blp.arguments(DestructionArgs, location="query")
    @api_blp.response(200, DayRecordSchema(many=True))
    @scope_required("profile:read")
    def get(self, args):
        """Per camera and day: collected, destroyed (and when), held (and by which holds)."""
        return proof.destruction_record(current_user, **args)
