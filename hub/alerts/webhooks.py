"""Alerts pushed to the agency's configured webhook (a dispatch or records
system): JSON, signed as every hub webhook is (`hub.signed_webhooks`),
retried with exponential back-off. Each delivery shares data, so each is
ledgered."""
from __future__ import annotations

import json
import urllib.parse


from hub import signed_webhooks
from hub.alerts.models import Alert, WebhookDelivery
from hub.clock import utcnow
from hub.extensions import db
from hub.identity.actors import SystemActor
from hub.ledger.services import record
from hub.scope import Purpose, scope_for

SENDER = SystemActor("webhooks", frozenset())


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


def deliver_due() -> int:
    """Send what is due; returns how many were delivered."""
    now = utcnow()
    due = signed_webhooks.due(WebhookDelivery)
    delivered = 0
    scope = scope_for(SENDER, Purpose.ALERTS) if due else None
    for delivery in due:
        alert = db.session.get(Alert, delivery.alert_id)
        if not scope.includes(alert.camera_id, alert.captured_at):
            delivery.delivered_at, delivery.last_error = now, "withheld: the camera no longer shares alerts"
            record("alert.webhook_withheld", actor=SENDER, subject=alert, cameras=[alert.camera_id],
                   details={"delivery_id": delivery.id})
            continue
        body = payload(scope.open([alert])[0])
        if not signed_webhooks.attempt(delivery, lambda: signed_webhooks.post(delivery.url, body, delivery.id)):
            continue
        delivered += 1
        record("alert.shared_by_webhook", actor=SENDER, subject=alert, cameras=[alert.camera_id],
               case_number=alert.entry.case_number,
               details={"delivery_id": delivery.id, "host": urllib.parse.urlsplit(delivery.url).hostname})
    db.session.flush()
    return delivered
