"""OAuth endpoints: /oauth/authorize (the partner's consent screen),
/oauth/token, /oauth/revoke, /oauth/introspect, and the server metadata.
Clients may authenticate in the request body (client_secret_post), so the
three client endpoints take no CSRF token: a browser session gives them
nothing."""
from __future__ import annotations

from datetime import datetime, timezone

from authlib.oauth2 import OAuth2Error
from flask import Blueprint, g, jsonify, render_template, request
from flask_login import current_user, login_required

from hub.errors import Refusal, ledger_refusal
from hub.extensions import csrf
from hub.forms import FORM_ERROR_STATUS
from hub.grants import consent
from hub.grants.consent import ConsentInvalid
from hub.grants.oauth import issuer, server
from hub.urls import absolute_url

pages = Blueprint("oauth", __name__, template_folder="templates")
HOURS_DIGITS = 6


@pages.route("/oauth/authorize", methods=["GET", "POST"])
@login_required
def authorize():
    try:
        grant = server.get_consent_grant(end_user=current_user)
    except OAuth2Error as error:
        ledger_refusal(Refusal("oauth.authorize", current_user, None, {"client_id": request.values.get("client_id")}),
                       reason=error.description or error.error, errors={"error": error.error})
        return render_template("grants/oauth_error.html", error=error), 400
    offer = consent.read_details(request.values.get("authorization_details"), current_user, client=grant.client.row)
    if request.method == "GET":
        return render_template("grants/consent.html", offer=offer)
    try:
        decision = request.form.get("decision")
        if decision == "deny":
            consent.decline(current_user, offer, message=request.form.get("message", ""))
            return server.create_authorization_response(grant_user=None, grant=grant)
        if decision != "approve":
            raise ConsentInvalid(errors={"decision": ["Grant access or decline."]})
        g.consented_grant = consent.consent(
            current_user, offer,
            camera_ids=[int(c) for c in request.form.getlist("camera_ids") if c.isascii() and c.isdigit()],
            window_start=_form_time("window_start") or offer.window_start,
            window_end=_form_time("window_end") or offer.window_end,
            hours=_form_hours(offer.hours))
    except ConsentInvalid as error:
        if error.refusal is not None:
            ledger_refusal(error.refusal, reason=error.message, errors=error.errors)
        return render_template("grants/consent.html", offer=offer, errors=error.errors), FORM_ERROR_STATUS
    return server.create_authorization_response(grant_user=current_user, grant=grant)


def _form_time(name: str) -> datetime | None:
    value = request.form.get(name)
    if not value:
        return None
    try:
        return datetime.fromisoformat(value).replace(tzinfo=timezone.utc)
    except ValueError:
        raise ConsentInvalid(errors={name: ["A date and time, such as 2026-11-30T14:00."]}) from None


def _form_hours(offered: int) -> int:
    value = request.form.get("hours") or str(offered)
    if not (value.isascii() and value.isdigit() and len(value) <= HOURS_DIGITS):
        raise ConsentInvalid(errors={"hours": [f"A whole number of hours, from 1 to {offered}."]})
    return int(value)


@pages.route("/oauth/token", methods=["POST"])
@csrf.exempt
def token():
    return server.create_token_response()


@pages.route("/oauth/revoke", methods=["POST"])
@csrf.exempt
def revoke():
    return server.create_endpoint_response("revocation")


@pages.route("/oauth/introspect", methods=["POST"])
@csrf.exempt
def introspect():
    return server.create_endpoint_response("introspection")


@pages.route("/.well-known/oauth-authorization-server")
def metadata():
    """RFC 8414 server metadata; every address from configuration, none
    from the request."""
    return jsonify({
        "issuer": issuer(),
        "authorization_endpoint": absolute_url("oauth.authorize"),
        "token_endpoint": absolute_url("oauth.token"),
        "revocation_endpoint": absolute_url("oauth.revoke"),
        "introspection_endpoint": absolute_url("oauth.introspect"),
        # Access to cameras is described by RFC 9396 authorization_details, not
        # by scopes; scopes are only for a client's own data requests.
        "scopes_supported": ["requests:submit"],
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "introspection_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "authorization_details_types_supported": [consent.DETAILS_TYPE],
        "authorization_response_iss_parameter_supported": True,
    })
