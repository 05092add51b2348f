"""Using a grant: the agency's client with the grant's OAuth access token,
reading for the officer who asked, or that officer in the hub. Either way
the grant is checked now — revoked, expired, a camera or a time outside it —
and so is the officer (authorisation, training, role), as if the officer
read in person; every use is ledgered against the grant with the officer as
the actor (and the client beside), so its owner sees it."""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import select

from hub import secret_tokens
from hub.cameras.access_log import owner_row, sees_investigation
from hub.errors import Forbidden, HubError, Refusal, Unauthenticated
from hub.extensions import db
from hub.grants.models import Grant, OAuthToken, TokenRevocation
from hub.grants.oauth import ACCESS_TOKEN_PREFIX, grant_is_live
from hub.identity.actors import ClientActor
from hub.ledger.models import LedgerEntry
from hub.ledger.services import record
from hub.keys import services as data_keys
from hub.reads import plates
from hub.reads.models import Read
from hub.scope import Purpose, scope_for

READ_LIMIT = 1000


class GrantRefused(HubError):
    status = 401

    def __init__(self, code: str, message: str, refusal: Refusal | None = None):
        super().__init__(message, refusal=refusal)
        self.code = code


def check_grant(grant: Grant, *, camera_ids: list[int], since: datetime | None, until: datetime | None,
                actor: Any) -> None:
    refusal = Refusal("grant.reads_access", actor, grant, {"grant_id": grant.id}, tuple(grant.cameras))
    if grant.revoked_at is not None:
        raise GrantRefused("grant_revoked", "The owner has revoked this grant.", refusal)
    if not grant_is_live(grant):
        raise GrantRefused("grant_expired", "The grant has expired.", refusal)
    outside = sorted(set(camera_ids) - set(grant.cameras))
    if outside:
        raise Forbidden(f"Cameras {outside} are not in this grant.", errors={"camera_ids": outside}, refusal=refusal)
    if (since and since < grant.window_start) or (until and until > grant.window_end):
        raise Forbidden("The time asked for lies outside the grant's data window.",
                        errors={"window": [grant.window_start.isoformat(), grant.window_end.isoformat()]},
                        refusal=refusal)


def check_token(bearer: str | None, grant_id: int, **limits) -> OAuthToken:
    """The access token behind a data request, checked against its grant."""
    if not bearer or not bearer.startswith(ACCESS_TOKEN_PREFIX):
        raise Unauthenticated("Present the grant's OAuth access token.")
    token = db.session.scalar(select(OAuthToken).where(OAuthToken.access_token_hash == secret_tokens.digest(bearer)))
    if token is None:
        raise GrantRefused("invalid_token", "The access token is unknown.")
    actor = f"client:{token.client_id}"
    if token.grant_id != grant_id:
        raise Forbidden("The token belongs to another grant.",
                        refusal=Refusal("grant.reads_access", actor, token.grant, {"grant_id": grant_id}))
    if token.is_expired() and grant_is_live(token.grant):
        raise GrantRefused("token_expired", "The access token has expired: refresh it.")
    if token.revoked_at is not None and token.grant.revoked_at is None:
        raise _token_revoked(token, Refusal("grant.reads_access", actor, token.grant, {"grant_id": grant_id},
                                            tuple(token.grant.cameras)))
    check_grant(token.grant, actor=actor, **limits)
    return token


def client_actor(token: OAuthToken) -> ClientActor:
    return ClientActor(token.client_id, token.grant.request.officer)
def _token_revoked(token: OAuthToken, refusal: Refusal) -> GrantRefused:
    """Say what happened to this token when its grant still stands."""
    if token.revoked_reason == TokenRevocation.ROTATED.value:
        return GrantRefused("token_rotated", "This access token was replaced by a refresh: use the newest one.",
                            refusal)
    if token.revoked_reason == TokenRevocation.CODE_REUSED.value:
        return GrantRefused("token_revoked", "This access token was revoked: the authorization code it came "
                                             "from was redeemed a second time.", refusal)
    return GrantRefused("token_revoked", "This access token was revoked.", refusal)


def granted_reads(actor: Any, grant: Grant, *, camera_ids: list[int], since: datetime | None,
                  until: datetime | None, plate: str | None = None) -> list[Read]:
    scope = scope_for(actor, Purpose.GRANT, grant=grant)
    cameras = camera_ids or grant.cameras
    start = max(filter(None, [since, grant.window_start]))
    end = min(filter(None, [until, grant.window_end]))
    query = select(Read).where(scope.clause(Read.camera_id, Read.captured_at), Read.camera_id.in_(cameras),
                               Read.captured_at >= start, Read.captured_at <= end)
    if plate:
        owner_keys = data_keys.live_keys(since=start, until=end, organisation_ids=[grant.organisation_id])
        query = query.where(Read.plate_hash.in_(data_keys.plate_hashes([plates.normalise(plate)], owner_keys)))
    reads = scope.open(db.session.scalars(query.order_by(Read.captured_at).limit(READ_LIMIT)))
    record("grant.reads_accessed", actor=actor, subject=grant, cameras=cameras,
           case_number=grant.request.case_number, purpose=grant.request.offense_type,
           details={"reads": len(reads), "grant_id": grant.id}, private={"plate": plate} if plate else None)
    return reads


def officer_reads(officer, grant: Grant, *, camera_ids: list[int] = ()) -> list[Read]:
    """The requesting officer's own view of what the partner granted."""
    if officer.id != grant.request.officer_id:
        raise Forbidden("Only the officer who asked uses this grant.",
                        refusal=Refusal("grant.reads_access", officer, grant, {}, tuple(grant.cameras)))
    check_grant(grant, camera_ids=list(camera_ids), since=None, until=None, actor=officer)
    return granted_reads(officer, grant, camera_ids=list(camera_ids), since=None, until=None)


def grants_for_request(request_id: int) -> list[Grant]:
    return list(db.session.scalars(select(Grant).where(Grant.request_id == request_id).order_by(Grant.id)))


def grant_uses(viewer: Any, grant: Grant, *, limit: int = 500) -> list:
    """Every ledger entry about the grant, newest first, as the viewer may
    see it (an owner: who, when, what, never the investigation's content)."""
    entries = db.session.scalars(select(LedgerEntry).where(LedgerEntry.subject_type == "grant",
                                                           LedgerEntry.subject_id == str(grant.id))
                                 .order_by(LedgerEntry.id.desc()).limit(limit))
    full, viewer_org = sees_investigation(viewer), getattr(viewer, "organisation_id", None)
    return [owner_row(e.id, e.created_at, e.actor, None, e.action, e.purpose, e.case_number, json.loads(e.details),
                      e.subject_type, e.subject_id, sees_investigation=full,
                      own_words=e.actor_org_id is not None and e.actor_org_id == viewer_org) for e in entries]
