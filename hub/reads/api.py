"""`POST /api/v1/reads`: cameras push reads, authenticated by their own
ingest credential. JSON (`{"reads": [...]}`, images base64) or multipart
(`read_id`, `captured_at`, optional `plate`/`plate_state`, files
`plate_image`/`vehicle_image`: one read, the image-only integration)."""
from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint
from flask_login import current_user
from marshmallow import Schema, fields, validate

from hub.api import authenticated_by
from hub.cameras.credentials import authenticate_camera
from hub.errors import Unauthenticated
from hub.identity.auth import scope_required
from hub.input_guard import TEXT_PATTERN
from hub.reads import confirmation
from hub.reads.errors import BatchInvalid, ReadsRejected
from hub.reads.ingest import ingest_batch
from hub.reads.wire import decode_batch

api_blp = Blueprint("reads_api", __name__, url_prefix="/api/v1/reads", description="Read ingestion")


class RejectionSchema(Schema):
    index = fields.Int()
    read_id = fields.Str(allow_none=True)
    errors = fields.Dict()


class IngestResultSchema(Schema):
    accepted = fields.List(fields.Str())
    duplicates = fields.List(fields.Str(), metadata={"description": "Already stored: a retry"})
    rejected = fields.List(fields.Nested(RejectionSchema))
    alerts = fields.Int()


_READ = {
    "read_id": {"type": "string", "minLength": 1, "maxLength": 64, "pattern": TEXT_PATTERN,
                "description": "The camera's own id for the read; a retry with the same id is a duplicate"},
    "captured_at": {"type": "string", "format": "date-time", "description": "ISO 8601 with a time zone"},
    "plate": {"type": "string", "minLength": 1, "maxLength": 12, "pattern": TEXT_PATTERN,
              "description": "The plate as read (1 to 10 letters and digits); or send an image"},
    "plate_state": {"type": "string", "pattern": "^[A-Za-z]{2}$"},
    "confidence": {"type": "number", "minimum": 0, "maximum": 1},
}
_IMAGES = ("plate_image", "vehicle_image")
# Decoded by msgspec (hub.reads.wire), checked by hand when it refuses, so documented by hand:
# the statutory fields only (anything else is refused, naming the field).
READS_BODY = {"required": True, "content": {
    "application/json": {"schema": {
        "type": "object", "required": ["reads"], "additionalProperties": False,
        "properties": {"reads": {"type": "array", "minItems": 1, "maxItems": 1000, "items": {
            "type": "object", "required": ["read_id", "captured_at"], "additionalProperties": False,
            "properties": {**_READ, **{name: {"type": "string", "format": "byte"} for name in _IMAGES}}}}}}},
    "multipart/form-data": {"schema": {
        "type": "object", "required": ["read_id", "captured_at"], "additionalProperties": False,
        "properties": {**_READ, **{name: {"type": "string", "format": "binary"} for name in _IMAGES}}}},
}}


def _camera():
    header = request.headers.get("Authorization", "")
    if not header.lower().startswith("bearer "):
        raise Unauthenticated("Present the camera's ingest credential as a bearer token.")
    return authenticate_camera(header[7:])


def _multipart() -> tuple[list, list]:
    read = {k: v for k, v in request.form.items()}
    if "confidence" in read:
        try:
            read["confidence"] = float(read["confidence"])
        except ValueError:
            pass
    uploads = {name: file.read() for name, file in request.files.items()}
    return [read], [uploads]


@api_blp.route("")
class Reads(MethodView):
    @api_blp.response(200, IngestResultSchema)
    @api_blp.doc(requestBody=READS_BODY)
    @authenticated_by("cameraCredential")
    def post(self):
        """Store a batch of reads. Fields beyond the statutory list are refused,
        naming the field; a retried read id is reported as a duplicate."""
        camera = _camera()
        if request.mimetype == "multipart/form-data":
            reads, uploads = _multipart()
        elif request.is_json and (decoded := decode_batch(request.get_data(cache=True))) is not None:
            reads, uploads = decoded, None
        else:
            body = request.get_json(silent=True)
            if not isinstance(body, dict) or "reads" not in body:
                raise BatchInvalid(errors={"body": ['Send JSON of the form {"reads": [...]}.']})
            extra = sorted(set(body) - {"reads"})
            if extra:
                raise BatchInvalid(errors={name: ["Unknown field: a batch holds only 'reads'."] for name in extra})
            reads, uploads = body["reads"], None
        result = ingest_batch(camera, reads, uploads=uploads)
        if not result.accepted and not result.duplicates:
            raise ReadsRejected(errors={"rejected": IngestResultSchema().dump(result)["rejected"]})
        return result


class UnverifiedReadSchema(Schema):
    id = fields.Int()
    camera_id = fields.Int()
    captured_at = fields.DateTime()
    plate = fields.Str(metadata={"description": "What the hub read; confirm or correct it"})
    plate_state = fields.Str(allow_none=True, metadata={
        "description": "As the camera sent it, or as read on the plate"})
    confidence = fields.Float(allow_none=True, metadata={
        "description": "The probability that the whole plate is right (the hub's reading, calibrated)"})
    plate_image = fields.Str(allow_none=True)


class ConfirmationSchema(Schema):
    plate = fields.Str(required=True, validate=validate.Length(min=1, max=12))


class ConfirmationResultSchema(Schema):
    read = fields.Nested(UnverifiedReadSchema)
    alerts = fields.Int()


@api_blp.route("/unverified")
class UnverifiedReads(MethodView):
    @api_blp.response(200, UnverifiedReadSchema(many=True))
    @scope_required("reads:verify")
    def get(self):
        """Reads waiting for a person to confirm their plate: those of cameras
        in the caller's scope (an owner's own cameras; for officers, cameras
        whose reads the agency may see; all, for ALPR administrators)."""
        return confirmation.unverified_reads(current_user)


@api_blp.route("/<bigint:read_id>/confirmation")
class ReadConfirmation(MethodView):
    @api_blp.arguments(ConfirmationSchema)
    @api_blp.response(200, ConfirmationResultSchema)
    @scope_required("reads:verify")
    def post(self, data, read_id):
        """Confirm (or correct) the plate; the read is then matched against the hotlists."""
        read, alerts = confirmation.confirm_read(current_user, read_id, plate=data["plate"])
        return {"read": read, "alerts": alerts}
