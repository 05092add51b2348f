"""Alerts: a verified read whose plate is listed, on a camera whose owner
lets alerts reach the agency (its own, `shared` or `alerts_only`), becomes an
alert; configured webhooks get it too. An officer verifies or rejects each
against its source, with a reason, before acting (the policy's rule)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, insert, select

from hub import policy
from hub.alerts.errors import AlertInvalid, AlertNotFound
from hub.alerts.models import Alert, AlertStatus, WebhookDelivery
from hub.alerts.signal import announce
from hub.cameras.models import Camera
from hub.cameras.sharing import agency_access
from hub.clock import utcnow
from hub.extensions import db
from hub.hotlists.matching import index
from hub.identity.access import require_data_access
from hub.ledger.services import record
from hub.settings.services import current_settings


def raise_alerts(camera: Camera, rows: list[dict]) -> int:
    """Alerts for the newly stored, verified reads of one batch."""
    if not rows or not agency_access(camera)["alerts"]:
        return 0
    hotlist = index()
    now = utcnow()
    alerts = [{"read_id": row["id"], "captured_at": row["captured_at"], "camera_id": camera.id,
               "hotlist_entry_id": entry_id, "plate": row["plate"], "plate_image": row["plate_image"],
               "created_at": now, "status": AlertStatus.NEW}
              for row in rows for entry_id in hotlist.match(row["plate"])]
    if not alerts:
        return 0
    ids = list(db.session.execute(insert(Alert).returning(Alert.id), alerts).scalars())
    url = current_settings().get("alert_webhook_url")
    if url:
        db.session.execute(insert(WebhookDelivery), [{"alert_id": i, "url": url, "attempts": 0,
                                                      "next_attempt_at": now} for i in ids])
    record("alerts.raised", actor=None, subject=camera, cameras=[camera.id], details={"alerts": ids})
    announce()
    return len(ids)


def get_alert(actor: Any, alert_id: int) -> Alert:
    require_data_access(actor)
    alert = db.session.get(Alert, alert_id)
    if alert is None:
        raise AlertNotFound()
    record("alert.viewed", actor=actor, subject=alert, cameras=[alert.camera_id],
           case_number=alert.entry.case_number)
    return alert


def last_alert_before(moment) -> int:
    """The id a live board resumes after, so it opens on the last day, not on history."""
    return db.session.scalar(select(func.max(Alert.id)).where(Alert.created_at < moment)) or 0


def recent_alerts(actor: Any, *, after_id: int = 0, limit: int = 100) -> list[Alert]:
    """Alerts newer than `after_id`, oldest first: what a live board shows."""
    require_data_access(actor)
    alerts = list(db.session.scalars(select(Alert).where(Alert.id > after_id).order_by(Alert.id).limit(limit)))
    if alerts:
        record("alerts.delivered", actor=actor, cameras=sorted({a.camera_id for a in alerts}),
               details={"alerts": [a.id for a in alerts]})
    return alerts


def decide_alert(actor: Any, alert: Alert, *, verified: bool, reason: str) -> Alert:
    """The officer's check of the hit against the source (the state system,
    the vehicle description); only a verified alert is actionable."""
    require_data_access(actor, subject=alert)
    if alert.status is not AlertStatus.NEW:
        raise AlertInvalid(errors={"status": [f"The alert was already {alert.status.value}."]})
    if not reason.strip():
        raise AlertInvalid(errors={"reason": ["Record what the source showed."]})
    policy.require("alert.act", {"verified_against_source": True}, actor=actor, subject=alert)
    alert.status = AlertStatus.VERIFIED if verified else AlertStatus.REJECTED
    alert.decided_by_id, alert.decided_at, alert.decision_reason = actor.id, utcnow(), reason.strip()
    db.session.flush()
    record(f"alert.{alert.status.value}", actor=actor, subject=alert, purpose=reason.strip(),
           case_number=alert.entry.case_number, cameras=[alert.camera_id])
    return alert


def actionable(alert: Alert) -> bool:
    return policy.decide("alert.act", {"verified_against_source": alert.status is AlertStatus.VERIFIED}).allowed
