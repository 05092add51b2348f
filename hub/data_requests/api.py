"""`/api/v1/requests`: an outside agency's requester (personal API token or
session) or its registered client (client-credentials token, scope
`requests:submit`) submits a written data request and follows it."""
from __future__ import annotations

from functools import wraps
from typing import Any

from flask import Response, g, request
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from hub.api import authenticated_by
from hub.data_requests import downloads, federation, services, webhooks
from hub.data_requests.models import Channel
from hub.data_requests.schemas import DataRequestCreateSchema, DataRequestSchema, PurposeSchema
from hub.grants import oauth
from hub.extensions import csrf
from hub.identity.auth import scope_required
from hub.urls import absolute_url

SCOPE = "requests:submit"
# A person by session or personal token, or the agency's client by its token.
REQUESTER = authenticated_by("bearerToken", "sessionCookie", "clientToken")
api_blp = Blueprint("data_requests_api", __name__, url_prefix="/api/v1/requests",
                    description="Outside agencies' written data requests")


def requester() -> Any:
    """Who submits or follows requests here: an outside agency's client by
    its own token, or a person by session or personal token with the scope."""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer ") and header[7:].startswith(oauth.CLIENT_TOKEN_PREFIX):
        return oauth.authenticate_client_token(header[7:], SCOPE)
    return scope_required(SCOPE)(lambda: current_user)()


def requester_first(view):
    """The caller is known, or refused, before the body is read: one who may
    not submit hears that, not what a request should hold."""
    def remember():
        if "data_requester" not in g:
            g.data_requester = requester()

    @wraps(view)
    def wrapped(*args, **kwargs):
        remember()
        return view(*args, **kwargs)
    wrapped.caller_check = remember
    return wrapped


def asked_from(data: dict) -> services.Asked:
    window = data.pop("window")
    return services.Asked(**{**data, "plates": tuple(data["plates"]), "cameras": tuple(data["cameras"])},
                          window_start=window["start"], window_end=window["end"])


@api_blp.route("")
class DataRequests(MethodView):
    @REQUESTER
    @api_blp.response(200, DataRequestSchema(many=True))
    def get(self):
        """Your agency's requests, newest first."""
        return services.requests_of(requester())

    @REQUESTER
    @requester_first
    @api_blp.arguments(DataRequestCreateSchema)
    @api_blp.response(201, DataRequestSchema)
    def post(self, data):
        """Submit a written request: the five elements (agency, requester,
        purpose, factual basis with case number, the head of agency's
        authorisation), the purpose's category and what is asked for. A
        missing element is refused (422) naming it; a body that is not a
        law-enforcement agency is routed to records staff."""
        return services.submit(g.data_requester, asked_from(data), channel=Channel.API)


@api_blp.route("/purposes")
class Purposes(MethodView):
    @REQUESTER
    @api_blp.response(200, PurposeSchema(many=True))
    def get(self):
        """The agency's offense categories, one of which a request names."""
        requester()
        return [{"id": key, "label": label} for key, label in services.purposes().items()]


@api_blp.route("/<int:request_id>")
class DataRequestItem(MethodView):
    @REQUESTER
    @api_blp.response(200, DataRequestSchema)
    def get(self, request_id):
        """One of your agency's requests: its status, decision and package."""
        return services.get_request(requester(), request_id)


class DownloadLinkSchema(Schema):
    url = fields.Str()
    expires_at = fields.DateTime()


@api_blp.route("/<int:request_id>/download-link")
class DownloadLink(MethodView):
    @REQUESTER
    @api_blp.response(201, DownloadLinkSchema)
    def post(self, request_id):
        """A link to the request's release package for you alone: it expires
        and works once, and each person or client downloads the package once."""
        link, token = downloads.issue_link(requester(), request_id)
        return {"url": absolute_url("data_requests_api.Package", request_id=request_id, token=token),
                "expires_at": link.expires_at}


@api_blp.route("/<int:request_id>/package/<token:token>")
class Package(MethodView):
    @REQUESTER
    @api_blp.doc(responses={"200": {"description": "application/zip: the signed release package"}})
    def get(self, request_id, token):
        """The release package (ZIP), through a link from `download-link`;
        the download is ledgered."""
        request_row, made = downloads.download(requester(), request_id, token)
        return Response(made, mimetype="application/zip", headers={
            "Content-Disposition": f'attachment; filename="release-{request_row.id}.zip"',
            "X-Package-SHA256": request_row.package_sha256, "X-Ledger-Entry": str(request_row.release_entry_id)})


@api_blp.route("/federation/decisions")
class PeerDecision(MethodView):
    @authenticated_by("hubSignature")
    @api_blp.doc(responses={"204": {"description": "The decision is recorded"}})
    def post(self):
        """For a neighbouring hub: its signed decision on a request this hub
        sent it (`X-Hub-Signature-256` with the key it gave this hub, and
        `X-Hub-Origin`). Register this address as the client's webhook there."""
        federation.receive_decision(request.headers.get(webhooks.ORIGIN_HEADER), request.get_data(),
                                    request.headers.get("X-Hub-Signature-256"))
        return Response(status=204)


# The peer authenticates by the signature over the body, not a browser session.
csrf.exempt(PeerDecision)
