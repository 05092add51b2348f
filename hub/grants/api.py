"""`/api/v1/access-requests`: officers ask, the chief decides."""
from flask import request
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from hub.api import authenticated_by

from hub.extensions import csrf
from marshmallow import Schema, fields

from hub.grants import requests
from hub.grants.binding import awaiting_link
from hub.grants.consent import set_consent_link
from hub.grants.oauth import authenticate_client
from hub.grants.schemas import AccessDecisionSchema, AccessRequestCreateSchema, AccessRequestSchema, ConsentLinkSchema
from hub.identity.auth import scope_required

api_blp = Blueprint("grants_api", __name__, url_prefix="/api/v1/access-requests",
                    description="Time-limited access to partner cameras")


@api_blp.route("")
class AccessRequests(MethodView):
    @api_blp.response(200, AccessRequestSchema(many=True))
    @scope_required("grants:request")
    def get(self):
        """Your requests (officers)."""
        return requests.requests_of(current_user)

    @api_blp.arguments(AccessRequestCreateSchema)
    @api_blp.response(201, AccessRequestSchema)
    @scope_required("grants:request")
    def post(self, data):
        """Ask a partner for time-limited access to named cameras, for one case."""
        return requests.create_request(current_user, **data)


@api_blp.route("/pending")
class PendingRequests(MethodView):
    @api_blp.response(200, AccessRequestSchema(many=True))
    @scope_required("grants:approve")
    def get(self):
        """Requests waiting for the chief."""
        return requests.awaiting_chief()


class AwaitingLinkSchema(Schema):
    id = fields.Int()
    camera_ids = fields.List(fields.Int(), attribute="cameras")
    window_start = fields.DateTime()
    window_end = fields.DateTime()
    access_hours = fields.Int()


@api_blp.route("/awaiting-link")
class AwaitingLink(MethodView):
    @api_blp.response(200, AwaitingLinkSchema(many=True))
    @authenticated_by("clientBasic")
    def get(self):
        """For the agency's OAuth client (HTTP Basic): approved requests waiting
        for the consent link it builds (no case numbers: only what the link needs)."""
        return awaiting_link(authenticate_client(request.authorization))


@api_blp.route("/<int:request_id>")
class AccessRequestItem(MethodView):
    @api_blp.response(200, AccessRequestSchema)
    @scope_required("profile:read")
    def get(self, request_id):
        return requests.get_request(current_user, request_id)


@api_blp.route("/<int:request_id>/decision")
class AccessRequestDecision(MethodView):
    @api_blp.arguments(AccessDecisionSchema)
    @api_blp.response(200, AccessRequestSchema)
    @scope_required("grants:approve")
    def post(self, data, request_id):
        """The chief's decision with a written finding."""
        return requests.decide_request(current_user, requests.get_request(current_user, request_id),
                                       approve=data["approve"], finding=data["finding"])


@api_blp.route("/<int:request_id>/consent-link")
class ConsentLink(MethodView):
    @api_blp.arguments(ConsentLinkSchema)
    @api_blp.response(200, AccessRequestSchema)
    @authenticated_by("clientBasic")
    def post(self, data, request_id):
        """For the agency's OAuth client (HTTP Basic): the /oauth/authorize address
        it built for an approved request; the partner gets it to decide."""
        client = authenticate_client(request.authorization)
        return set_consent_link(client, requests.get_request(client, request_id), data["authorization_url"])


# The client authenticates with HTTP Basic and no browser session is used.
csrf.exempt(ConsentLink)
