"""Ending a grant, from the owner's page, the chief, or a client's RFC 7009
revocation: every token of the grant is refused from the next request on,
on every hub instance, because nothing about tokens is cached."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from hub.clock import utcnow
from hub.db_faults import with_conflict_retries
from hub.errors import Forbidden, Refusal
from hub.extensions import db
from hub.grants.models import AuthorizationCode, Grant, OAuthToken, TokenRevocation
from hub.identity.models import Organisation, User
from hub.identity.permissions import can
from hub.identity.roles import Capability, Role
from hub.ledger.services import actor_ref, record


def may_revoke(actor: Any, grant: Grant) -> bool:
    """The cameras' owner, the chief, the operator, or the grant's own client
    (RFC 7009, named `client:<id>`): nobody else ends a grant."""
    if isinstance(actor, User):
        owner = actor.role is Role.PARTNER_ADMIN and actor.organisation_id == grant.organisation_id
        return owner or can(actor, Capability.APPROVE_ACCESS_REQUESTS)
    if isinstance(actor, str):
        return actor == f"client:{grant.client_id}"
    return can(actor, Capability.APPROVE_ACCESS_REQUESTS)


def require_revoker(actor: Any, grant: Grant) -> None:
    """Asked by the service and, before its form is read, by the grant's page."""
    if not may_revoke(actor, grant):
        raise Forbidden("Only the cameras' owner or the chief revokes a grant.",
                        refusal=Refusal("grant.revoke", actor, grant, {}, tuple(grant.cameras)))


def revoke_grant(actor: Any, grant: Grant, *, reason: str) -> Grant:
    require_revoker(actor, grant)
    if grant.revoked_at is None:
        with_conflict_retries(lambda: _revoke(actor, grant, reason), what="grant revocation")
    return grant


def _revoke(actor: Any, grant: Grant, reason: str) -> None:
    """The grant's row, then its tokens' (the autoflush before the UPDATE
    writes the grant first), and the entry that records it."""
    now = utcnow()
    grant.revoked_at, grant.revoked_by = now, actor_ref(actor)[1]
    db.session.execute(update(OAuthToken).where(OAuthToken.grant_id == grant.id, OAuthToken.revoked_at.is_(None))
                       .values(revoked_at=now, revoked_reason=TokenRevocation.GRANT_REVOKED.value))
    db.session.flush()
    record("grant.revoked", actor=actor, subject=grant, purpose=reason, case_number=grant.request.case_number,
           cameras=grant.cameras)


def revoke_code_tokens(actor: Any, code_id: int) -> int:
    """An authorization code redeemed a second time: every token it produced,
    refreshed ones included, is revoked (RFC 6749 section 4.1.2). The grant
    itself stands; its owner decides about it."""
    code = db.session.get(AuthorizationCode, code_id)
    revoked = db.session.execute(update(OAuthToken).where(OAuthToken.authorization_code_id == code_id,
                                                          OAuthToken.revoked_at.is_(None))
                                 .values(revoked_at=utcnow(), revoked_reason=TokenRevocation.CODE_REUSED.value)
                                 .execution_options(synchronize_session=False)).rowcount
    grant = db.session.get(Grant, code.grant_id)
    record("grant.code_reused", actor=actor, subject=grant, case_number=grant.request.case_number,
           cameras=grant.cameras, details={"authorization_code_id": code_id, "tokens_revoked": revoked})
    return revoked


def record_expiries() -> int:
    """Grants whose time ran out: their tokens are marked revoked (they are
    already refused at request time, to the second), the expiry is ledgered
    once, and the owner and the officer are told. Returns how many."""
    from hub.identity.actors import SCHEDULER
    from hub.notifications.services import notify

    now = utcnow()
    expired = list(db.session.scalars(select(Grant).where(Grant.expires_at <= now, Grant.revoked_at.is_(None),
                                                          Grant.expiry_recorded_at.is_(None))))
    for grant in expired:
        grant.expiry_recorded_at = now
        db.session.execute(update(OAuthToken).where(OAuthToken.grant_id == grant.id, OAuthToken.revoked_at.is_(None))
                           .values(revoked_at=now, revoked_reason=TokenRevocation.EXPIRED.value))
        db.session.flush()
        record("grant.expired", actor=SCHEDULER, subject=grant, cameras=grant.cameras,
               details={"expires_at": grant.expires_at.isoformat()})
        text = f"Grant {grant.id} (request {grant.request_id}) ended at {grant.expires_at:%Y-%m-%d %H:%M} UTC."
        notify(grant.request.officer.organisation, subject=f"Grant {grant.id} expired", body=text,
               link=f"/grants/requests/{grant.request_id}")
        notify(db.session.get(Organisation, grant.organisation_id), subject=f"Grant {grant.id} expired", body=text,
               link=f"/grants/{grant.id}")
    return len(expired)
