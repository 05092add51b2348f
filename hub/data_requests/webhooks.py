"""The decision on a request submitted by a client, posted to the address
the client registered: JSON, signed as every hub webhook is, with the
client's own key (`hub.signed_webhooks.client_key`), retried with back-off.
Each delivery tells another agency something, so each is ledgered."""
from __future__ import annotations

import json
import urllib.parse

from flask import current_app
from sqlalchemy import select

from hub import signed_webhooks
from hub.clock import utcnow
from hub.data_requests.models import DataRequest, DecisionWebhook
from hub.extensions import db
from hub.grants.models import OAuthClient
from hub.identity.actors import SystemActor
from hub.ledger import signing
from hub.ledger.services import record

SENDER = SystemActor("webhooks", frozenset())
ORIGIN_HEADER = "X-Hub-Origin"


def queue_decision(request: DataRequest) -> DecisionWebhook | None:
    """Owe the decision to the submitting client, when it registered an address."""
    if not request.submitted_by_client:
        return None
    client = db.session.scalar(select(OAuthClient).where(OAuthClient.client_id == request.submitted_by_client,
                                                         OAuthClient.revoked_at.is_(None)))
    if client is None or not client.webhook_url:
        return None
    now = utcnow()
    delivery = DecisionWebhook(request_id=request.id, client_id=client.client_id, url=client.webhook_url,
                               created_at=now, next_attempt_at=now)
    db.session.add(delivery)
    return delivery


def payload(request: DataRequest) -> bytes:
    package = {"sha256": request.package_sha256, "manifest_sha256": request.manifest_sha256,
               "reads": request.reads_released, "release_entry_id": request.release_entry_id} \
        if request.package_sha256 else None
    return json.dumps({
        "event": "data_request.decided", "origin": signing.origin(), "hub": current_app.config["BASE_URL"],
        "request_id": request.id, "case_number": request.case_number, "status": request.status.value,
        "decision": request.decision.value, "decided_at": request.decided_at.isoformat(),
        "reasonable_suspicion": request.reasonable_suspicion, "finding": request.finding, "package": package,
    }, separators=(",", ":")).encode()


def deliver_decisions() -> int:
    """Send what is due; returns how many were delivered."""
    delivered = 0
    for delivery in signed_webhooks.due(DecisionWebhook):
        request = db.session.get(DataRequest, delivery.request_id)
        body = payload(request)
        if not signed_webhooks.attempt(delivery, lambda: signed_webhooks.post(
                delivery.url, body, delivery.id, key=signed_webhooks.client_key(delivery.client_id),
                headers={ORIGIN_HEADER: signing.origin()})):
            continue
        delivered += 1
        record("data_request.decision_sent", actor=SENDER, subject=request, case_number=request.case_number,
               details={"delivery_id": delivery.id, "client_id": delivery.client_id,
                        "host": urllib.parse.urlsplit(delivery.url).hostname, "decision": request.decision.value})
    db.session.flush()
    return delivered
