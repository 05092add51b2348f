"""OAuth endpoints: /oauth/authorize (the partner's consent screen),
/oauth/token, /oauth/revoke, /oauth/introspect, and the server metadata."""
from __future__ import annotations

from datetime import datetime, timezone

from authlib.oauth2 import OAuth2Error
from flask import Blueprint, g, jsonify, render_template, request, url_for
from flask_login import current_user, login_required

from hub.errors import HubError, Refusal, ledger_refusal
from hub.forms import FORM_ERROR_STATUS
from hub.grants import consent
from hub.grants.oauth import server

pages = Blueprint("oauth", __name__, template_folder="templates")


def _offer():
    return consent.read_details(request.values.get("authorization_details"), current_user)


@pages.route("/oauth/authorize", methods=["GET", "POST"])
@login_required
def authorize():
    try:
        server.get_consent_grant(end_user=current_user)
    except OAuth2Error as error:
        ledger_refusal(Refusal("oauth.authorize", current_user, None, {"client_id": request.values.get("client_id")}),
                       reason=error.description or error.error, errors={"error": error.error})
        return render_template("grants/oauth_error.html", error=error), 400
    offer = _offer()
    if request.method == "GET":
        return render_template("grants/consent.html", offer=offer)
    if request.form.get("decision") != "approve":
        consent.decline(current_user, offer, message=request.form.get("message", ""))
        return server.create_authorization_response(grant_user=None)
    try:
        grant = consent.consent(
            current_user, offer, client_id=request.values["client_id"],
            camera_ids=[int(c) for c in request.form.getlist("camera_ids") if c.isdigit()],
            window_start=_form_time("window_start") or offer.window_start,
            window_end=_form_time("window_end") or offer.window_end,
            hours=int(request.form.get("hours") or offer.hours))
    except HubError as error:
        if error.refusal is None:
            raise
        ledger_refusal(error.refusal, reason=error.message, errors=error.errors)
        return render_template("grants/consent.html", offer=offer, errors=error.errors), FORM_ERROR_STATUS
    g.consented_grant = grant
    return server.create_authorization_response(grant_user=current_user)


def _form_time(name: str) -> datetime | None:
    value = request.form.get(name)
    if not value:
        return None
    try:
        return datetime.fromisoformat(value).replace(tzinfo=timezone.utc)
    except ValueError:
        return None


@pages.route("/oauth/token", methods=["POST"])
def token():
    return server.create_token_response()


@pages.route("/oauth/revoke", methods=["POST"])
def revoke():
    return server.create_endpoint_response("revocation")


@pages.route("/oauth/introspect", methods=["POST"])
def introspect():
    return server.create_endpoint_response("introspection")


@pages.route("/.well-known/oauth-authorization-server")
def metadata():
    """RFC 8414 server metadata."""
    issuer = request.url_root.rstrip("/")
    return jsonify({
        "issuer": issuer,
        "authorization_endpoint": url_for("oauth.authorize", _external=True),
        "token_endpoint": url_for("oauth.token", _external=True),
        "revocation_endpoint": url_for("oauth.revoke", _external=True),
        "introspection_endpoint": url_for("oauth.introspect", _external=True),
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "introspection_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "authorization_details_types_supported": [consent.DETAILS_TYPE],
    })
