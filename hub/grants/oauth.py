"""The OAuth 2.0 authorisation server (Authlib): authorisation code with
PKCE (RFC 7636), RFC 9396 `authorization_details` of type
`alpr_camera_access`, refresh tokens that never outlive their grant,
revocation (RFC 7009) and introspection (RFC 7662), the RFC 9207 `iss`
parameter; and the client-credentials grant (RFC 6749 section 4.4) with
which an outside agency's system or a neighbouring hub submits and follows
its written data requests (scope `requests:submit`). Authlib's classes are extended, not forked; tokens and codes are
kept as hashes. Nothing here commits: the request's unit of work does, and
every refusal is ledgered by `ledger_oauth_refusal` after the attempt is
rolled back."""
from __future__ import annotations

import time
from datetime import timedelta
from urllib.parse import urlsplit

from authlib.common.security import generate_token
from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import ClientMixin, grants
from authlib.oauth2.rfc6749.errors import (AccessDeniedError, InvalidClientError, InvalidGrantError,
                                           InvalidRequestError, InvalidScopeError, UnauthorizedClientError)
from authlib.oauth2.rfc6749.util import scope_to_list
from authlib.oauth2.rfc6750 import BearerTokenGenerator
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oauth2.rfc7662 import IntrospectionEndpoint
from authlib.oauth2.rfc9207 import IssuerParameter
from flask import current_app, g, request as flask_request
from sqlalchemy import or_, select, update

from hub import secret_tokens
from hub.clock import utcnow
from hub.db import unit_of_work
from hub.errors import Refusal, Unauthenticated, ledger_refusal
from hub.extensions import db
from hub.grants.models import AuthorizationCode, ClientToken, Grant, OAuthClient, OAuthToken, TokenRevocation
from hub.grants.revocation import revoke_code_tokens, revoke_grant
from hub.identity.actors import RequestingClient
from hub.identity.errors import InsufficientScope, InvalidToken, TokenExpired, TokenRevoked
from hub.identity.models import User
from hub.ledger.services import record

ACCESS_TOKEN_PREFIX = "hubat_"
REFRESH_TOKEN_PREFIX = "hubrt_"
CLIENT_TOKEN_PREFIX = "hubcc_"
# What a client may hold a token of its own for: an outside agency's written data requests.
CLIENT_SCOPES = frozenset({"requests:submit"})
ACCESS_TOKEN_SECONDS = 3600
CODE_SECONDS = 600
AUTH_METHODS = ("client_secret_basic", "client_secret_post")
BASIC_REALM = "oauth"
CLIENT_ID_MAX = 48


def issuer() -> str:
    """The hub's issuer identifier: from configuration (HUB_BASE_URL), never
    from the request's Host header."""
    return current_app.config["BASE_URL"].rstrip("/")


class Client(ClientMixin):
    """Authlib's view of a registered client."""

    def __init__(self, row: OAuthClient) -> None:
        self.row = row

    def get_client_id(self):
        return self.row.client_id

    def get_default_redirect_uri(self):
        return self.row.redirect_uri_list[0]

    def get_allowed_scope(self, scope):
        allowed = client_scopes(self.row)
        return " ".join(sorted(set(scope_to_list(scope) or allowed) & allowed))

    def check_redirect_uri(self, redirect_uri):
        return redirect_uri in self.row.redirect_uri_list

    def check_client_secret(self, client_secret):
        return secret_tokens.matches(self.row.secret_hash, client_secret)

    def check_endpoint_auth_method(self, method, endpoint):
        return method in AUTH_METHODS

    def check_response_type(self, response_type):
        return response_type == "code"

    def check_grant_type(self, grant_type):
        return grant_type in self.row.grant_types.split()


def client_scopes(row: OAuthClient) -> frozenset[str]:
    """An outside body's client registered for the client-credentials grant
    may hold a token for its own requests; no other client may."""
    outside = row.organisation is not None and row.organisation.kind.is_outside
    return CLIENT_SCOPES if outside and "client_credentials" in row.grant_types.split() else frozenset()


def query_client(client_id: str) -> Client | None:
    row = db.session.scalar(select(OAuthClient).where(OAuthClient.client_id == client_id,
                                                      OAuthClient.revoked_at.is_(None)))
    return Client(row) if row else None


