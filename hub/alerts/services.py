"""Alerts: a verified read whose plate is listed, on a camera whose owner
lets alerts reach the agency (its own, `shared` or `alerts_only`), and whose
listing the matching rule allows, becomes an alert; configured webhooks get
it too. Before acting, an officer checks the hit against its source item by
item (the checklist the department policies set out), and the engine decides
from those answers whether the alert is actionable."""
from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, insert, select

from hub import paging, policy
from hub.alerts.errors import AlertInvalid, AlertNotFound
from hub.alerts.models import Alert, AlertKind, AlertStatus, WebhookDelivery
from hub.alerts.signal import announce
from hub.cameras.models import Camera
from hub.cameras.sharing import agency_access
from hub.clock import utcnow
from hub.extensions import db
from hub.hotlists.matching import Difference, find
from hub.hotlists.models import REASON_CATEGORIES
from hub.hotlists.services import hot_file_is_fresh
from hub.errors import Forbidden, Refusal
from hub.ledger.services import record
from hub.scope import Purpose, scope_for
from hub.settings.services import current_settings
from policies.vocabulary import BOOLEAN

CHECKS = ("plate_matches_image", "entry_current_in_source", "vehicle_description_matches",
          "driver_fits_description")
ALERT_ACT = policy.declare("alert.act", {**{name: BOOLEAN for name in CHECKS}, "reason_category": REASON_CATEGORIES})


def raise_alerts(camera: Camera, rows: list[dict]) -> int:
    """Alerts for the newly stored, verified reads of one batch: exact hits,
    and possible hits where the read differs from a listed plate only by
    characters plates print alike (each names the differing characters and
    is verified only once the image has been checked). Each kind is ledgered."""
    if not rows or not agency_access(camera)["alerts"]:
        return 0
    matches = [(row, hit.entry_id, hit.differences) for row, hits in zip(rows, find([r["plate"] for r in rows]))
               for hit in hits]
    exact = [m for m in matches if not m[2]]
    possible = [m for m in matches if m[2]]
    if not exact and not possible:
        return 0
    now = utcnow()
    stale = not hot_file_is_fresh()
    url = current_settings().get("alert_webhook_url")
    raised = 0
    for kind, matches, action in ((AlertKind.EXACT, exact, "alerts.raised"),
                                  (AlertKind.POSSIBLE, possible, "alerts.possible_raised")):
        if not matches:
            continue
        alerts = [{"read_id": row["id"], "captured_at": row["captured_at"], "camera_id": camera.id,
                   "hotlist_entry_id": entry_id, "plate_sealed": row["plate_sealed"], "key_id": row["key_id"],
                   "plate_image": row["plate_image"],
                   "created_at": now, "status": AlertStatus.NEW, "stale_list": stale, "kind": kind,
                   "differences": json.dumps([vars(d) for d in found]) if found else None}
                  for row, entry_id, found in matches]
        ids = list(db.session.execute(insert(Alert).returning(Alert.id), alerts).scalars())
        if url:
            db.session.execute(insert(WebhookDelivery), [{"alert_id": i, "url": url, "attempts": 0,
                                                          "next_attempt_at": now} for i in ids])
        record(action, actor=None, subject=camera, cameras=[camera.id], details={"alerts": ids, "stale_list": stale})
        raised += len(ids)
    announce()
    return raised


def differing_characters(alert: Alert) -> list[str]:
    """A possible hit's differences in words: `character 3: read O, listed 0`."""
    return [str(Difference(**d)) for d in json.loads(alert.differences)] if alert.differences else []


def get_alert(actor: Any, alert_id: int) -> Alert:
    scope = scope_for(actor, Purpose.ALERTS)
    alert = db.session.get(Alert, alert_id)
    if alert is None:
        raise AlertNotFound()
    if not scope.includes(alert.camera_id, alert.captured_at):
        raise Forbidden("The camera's owner does not let this alert reach you.",
                        refusal=Refusal("alert.view", actor, alert, {}, (alert.camera_id,)))
    record("alert.viewed", actor=actor, subject=alert, cameras=[alert.camera_id],
           case_number=alert.entry.case_number)
    return scope.open([alert])[0]


def last_alert_before(moment) -> int:
    """The id a live board resumes after, so it opens on the last day, not on history."""
    return db.session.scalar(select(func.max(Alert.id)).where(Alert.created_at < moment)) or 0


