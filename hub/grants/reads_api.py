"""`/api/v1/grants/<id>/reads`: a partner's reads, reached with the grant's
OAuth access token, checked against the grant on every request and ledgered
against it (the owner sees each use)."""
from datetime import datetime

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from hub.extensions import db
from hub.grants.consent import check_access
from hub.ledger.services import record
from hub.reads.models import Read

api_blp = Blueprint("grant_reads_api", __name__, url_prefix="/api/v1/grants", description="Granted partner data")
LIMIT = 1000


class GrantReadsArgs(Schema):
    camera_id = fields.List(fields.Int(), load_default=list)
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
    def get(self, args, grant_id):
        """Reads of the grant's cameras in its data window (bearer: the grant's access token)."""
        header = request.headers.get("Authorization", "")
        token = check_access(header[7:] if header.lower().startswith("bearer ") else None, grant_id,
                             camera_ids=args["camera_id"], since=args.get("since"), until=args.get("until"))
        grant = token.grant
        cameras = args["camera_id"] or grant.cameras
        query = select(Read).where(Read.camera_id.in_(cameras),
                                   Read.captured_at >= max(filter(None, [args.get("since"), grant.window_start])),
                                   Read.captured_at <= min(filter(None, [args.get("until"), grant.window_end])))
        if args.get("plate"):
            query = query.where(Read.plate == args["plate"].upper())
        reads = list(db.session.scalars(query.order_by(Read.captured_at).limit(LIMIT)))
        record("grant.reads_accessed", actor=f"client:{token.client_id}", subject=grant, cameras=cameras,
               case_number=grant.request.case_number, purpose=grant.request.offense_type,
               details={"reads": len(reads)}, private={"plate": args["plate"]} if args.get("plate") else None)
        return reads