class ClientUnauthenticated(Unauthenticated):
    code = "invalid_client"
    message = "Authenticate as a registered OAuth client (HTTP Basic: client_id, client_secret)."
    headers = {"WWW-Authenticate": f'Basic realm="{BASIC_REALM}", charset="UTF-8"'}


def authenticate_client(authorization) -> OAuthClient:
    """A registered client by HTTP Basic credentials, for the hub's own
    client-facing routes (the OAuth endpoints authenticate through Authlib)."""
    client = query_client(authorization.username) if authorization and authorization.type == "basic" else None
    if client is None or not client.check_client_secret(authorization.password or ""):
        raise ClientUnauthenticated()
    return client.row


def find_token(value: str) -> OAuthToken | None:
    digest = secret_tokens.digest(value)
    return db.session.scalar(select(OAuthToken).where(or_(OAuthToken.access_token_hash == digest,
                                                          OAuthToken.refresh_token_hash == digest)))


def grant_is_live(grant: Grant) -> bool:
    return grant.revoked_at is None and grant.expires_at > utcnow()


def save_token(token: dict, request) -> None:
    grant = g.token_grant
    now = utcnow()
    db.session.add(OAuthToken(
        client_id=request.client.get_client_id(), grant_id=grant.id, user_id=request.user.id,
        access_token_hash=secret_tokens.digest(token["access_token"]),
        refresh_token_hash=secret_tokens.digest(token["refresh_token"]) if token.get("refresh_token") else None,
        issued_at=now, expires_at=now + timedelta(seconds=token["expires_in"]),
        authorization_code_id=g.token_code_id))
    db.session.flush()
    record("grant.token_issued", actor=f"client:{request.client.get_client_id()}", subject=grant,
           cameras=grant.cameras, case_number=grant.request.case_number,
           details={"grant_type": request.payload.grant_type, "expires_in": token["expires_in"]})


def _for_grant(token: dict, grant: Grant) -> dict:
    """A token never outlives its grant, and says what it grants (RFC 9396)."""
    remaining = int((grant.expires_at - utcnow()).total_seconds())
    token["expires_in"] = max(1, min(token.get("expires_in", ACCESS_TOKEN_SECONDS), remaining))
    token["authorization_details"] = grant.authorization_details()
    token["grant_id"] = grant.id
    return token


class CameraAccessCodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = list(AUTH_METHODS)

    def validate_authorization_request(self):
        if not self.request.payload.data.get("code_challenge"):
            raise InvalidRequestError("PKCE is required: send code_challenge with method S256 (RFC 7636).")
        if self.request.payload.data.get("code_challenge_method", "plain") != "S256":
            raise InvalidRequestError("Only the S256 code challenge method is accepted.")
        return super().validate_authorization_request()

    def save_authorization_code(self, code, request):
        db.session.add(AuthorizationCode(
            code_hash=secret_tokens.digest(code), client_id=request.client.get_client_id(), user_id=request.user.id,
            grant_id=g.consented_grant.id, redirect_uri=request.payload.redirect_uri or "", scope="",
            code_challenge=request.payload.data["code_challenge"],
            code_challenge_method=request.payload.data["code_challenge_method"],
            auth_time=int(time.time()), expires_at=utcnow() + timedelta(seconds=CODE_SECONDS)))
        db.session.flush()

    def query_authorization_code(self, code, client):
        row = db.session.scalar(select(AuthorizationCode).where(
            AuthorizationCode.code_hash == secret_tokens.digest(code),
            AuthorizationCode.client_id == client.get_client_id()))
        if row is not None and row.used_at is not None:
            g.reused_code_id = row.id
            return None
        if row is None or row.expires_at <= utcnow():
            return None
        grant = db.session.get(Grant, row.grant_id)
        if not grant_is_live(grant):
            return None
        g.token_grant, g.token_code_id = grant, row.id
        return row

    def delete_authorization_code(self, authorization_code):
        """Kept, marked used by `claim_code` before the token was made."""

    def authenticate_user(self, authorization_code):
        return db.session.get(User, authorization_code.user_id)

    def create_token_response(self):
        claim_code(self.request.authorization_code)
        status, token, headers = super().create_token_response()
        return status, _for_grant(token, g.token_grant), headers