def recent_alerts(actor: Any, *, after_id: int = 0, limit: int = 100) -> list[Alert]:
    """Alerts newer than `after_id`, oldest first: what a live board shows."""
    scope = scope_for(actor, Purpose.ALERTS)
    alerts = scope.open(db.session.scalars(select(Alert).where(Alert.id > after_id,
                                                               scope.clause(Alert.camera_id, Alert.captured_at))
                                           .order_by(Alert.id).limit(limit)))
    if alerts:
        record("alerts.delivered", actor=actor, cameras=sorted({a.camera_id for a in alerts}),
               details={"alerts": [a.id for a in alerts]})
    return alerts


# The columns the alert list sorts by (not the plate: it is sealed, and
# only the page's own plates are opened).
SORTS = {"time": paging.Sort("Time", (Alert.captured_at,)), "camera": paging.Sort("Camera", (Alert.camera_id,)),
         "status": paging.Sort("Status", (Alert.status,))}


def alert_list(actor: Any, asked: paging.PageRequest, *, status: AlertStatus | None = None) -> paging.Page:
    """Every alert the actor may see, one page at a time, for finding an
    older hit the live board no longer shows."""
    scope = scope_for(actor, Purpose.ALERTS)
    query = select(Alert).where(scope.clause(Alert.camera_id, Alert.captured_at))
    if status is not None:
        query = query.where(Alert.status == status)
    page = paging.paginate(query, asked, SORTS, Alert.id)
    page.items = scope.open(page.items)
    if page.items:
        record("alerts.listed", actor=actor, cameras=sorted({a.camera_id for a in page.items}),
               details={"alerts": [a.id for a in page.items]})
    return page


def concerns_owner(alert: Alert) -> bool:
    """Whether the pack asks for the driver to be checked too: the listing
    concerns the registered owner (a warrant, a suspended licence...)."""
    return any(rule.when.get("reason_category") and alert.entry.reason_category in rule.when["reason_category"]
               and "driver_fits_description" in rule.check.get("must_hold", ())
               for rule in policy.engine().rules(ALERT_ACT))


def _act_context(alert: Alert, checks: dict[str, bool]) -> dict:
    return {**{name: bool(checks.get(name)) for name in CHECKS}, "reason_category": alert.entry.reason_category}


def decide_alert(actor: Any, alert: Alert, *, verified: bool, checks: dict[str, bool], reason: str) -> Alert:
    """The officer's check of the hit against the source, item by item. A
    verification whose checks do not all hold is refused by the rule; a
    rejection keeps the answers that led to it."""
    scope = scope_for(actor, Purpose.ALERTS)
    if not scope.includes(alert.camera_id, alert.captured_at):
        raise Forbidden("The camera's owner does not let this alert reach you.",
                        refusal=Refusal("alert.decide", actor, alert, {}, (alert.camera_id,)))
    if alert.status is not AlertStatus.NEW:
        raise AlertInvalid(errors={"status": [f"The alert was already {alert.status.value}."]})
    unknown = sorted(set(checks) - set(CHECKS))
    if unknown:
        raise AlertInvalid(errors={name: ["Not one of the checks."] for name in unknown})
    if not reason.strip():
        raise AlertInvalid(errors={"reason": ["Record what the source showed."]})
    if verified and alert.kind is AlertKind.POSSIBLE and not checks.get("plate_matches_image"):
        raise AlertInvalid(errors={"plate_matches_image": [
            "A possible hit: the read differs from the listed plate by look-alike characters ("
            + "; ".join(differing_characters(alert)) + "). Compare the plate image before verifying."]})
    context = _act_context(alert, checks)
    if verified:
        policy.require(ALERT_ACT, context, actor=actor, subject=alert, cameras=(alert.camera_id,))
    else:
        policy.decide(ALERT_ACT, context)
    answers = {name: context[name] for name in CHECKS if name != "driver_fits_description" or concerns_owner(alert)}
    alert.status = AlertStatus.VERIFIED if verified else AlertStatus.REJECTED
    alert.decided_by_id, alert.decided_at, alert.decision_reason = actor.id, utcnow(), reason.strip()
    alert.checklist = json.dumps(answers, sort_keys=True)
    db.session.flush()
    record(f"alert.{alert.status.value}", actor=actor, subject=alert, purpose=reason.strip(),
           case_number=alert.entry.case_number, cameras=[alert.camera_id], details={"checks": answers})
    return alert


def checklist(alert: Alert) -> dict[str, bool]:
    return json.loads(alert.checklist) if alert.checklist else {}


def actionable(alert: Alert) -> bool:
    """Verified, with every check the rules ask for holding."""
    if alert.status is not AlertStatus.VERIFIED:
        return False
    return policy.decide(ALERT_ACT, _act_context(alert, checklist(alert)), advisory=True).allowed
