from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from hub.api import Boolean, Count, Id
from hub.cameras.models import CameraStatus, SharingMode
from hub.input_guard import MAX_INT32
from hub.cameras.services import DIRECTIONS
from hub.identity.schemas import OrganisationSchema
from hub.cameras.sharing import agency_access

_MODES = [m.value for m in SharingMode]


class LocationSchema(Schema):
    latitude = fields.Float()
    longitude = fields.Float()
    description = fields.Str()
    from_date = fields.Date()
    to_date = fields.Date(allow_none=True)


class CameraSchema(Schema):
    id = fields.Int()
    name = fields.Str()
    organisation = fields.Nested(OrganisationSchema)
    location_description = fields.Str()
    latitude = fields.Float()
    longitude = fields.Float()
    direction = fields.Str()
    fixed = fields.Bool()
    built_in = fields.Bool()
    reader_kind = fields.Str(metadata={"description": "fixed, mobile or built_in"})
    vendor = fields.Str()
    model = fields.Str()
    installed_on = fields.Date()
    status = fields.Enum(CameraStatus, by_value=True)
    sharing_mode = fields.Enum(SharingMode, by_value=True)
    retention_days = fields.Int(allow_none=True)
    bca_notice_due_on = fields.Date(allow_none=True)
    bca_notice_sent_on = fields.Date(allow_none=True)
    retired_on = fields.Date(allow_none=True)
    agency_access = fields.Method("_agency_access",
                                  metadata={"description": "What the agency may do with this camera's data now"})
    locations = fields.List(fields.Nested(LocationSchema))

    def _agency_access(self, camera):
        return agency_access(camera)


class ProblemSchema(Schema):
    id = fields.Int()
    camera_id = fields.Int()
    source = fields.Str(attribute="source.value", metadata={"description": "camera (its heartbeat) or person"})
    description = fields.Str()
    reported_at = fields.DateTime()
    resolved_at = fields.DateTime(allow_none=True)
    resolution = fields.Str(allow_none=True)


class ProblemReportSchema(Schema):
    description = fields.Str(required=True, validate=validate.Length(min=1, max=500))


class ProblemResolutionSchema(Schema):
    resolution = fields.Str(required=True, validate=validate.Length(min=1, max=500))


class HeartbeatAnswerSchema(Schema):
    camera_id = fields.Int()
    heard_at = fields.DateTime()
    open_problems = fields.List(fields.Nested(ProblemSchema))


class CameraListItemSchema(CameraSchema):
    """A camera in a list: everything but its location history."""

    class Meta:
        exclude = ("locations",)


class CameraListArgs(Schema):
    organisation_id = fields.Int(validate=validate.Range(min=1, max=MAX_INT32))
    status = fields.Str(validate=validate.OneOf([s.value for s in CameraStatus]))
    limit = fields.Int(load_default=500, validate=validate.Range(min=1, max=1000))
    offset = fields.Int(load_default=0, validate=validate.Range(min=0, max=MAX_INT32))


class CameraCreateSchema(Schema):
    organisation_id = Id(metadata={"description": "Defaults to your own organisation"})
    name = fields.Str(required=True, validate=validate.Length(min=1, max=120))
    location_description = fields.Str(required=True, validate=validate.Length(min=1, max=300))
    latitude = fields.Float(required=True, allow_nan=False)
    longitude = fields.Float(required=True, allow_nan=False)
    direction = fields.Str(required=True, validate=validate.OneOf(DIRECTIONS))
    fixed = Boolean(required=True)
    built_in = Boolean(load_default=False, metadata={"description": "Built into another surveillance device"})
    vendor = fields.Str(load_default="", validate=validate.Length(max=120))
    model = fields.Str(load_default="", validate=validate.Length(max=120))
    installed_on = fields.Date(required=True)


class CameraPatchSchema(Schema):
    reason = fields.Str(required=True, validate=validate.Length(min=1, max=1000),
                        metadata={"description": "Why: kept in the audit ledger"})
    sharing_mode = fields.Str(validate=validate.OneOf(_MODES))
    retention_days = Count(minimum=1, allow_none=True)
    name = fields.Str(validate=validate.Length(min=1, max=120))
    direction = fields.Str(validate=validate.OneOf(DIRECTIONS))
    fixed = Boolean()
    built_in = Boolean()
    vendor = fields.Str(validate=validate.Length(max=120))
    model = fields.Str(validate=validate.Length(max=120))
    status = fields.Str(validate=validate.OneOf([CameraStatus.ACTIVE.value, CameraStatus.PAUSED.value]))
    latitude = fields.Float(allow_nan=False)
    longitude = fields.Float(allow_nan=False)
    location_description = fields.Str(validate=validate.Length(min=1, max=300))
    moved_on = fields.Date()

    @validates_schema
    def _whole_location(self, data, **kwargs):
        given = [k for k in ("latitude", "longitude", "location_description") if k in data]
        if given and len(given) < 3:
            raise ValidationError("A new location needs latitude, longitude and location_description together.",
                                  field_name="location")
        if len(data) == 1:
            raise ValidationError("Nothing to change.", field_name="_schema")


class CameraSummarySchema(Schema):
    id = fields.Int()
    name = fields.Str()
    organisation = fields.Nested(OrganisationSchema)
    status = fields.Enum(CameraStatus, by_value=True)
    sharing_mode = fields.Enum(SharingMode, by_value=True)


class CameraIdentitySchema(Schema):
    camera = fields.Nested(CameraSummarySchema)


class AccessLogArgs(Schema):
    since = fields.Date()
    until = fields.Date()
    action = fields.Str(validate=validate.Length(max=100))
    actor = fields.Str(validate=validate.Length(max=200))
    case_number = fields.Str(validate=validate.Length(max=100))
    before_id = fields.Int(data_key="before", validate=validate.Range(min=1, max=MAX_INT32))


class AccessLogRowSchema(Schema):
    entry_id = fields.Int()
    at = fields.DateTime()
    actor = fields.Str()
    organisation = fields.Str(allow_none=True)
    action = fields.Str()
    label = fields.Str(metadata={"description": "The action in plain words"})
    description = fields.Str(metadata={"description": "What the action is, in a line"})
    purpose = fields.Str(allow_none=True)
    case_number = fields.Str(allow_none=True)
    reads = fields.Int(allow_none=True)
    under = fields.Str(allow_none=True, metadata={"description": "The grant or standing share it came under"})
