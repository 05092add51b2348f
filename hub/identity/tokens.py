"""Personal API tokens: shown once, stored as a hash, scoped, expiring,
revocable (see `hub.secret_tokens`)."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select

from hub import secret_tokens
from hub.clock import utcnow
from hub.errors import Forbidden, Refusal
from hub.extensions import db
from hub.identity.errors import AccountLocked, IdentityInvalid, InvalidToken, TokenExpired, TokenRevoked
from hub.identity.models import ApiToken, User
from hub.identity.permissions import can
from hub.identity.roles import ROLE_SCOPES, Capability
from hub.ledger.services import record

PREFIX = "hubpat"
TOKEN_PATTERN = secret_tokens.pattern(PREFIX)


def create_token(actor: Any, owner: User, *, name: str, scopes: list[str] | None = None,
                 expires_in_days: int | None = None) -> tuple[ApiToken, str]:
    """Returns the token row and its plaintext, which is never stored."""
    if not (isinstance(actor, User) and actor.id == owner.id) and not can(actor, Capability.MANAGE_USERS):
        raise Forbidden("Only the owner or a hub administrator creates a token for a user.",
                        refusal=Refusal("api_token.create", actor, owner))
    allowed = ROLE_SCOPES[owner.role]
    requested = sorted(set(scopes)) if scopes else sorted(allowed)
    errors = {}
    unknown = [s for s in requested if s not in allowed]
    if unknown:
        errors["scopes"] = [f"The {owner.role.label.lower()} role cannot hold: {', '.join(unknown)}. "
                            f"Allowed: {', '.join(sorted(allowed))}."]
    max_days = current_app.config["API_TOKEN_MAX_DAYS"]
    days = expires_in_days or current_app.config["API_TOKEN_DEFAULT_DAYS"]
    if not 1 <= days <= max_days:
        errors["expires_in_days"] = [f"A token lasts between 1 and {max_days} days."]
    if not name.strip():
        errors["name"] = ["Name the token after what will use it."]
    if not owner.active:
        errors["user"] = ["The account is deactivated."]
    if errors:
        raise IdentityInvalid(errors=errors)
    issued = secret_tokens.issue(PREFIX)
    now = utcnow()
    token = ApiToken(user_id=owner.id, name=name.strip()[:100], lookup=issued.lookup, secret_hash=issued.digest,
                     scopes=" ".join(requested), created_at=now, expires_at=now + timedelta(days=days))
    db.session.add(token)
    db.session.flush()
    record("api_token.created", actor=actor, subject=token,
           details={"owner": owner.username, "name": token.name, "scopes": requested,
                    "expires_at": token.expires_at.isoformat()})
    return token, issued.text


def revoke_token(actor: Any, token: ApiToken) -> ApiToken:
    if not (isinstance(actor, User) and actor.id == token.user_id) and not can(actor, Capability.MANAGE_USERS):
        raise Forbidden("Only the owner or a hub administrator revokes a token.",
                        refusal=Refusal("api_token.revoke", actor, token))
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.flush()
        record("api_token.revoked", actor=actor, subject=token,
               details={"owner": token.user.username, "name": token.name})
    return token


def tokens_of(user: User) -> list[ApiToken]:
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                                   .order_by(ApiToken.created_at.desc())))


def authenticate_bearer(value: str) -> ApiToken:
    """The token behind an `Authorization: Bearer ...` value, or an error
    that says plainly what is wrong with it."""
    parts = secret_tokens.parse(PREFIX, value)
    if parts is None:
        raise InvalidToken()
    token = db.session.scalar(select(ApiToken).where(ApiToken.lookup == parts[0]))
    if token is None or not secret_tokens.matches(token.secret_hash, parts[1]):
        raise InvalidToken()
    if token.revoked_at is not None:
        raise TokenRevoked()
    if token.expires_at <= utcnow():
        raise TokenExpired()
    if not token.user.active:
        raise InvalidToken("The account behind this token is deactivated.")
    if token.user.is_locked:
        raise AccountLocked()
    return token
