from datetime import datetime, time, timezone

from flask import request
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from hub.api import Boolean
from hub.extensions import db
from hub.hotlists import services
from hub.hotlists.errors import HotFileInvalid, HotlistEntryNotFound
from hub.hotlists.models import PRIORITIES, REASON_CATEGORIES, HotlistEntry
from hub.identity.auth import scope_required
from hub.identity.permissions import require_capability
from hub.identity.roles import Capability

api_blp = Blueprint("hotlists_api", __name__, url_prefix="/api/v1/hotlists", description="Hotlists")


class HotlistEntryCreateSchema(Schema):
    plate = fields.Str(required=True, validate=validate.Length(min=1, max=12))
    plate_state = fields.Str(allow_none=True, validate=validate.Length(equal=2))
    reason_category = fields.Str(required=True, validate=validate.OneOf(REASON_CATEGORIES))
    case_number = fields.Str(required=True, validate=validate.Length(min=1, max=100))
    priority = fields.Str(required=True, validate=validate.OneOf(PRIORITIES))
    expires_on = fields.Date(required=True)
    non_encounter = Boolean(load_default=False)
    instructions = fields.Str(load_default="", validate=validate.Length(max=2000))


class HotlistEntrySchema(Schema):
    """An entry as stored: one from the state's hot file may lack what a
    manual entry must have."""

    id = fields.Int()
    plate = fields.Str()
    plate_state = fields.Str(allow_none=True)
    reason_category = fields.Str()
    case_number = fields.Str(allow_none=True)
    priority = fields.Str()
    expires_at = fields.DateTime(allow_none=True)
    non_encounter = fields.Bool()
    instructions = fields.Str(allow_none=True)
    removed_at = fields.DateTime(allow_none=True)


class RemovalSchema(Schema):
    reason = fields.Str(required=True, validate=validate.Length(min=1, max=1000))


class ImportSchema(Schema):
    id = fields.Int()
    file_name = fields.Str()
    sha256 = fields.Str()
    entries = fields.Int()
    imported_at = fields.DateTime()
    imported_by = fields.Str()


def end_of(day) -> datetime:
    return datetime.combine(day, time(23, 59, 59), tzinfo=timezone.utc)


@api_blp.route("/entries")
class Entries(MethodView):
    @api_blp.response(200, HotlistEntrySchema(many=True))
    @scope_required("hotlists:write")
    def get(self):
        return services.manual_entries()

    @api_blp.arguments(HotlistEntryCreateSchema)
    @api_blp.response(201, HotlistEntrySchema)
    @scope_required("hotlists:write")
    def post(self, data):
        """A manual entry (ALPR administrators): reason, case number, priority, expiry."""
        data["expires_at"] = end_of(data.pop("expires_on"))
        return services.add_entry(current_user, **data)


@api_blp.route("/entries/<int:entry_id>/removal")
class EntryRemoval(MethodView):
    @api_blp.arguments(RemovalSchema)
    @api_blp.response(200, HotlistEntrySchema)
    @scope_required("hotlists:write")
    def post(self, data, entry_id):
        entry = db.session.get(HotlistEntry, entry_id)
        if entry is None:
            raise HotlistEntryNotFound()
        return services.remove_entry(current_user, entry, reason=data["reason"])


@api_blp.route("/imports")
class Imports(MethodView):
    @api_blp.response(200, ImportSchema(many=True))
    @scope_required("hotlists:write")
    def get(self):
        return services.imports()

    @api_blp.response(201, ImportSchema)
    @api_blp.doc(requestBody={"required": True, "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["file"],
        "properties": {"file": {"type": "string", "format": "binary", "description": "The hot file (CSV)"}}}}}})
    @scope_required("hotlists:write")
    def post(self):
        """Upload a state/NCIC hot file (multipart field `file`); it replaces the previous batch."""
        upload = request.files.get("file")
        if upload is None:
            raise HotFileInvalid("Attach the hot file as the multipart field 'file'.")
        require_capability(current_user, Capability.MANAGE_HOTLISTS, action="hotlist.import")
        return services.import_hot_file(current_user, upload.read(), file_name=upload.filename or "upload.csv")
