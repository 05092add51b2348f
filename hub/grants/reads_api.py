"""`/api/v1/grants/<id>/reads`: a partner's reads, reached with the grant's
OAuth access token, checked against the grant on every request and ledgered
against it (the owner sees each use)."""
from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from hub.api import Id, authenticated_by
from hub.grants.access import check_token, client_actor, granted_reads

api_blp = Blueprint("grant_reads_api", __name__, url_prefix="/api/v1/grants", description="Granted partner data")


class GrantReadsArgs(Schema):
    camera_id = fields.List(Id(), load_default=list)
    since = fields.AwareDateTime()
    until = fields.AwareDateTime()
    plate = fields.Str(validate=validate.Length(max=12))


class GrantedReadSchema(Schema):
    id = fields.Int()
    camera_id = fields.Int()
    captured_at = fields.DateTime()
    plate = fields.Str()
    plate_state = fields.Str(allow_none=True)
    latitude = fields.Float()
    longitude = fields.Float()


@api_blp.route("/<int:grant_id>/reads")
class GrantReads(MethodView):
    @api_blp.arguments(GrantReadsArgs, location="query")
    @api_blp.response(200, GrantedReadSchema(many=True))
    @authenticated_by("grantToken")
    def get(self, args, grant_id):
        """Reads of the grant's cameras in its data window (bearer: the grant's access token)."""
        header = request.headers.get("Authorization", "")
        limits = {"camera_ids": args["camera_id"], "since": args.get("since"), "until": args.get("until")}
        token = check_token(header[7:] if header.lower().startswith("bearer ") else None, grant_id, **limits)
        return granted_reads(client_actor(token), token.grant, plate=args.get("plate"), **limits)
