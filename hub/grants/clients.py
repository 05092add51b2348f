"""OAuth clients the hub administrator registers: the agency's systems and
neighbouring hubs. Confidential clients only; the secret is shown once and
kept as a hash; redirect URIs are compared exactly, so each is registered.
A client that only submits its agency's data requests (client-credentials
grant) needs no redirect address; one with a webhook address receives the
decisions on its requests there, signed with a key shown once."""
from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlsplit

from hub import secret_tokens
from hub.clock import utcnow
from hub.errors import ValidationFailed
from hub.extensions import db
from hub.grants.models import OAuthClient
from hub.identity.models import Organisation
from hub.identity.permissions import require_capability
from hub.identity.roles import Capability
from hub.ledger.services import record

GRANT_TYPES = ("authorization_code", "refresh_token", "client_credentials")
DEFAULT_GRANT_TYPES = ("authorization_code", "refresh_token")


def _redirect_problem(uri: str) -> str | None:
    parts = urlsplit(uri)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        return f"'{uri}' is not an absolute http(s) address."
    if parts.fragment:
        return f"'{uri}' has a fragment, which redirect addresses may not have."
    return None


def create_client(actor: Any, *, name: str, redirect_uris: list[str], grant_types: list[str] | None = None,
                  organisation: Organisation | None = None, webhook_url: str | None = None) -> tuple[OAuthClient, str]:
    """The client and its secret, which is never stored in clear. The client
    belongs to an organisation (by default the registering user's): an
    agency's client is the one its access requests are bound to; an outside
    agency's client with the client-credentials grant submits its requests."""
    require_capability(actor, Capability.MANAGE_CLIENTS, action="oauth_client.create")
    grant_types = grant_types or list(DEFAULT_GRANT_TYPES)
    errors = {}
    if not name.strip():
        errors["name"] = ["Name the client after the system that uses it."]
    problems = [p for p in map(_redirect_problem, redirect_uris) if p]
    if not redirect_uris and "authorization_code" in grant_types:
        problems.append("Register at least one redirect address.")
    if problems:
        errors["redirect_uri"] = problems
    owner = organisation or getattr(actor, "organisation", None)
    if "client_credentials" in grant_types and (owner is None or not owner.kind.is_outside):
        errors["grant_type"] = ["Only an outside agency's client uses client_credentials, to submit its requests."]
    if webhook_url and _redirect_problem(webhook_url):
        errors["webhook_url"] = [f"'{webhook_url}' is not an absolute http(s) address."]
    unknown = sorted(set(grant_types) - set(GRANT_TYPES))
    if unknown:
        errors["grant_type"] = [f"Unsupported: {', '.join(unknown)}. Supported: {', '.join(GRANT_TYPES)}."]
    if errors:
        raise ValidationFailed(errors=errors)
    secret = secrets.token_urlsafe(32)
    client = OAuthClient(client_id=secrets.token_urlsafe(18), secret_hash=secret_tokens.digest(secret),
                         name=name.strip(), redirect_uris=" ".join(redirect_uris), grant_types=" ".join(grant_types),
                         organisation_id=owner.id if owner else None, created_at=utcnow(),
                         webhook_url=webhook_url or None)
    db.session.add(client)
    db.session.flush()
    record("oauth_client.created", actor=actor, subject=client,
           details={"name": client.name, "redirect_uris": redirect_uris, "grant_types": grant_types,
                    "organisation_id": client.organisation_id, "webhook_url": client.webhook_url})
    return client, secret


def set_redirect_uris(actor: Any, client: OAuthClient, redirect_uris: list[str]) -> OAuthClient:
    """Replace a client's registered redirect addresses (compared exactly)."""
    require_capability(actor, Capability.MANAGE_CLIENTS, action="oauth_client.redirects")
    problems = [p for p in map(_redirect_problem, redirect_uris) if p] if redirect_uris else [
        "Register at least one redirect address."]
    if problems:
        raise ValidationFailed(errors={"redirect_uri": problems})
    before = client.redirect_uri_list
    client.redirect_uris = " ".join(redirect_uris)
    db.session.flush()
    record("oauth_client.redirects_changed", actor=actor, subject=client,
           details={"before": before, "after": redirect_uris})
    return client
