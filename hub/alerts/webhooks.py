"""Alerts pushed to the agency's configured webhook (a dispatch or records
system): JSON, signed with HMAC-SHA256 under a key kept in `instance/`
(header `X-Hub-Signature-256: sha256=<hex>` over the exact body), retried
with exponential back-off. Each delivery shares data, so each is ledgered."""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from hub.alerts.models import Alert, WebhookDelivery
from hub.clock import utcnow
from hub.extensions import db
from hub.identity.actors import SystemActor
from hub.instance_keys import read_or_create
from hub.ledger.services import record
from hub.scope import Purpose, scope_for

SENDER = SystemActor("webhooks", frozenset())

MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=1)
TIMEOUT_SECONDS = 5


def signing_key() -> bytes:
    """The shared secret receivers verify with (hex text in the key file)."""
    return read_or_create(current_app.config["WEBHOOK_KEY_PATH"], lambda: os.urandom(32).hex().encode()).strip()


def signature(body: bytes) -> str:
    return "sha256=" + hmac.new(signing_key(), body, hashlib.sha256).hexdigest()


def payload(alert: Alert) -> bytes:
    return json.dumps({
        "alert_id": alert.id, "plate": alert.plate, "captured_at": alert.captured_at.isoformat(),
        "camera": {"id": alert.camera_id, "name": alert.camera.name, "location": alert.camera.location_description},
        "listed_because": {"reason_category": alert.entry.reason_category, "case_number": alert.entry.case_number,
                           "priority": alert.entry.priority, "non_encounter": alert.entry.non_encounter,
                           "instructions": alert.entry.instructions},
        "status": alert.status.value, "stale_list": alert.stale_list, "kind": alert.kind.value,
        "differing_characters": json.loads(alert.differences) if alert.differences else [],
    }, separators=(",", ":")).encode()


def _post(url: str, body: bytes, delivery_id: int) -> None:
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise urllib.error.URLError("the alert webhook address must be http(s)")
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json", "X-Hub-Signature-256": signature(body),
        "X-Hub-Delivery": str(delivery_id), "User-Agent": "alpr-partner-hub"})
    # The scheme is checked above (http or https only), so bandit's B310 does not apply.
    with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # nosec B310
        if not 200 <= response.status < 300:
            raise urllib.error.HTTPError(url, response.status, "not accepted", response.headers, None)


def deliver_due() -> int:
    """Send what is due; returns how many were delivered."""
    now = utcnow()
    due = db.session.scalars(select(WebhookDelivery).where(
        WebhookDelivery.delivered_at.is_(None), WebhookDelivery.attempts < MAX_ATTEMPTS,
        WebhookDelivery.next_attempt_at <= now).order_by(WebhookDelivery.id).limit(100)).all()
    delivered = 0
    scope = scope_for(SENDER, Purpose.ALERTS) if due else None
    for delivery in due:
        alert = db.session.get(Alert, delivery.alert_id)
        if not scope.includes(alert.camera_id, alert.captured_at):
            delivery.delivered_at, delivery.last_error = now, "withheld: the camera no longer shares alerts"
            record("alert.webhook_withheld", actor=SENDER, subject=alert, cameras=[alert.camera_id],
                   details={"delivery_id": delivery.id})
            continue
        delivery.attempts += 1
        try:
            _post(delivery.url, payload(scope.open([alert])[0]), delivery.id)
        except (urllib.error.URLError, OSError, ValueError) as error:
            wait = min(FIRST_RETRY * 2 ** (delivery.attempts - 1), LONGEST_WAIT)
            delivery.next_attempt_at, delivery.last_error = now + wait, str(error)[:500]
            continue
        delivery.delivered_at = now
        delivered += 1
        record("alert.shared_by_webhook", actor=SENDER, subject=alert, cameras=[alert.camera_id],
               case_number=alert.entry.case_number,
               details={"delivery_id": delivery.id, "host": urllib.parse.urlsplit(delivery.url).hostname})
    db.session.flush()
    return delivered
