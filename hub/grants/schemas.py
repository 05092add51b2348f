from marshmallow import Schema, fields, validate

from hub.api import Boolean, Count, Id
from hub.grants.models import RequestStatus


class AccessRequestCreateSchema(Schema):
    camera_ids = fields.List(Id(), required=True, validate=validate.Length(min=1, max=200))
    case_number = fields.Str(required=True, validate=validate.Length(max=100))
    offense_type = fields.Str(required=True, validate=validate.Length(max=100), metadata={
        "description": "The id of one of the agency's offense categories (the purposes its policy lists)"})
    factual_basis = fields.Str(required=True, validate=validate.Length(max=5000))
    window_start = fields.AwareDateTime(required=True)
    window_end = fields.AwareDateTime(required=True)
    access_hours = Count(minimum=1, required=True, metadata={"description": "24, 48, or a custom number of hours"})


class AccessRequestSchema(Schema):
    id = fields.Int()
    officer = fields.Function(lambda r: r.officer.username)
    organisation = fields.Function(lambda r: {"id": r.organisation_id, "name": r.organisation.name})
    camera_ids = fields.List(fields.Int(), attribute="cameras")
    case_number = fields.Str()
    offense_type = fields.Str()
    factual_basis = fields.Str()
    window_start = fields.DateTime()
    window_end = fields.DateTime()
    access_hours = fields.Int()
    status = fields.Enum(RequestStatus, by_value=True)
    created_at = fields.DateTime()
    finding = fields.Str(allow_none=True)
    partner_message = fields.Str(allow_none=True)
    oauth_client = fields.Function(lambda r: {"client_id": r.oauth_client.client_id, "name": r.oauth_client.name}
                                   if r.oauth_client else None)


class AccessDecisionSchema(Schema):
    approve = Boolean(required=True)
    finding = fields.Str(required=True, validate=validate.Length(min=1, max=5000))


class ConsentLinkSchema(Schema):
    authorization_url = fields.Str(required=True, validate=validate.Length(min=1, max=8000))
