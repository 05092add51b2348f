"""Which OAuth client may carry an access request to the partner and receive
its grant. A request is bound to exactly one client, so another registered
client cannot slip its own consent link (and so its own redirect) in front
of the partner: the client the requesting agency registered when it has
one, otherwise the first client to hand the hub a consent link. Any other
client is refused, and the attempt is on record."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from hub.errors import Conflict, Refusal
from hub.extensions import db
from hub.grants.models import AccessRequest, OAuthClient


class ClientNotBound(Conflict):
    code = "client_not_bound"


def agency_clients(request: AccessRequest) -> list[OAuthClient]:
    """The live clients registered for the requesting officer's agency."""
    return list(db.session.scalars(select(OAuthClient).where(
        OAuthClient.organisation_id == request.officer.organisation_id,
        OAuthClient.revoked_at.is_(None)).order_by(OAuthClient.id)))


def check_client(actor: Any, request: AccessRequest, client: OAuthClient, *, action: str) -> None:
    """Refuse a client other than the one the request is (or would be) bound to."""
    if request.oauth_client_id is not None:
        allowed = request.oauth_client_id == client.id
    else:
        named = agency_clients(request)
        allowed = not named or client.id in {c.id for c in named}
    if not allowed:
        raise ClientNotBound(
            "This access request is bound to another OAuth client: only the requesting agency's client "
            "may carry it to the partner.",
            errors={"client_id": ["Not the client this request is bound to."]},
            refusal=Refusal(action, actor, request, {"client_id": client.client_id}, tuple(request.cameras)))


def bind_client(actor: Any, request: AccessRequest, client: OAuthClient, *, action: str) -> bool:
    """Bind the request to the client when it is not bound yet; True when
    this call made the binding (the caller's ledger entry says so)."""
    check_client(actor, request, client, action=action)
    if request.oauth_client_id is not None:
        return False
    # Conditional, so that of two clients racing for an unbound request one wins.
    claimed = db.session.execute(update(AccessRequest).where(
        AccessRequest.id == request.id, AccessRequest.oauth_client_id.is_(None)).values(oauth_client_id=client.id)
        .execution_options(synchronize_session=False)).rowcount
    db.session.refresh(request, ["oauth_client_id"])
    if not claimed:
        check_client(actor, request, client, action=action)
        return False
    return True


def awaiting_link(client: OAuthClient) -> list[AccessRequest]:
    """Approved requests this client may carry to the partner and has not yet:
    bound to it, or unbound and from the agency it is registered for (any
    agency, for a client registered for none). What the agency's system polls
    to hand over consent links; the look is ledgered as the client's."""
    from hub.grants.models import RequestStatus
    from hub.identity.models import User
    from hub.ledger.services import record

    query = select(AccessRequest).where(AccessRequest.status == RequestStatus.AWAITING_PARTNER,
                                        AccessRequest.consent_url.is_(None))
    if client.organisation_id is not None:
        query = query.join(User, User.id == AccessRequest.officer_id).where(
            User.organisation_id == client.organisation_id)
    found = [r for r in db.session.scalars(query.order_by(AccessRequest.id))
             if r.oauth_client_id in (None, client.id)]
    record("grant.requests_awaiting_link_listed", actor=f"client:{client.client_id}",
           details={"requests": [r.id for r in found]}, cameras=sorted({c for r in found for c in r.cameras}))
    return found