def claim_code(code: AuthorizationCode) -> None:
    """One redemption per code, however many arrive at once and on however
    many hub instances: a conditional update in the transaction that issues
    the token. The loser of a race is a second redemption (RFC 6749 4.1.2)."""
    claimed = db.session.execute(update(AuthorizationCode).where(
        AuthorizationCode.id == code.id, AuthorizationCode.used_at.is_(None)).values(used_at=utcnow())
        .execution_options(synchronize_session=False)).rowcount
    if claimed != 1:
        g.reused_code_id = code.id
        raise InvalidGrantError("The authorization code was already used.")


class GrantRefreshTokenGrant(grants.RefreshTokenGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = list(AUTH_METHODS)
    INCLUDE_NEW_REFRESH_TOKEN = True

    def authenticate_refresh_token(self, refresh_token):
        token = db.session.scalar(select(OAuthToken).where(
            OAuthToken.refresh_token_hash == secret_tokens.digest(refresh_token)))
        if token is None or token.revoked_at is not None or not grant_is_live(token.grant):
            return None
        g.token_grant, g.token_code_id = token.grant, token.authorization_code_id
        return _RefreshCredential(token)

    def authenticate_user(self, credential):
        return db.session.get(User, credential.token.user_id)

    def revoke_old_credential(self, credential):
        """Conditional, so that two refreshes with one refresh token cannot
        both succeed."""
        rotated = db.session.execute(update(OAuthToken).where(
            OAuthToken.id == credential.token.id, OAuthToken.revoked_at.is_(None))
            .values(revoked_at=utcnow(), revoked_reason=TokenRevocation.ROTATED.value)
            .execution_options(synchronize_session=False)).rowcount
        if rotated != 1:
            raise InvalidGrantError("The refresh token was already used.")

    def create_token_response(self):
        status, token, headers = super().create_token_response()
        return status, _for_grant(token, g.token_grant), headers


class _RefreshCredential:
    def __init__(self, token: OAuthToken) -> None:
        self.token = token

    def check_client(self, client):
        return self.token.client_id == client.get_client_id()

    def get_scope(self):
        return ""


class RequestsClientCredentialsGrant(grants.ClientCredentialsGrant):
    """RFC 6749 section 4.4: a token for the client itself, never for a
    person or a partner's cameras: only an outside body's client, only the
    scope `requests:submit`, no refresh token."""

    TOKEN_ENDPOINT_AUTH_METHODS = list(AUTH_METHODS)

    def validate_token_request(self):
        super().validate_token_request()
        allowed = client_scopes(self.request.client.row)
        if not allowed:
            raise UnauthorizedClientError("Only an outside agency's client holds a token of its own.")
        unknown = set(scope_to_list(self.request.payload.scope) or []) - allowed
        if unknown:
            raise InvalidScopeError(f"This client may ask only for: {', '.join(sorted(allowed))}.")

    def save_token(self, token):
        client_id = self.request.client.get_client_id()
        now = utcnow()
        row = ClientToken(client_id=client_id, access_token_hash=secret_tokens.digest(token["access_token"]),
                          scope=token.get("scope", ""), issued_at=now,
                          expires_at=now + timedelta(seconds=token["expires_in"]))
        db.session.add(row)
        db.session.flush()
        record("oauth_client.token_issued", actor=f"client:{client_id}", subject=row,
               details={"grant_type": self.GRANT_TYPE, "scope": row.scope, "expires_in": token["expires_in"]})


def authenticate_client_token(value: str, scope: str) -> RequestingClient:
    """The client behind a client-credentials access token that carries
    `scope`, or an error that says what is wrong with the token."""
    row = db.session.scalar(select(ClientToken).where(ClientToken.access_token_hash == secret_tokens.digest(value)))
    if row is None:
        raise InvalidToken()
    client = db.session.scalar(select(OAuthClient).where(OAuthClient.client_id == row.client_id))
    if row.revoked_at is not None or client is None or client.revoked_at is not None:
        raise TokenRevoked()
    if row.expires_at <= utcnow():
        raise TokenExpired()
    if scope not in row.scope.split() or scope not in client_scopes(client):
        raise InsufficientScope(errors={"required_scope": scope})
    return RequestingClient(client.client_id, client.organisation_id)


class GrantRevocationEndpoint(RevocationEndpoint):
    """RFC 7009. Revoking any token of a grant ends the whole grant."""

    CLIENT_AUTH_METHODS = list(AUTH_METHODS)

    def query_token(self, token_string, token_type_hint):
        return find_token(token_string)

    def revoke_token(self, token, request):
        if token.client_id == request.client.get_client_id():
            revoke_grant(f"client:{token.client_id}", token.grant, reason="token revoked by the client (RFC 7009)")


class GrantIntrospectionEndpoint(IntrospectionEndpoint):
    CLIENT_AUTH_METHODS = list(AUTH_METHODS)

    def query_token(self, token_string, token_type_hint):
        return find_token(token_string)

    def introspect_token(self, token):
        if token.is_revoked() or token.is_expired():
            return {"active": False}
        return {"active": True, "client_id": token.client_id, "token_type": "Bearer",
                "exp": int(token.expires_at.timestamp()), "iat": int(token.issued_at.timestamp()),
                "sub": str(token.user_id), "grant_id": token.grant_id,
                "authorization_details": token.grant.authorization_details()}

    def check_permission(self, token, client, request):
        return token.check_client(client)


class HubAuthorizationServer(AuthorizationServer):
    def handle_error_response(self, request, error):
        """A refused OAuth request is answered here and put on record by
        `ledger_oauth_refusal` once the request's work is rolled back. The
        partner's decline (access_denied) is the partner's decision, recorded
        by `consent.decline`, not a refusal of the client."""
        if isinstance(error, InvalidClientError):
            error.status_code = 401
        if not isinstance(error, AccessDeniedError):
            g.oauth_refusal = Refusal("oauth.request", f"client:{_client_label(request)}", None,
                                      {"endpoint": urlsplit(getattr(request, "uri", "") or "").path})
            g.oauth_refusal_reason = (error.error, error.description)
        response = super().handle_error_response(request, error)
        if isinstance(error, InvalidClientError):
            response.headers["WWW-Authenticate"] = f'Basic realm="{BASIC_REALM}", charset="UTF-8"'
        return response


def _client_label(request) -> str:
    """The client a refused request came from, as it named itself: cut to
    the length of a real client id and to printable characters, since it is
    unauthenticated input going into the ledger."""
    client = getattr(request, "client", None)
    payload = getattr(request, "payload", None)
    named = (client.get_client_id() if client is not None else None) or getattr(payload, "client_id", None)
    if not named and flask_request.authorization is not None:
        named = flask_request.authorization.username
    label = "".join(c for c in str(named or "") if c.isprintable())[:CLIENT_ID_MAX]
    return label or "-"


class HubIssuerParameter(IssuerParameter):
    """RFC 9207: every authorization response names the issuer."""

    def get_issuer(self) -> str:
        return issuer()


def ledger_oauth_refusal(response):
    """After-request step: the refused attempt is rolled back and the refusal
    ledgered on its own; a second redemption of a code also revokes every
    token the code produced (RFC 6749 4.1.2), in a unit of its own."""
    refusal = g.pop("oauth_refusal", None)
    if refusal is not None:
        error, description = g.pop("oauth_refusal_reason")
        ledger_refusal(refusal, reason=description or error, errors={"error": error})
    reused = g.pop("reused_code_id", None)
    if reused is not None:
        with unit_of_work():
            revoke_code_tokens(refusal.actor if refusal else None, reused)
    return response


server = HubAuthorizationServer()
server.register_extension(HubIssuerParameter())  # once: hooks would repeat with every app


def init_app(app) -> None:
    server.init_app(app, query_client=query_client, save_token=save_token)
    server.register_token_generator("default", BearerTokenGenerator(
        access_token_generator=lambda **kw: ACCESS_TOKEN_PREFIX + generate_token(48),
        refresh_token_generator=lambda **kw: REFRESH_TOKEN_PREFIX + generate_token(48),
        expires_generator=lambda client, grant_type: ACCESS_TOKEN_SECONDS))
    server.register_token_generator("client_credentials", BearerTokenGenerator(
        access_token_generator=lambda **kw: CLIENT_TOKEN_PREFIX + generate_token(48),
        expires_generator=lambda client, grant_type: ACCESS_TOKEN_SECONDS))
    server.register_grant(CameraAccessCodeGrant, [CodeChallenge(required=True)])
    server.register_grant(RequestsClientCredentialsGrant)
    server.register_grant(GrantRefreshTokenGrant)
    server.register_endpoint(GrantRevocationEndpoint)
    server.register_endpoint(GrantIntrospectionEndpoint)
    app.after_request(ledger_oauth_refusal)
