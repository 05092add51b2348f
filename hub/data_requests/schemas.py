"""The API's shapes for written data requests. Lengths are limited here so
that nothing the database cannot sensibly hold reaches a service; whether
each of the five elements is given at all is the policy engine's to say,
so they may be sent empty and are then refused by name."""
from marshmallow import Schema, fields, validate

from hub.api import Id
from hub.data_requests.models import RequestStatus

LIMITS = {"agency_name": 200, "requester_name": 200, "purpose": 2000, "offense_type": 64, "factual_basis": 5000,
          "case_number": 100, "authorization_statement": 2000}


def _text(name: str, description: str):
    return fields.Str(load_default="", validate=validate.Length(max=LIMITS[name]),
                      metadata={"description": description})


class WindowSchema(Schema):
    start = fields.AwareDateTime(required=True)
    end = fields.AwareDateTime(required=True)


class DataRequestCreateSchema(Schema):
    agency_name = _text("agency_name", "(1) The requesting agency's name")
    requester_name = _text("requester_name", "(2) The name of the person requesting")
    purpose = _text("purpose", "(3) The intended purpose of obtaining the data")
    offense_type = _text("offense_type", "The purpose's category: the id of one of the agency's offense "
                                         "categories (GET /api/v1/requests/purposes)")
    factual_basis = _text("factual_basis", "(4) The factual basis for the request")
    case_number = _text("case_number", "(4) The case, complaint or incident number it rests on")
    authorization_statement = _text("authorization_statement", "(5) A statement that the head of the agency or a "
                                                               "designee authorised the request")
    out_of_state_declaration = fields.Bool(load_default=False, metadata={
        "description": "For an agency outside the state: it declares it will keep the data under the classification, "
                       "destruction and security requirements of Minn. Stat. 13.824"})
    plates = fields.List(fields.Str(validate=validate.Length(max=20)), required=True,
                         validate=validate.Length(max=50), metadata={"description": "Full or partial plates (? and *)"})
    cameras = fields.List(Id(), load_default=list, validate=validate.Length(max=200),
                          metadata={"description": "Camera ids; none: every camera the agency may search"})
    window = fields.Nested(WindowSchema, required=True)
    follows_request_id = Id(load_default=None, allow_none=True,
                            metadata={"description": "An earlier request of your agency this one follows"})


class DataRequestSchema(Schema):
    id = fields.Int()
    status = fields.Enum(RequestStatus, by_value=True)
    status_words = fields.Str()
    channel = fields.Function(lambda r: r.channel.value)
    agency = fields.Function(lambda r: {"id": r.organisation_id, "name": r.organisation.name})
    agency_name = fields.Str()
    requester_name = fields.Str()
    purpose = fields.Str()
    offense_type = fields.Str()
    factual_basis = fields.Str()
    case_number = fields.Str()
    authorization_statement = fields.Str()
    out_of_state_declaration = fields.Bool()
    plates = fields.List(fields.Str(), attribute="plate_list")
    cameras = fields.List(fields.Int())
    window = fields.Function(lambda r: {"start": r.window_start.isoformat(), "end": r.window_end.isoformat()})
    follows_request_id = fields.Int(allow_none=True)
    created_at = fields.DateTime()
    decision = fields.Function(lambda r: r.decision.value if r.decision else None)
    decided_at = fields.DateTime(allow_none=True)
    finding = fields.Str(allow_none=True)
    package = fields.Function(lambda r: {"sha256": r.package_sha256, "manifest_sha256": r.manifest_sha256,
                                         "reads": r.reads_released, "release_entry_id": r.release_entry_id,
                                         "available_until": r.package_available_until.isoformat()
                                         if r.package_available_until else None}
                              if r.package_sha256 and r.package_destroyed_at is None else None)


class PurposeSchema(Schema):
    id = fields.Str()
    label = fields.Str()
