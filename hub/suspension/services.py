"""The kill switch of Minn. Stat. 13.824 subd. 6(b): when the Commissioner of
Administration finds a pattern of substantial noncompliance, the agency
suspends the operation of its readers until the commissioner authorises
reinstatement. A hub administrator records the order (and later its
lifting); from then on every use that the order stops asks `require_use`,
whose answer is the policy engine's `alpr.use` rule — the city's readers
collect nothing, and no one searches, asks for, approves, consents to or
uses a partner grant. Each refusal is ledgered like any other."""
from __future__ import annotations

import enum
from datetime import date
from typing import Any

from sqlalchemy import select

from hub import policy
from hub.clock import utcnow
from hub.errors import Conflict, ValidationFailed
from hub.extensions import db
from hub.identity.permissions import require_capability
from hub.identity.roles import Capability
from hub.ledger.services import record
from hub.suspension.models import SuspensionOrder
from policies.vocabulary import BOOLEAN


class Activity(str, enum.Enum):
    """The uses a suspension order stops."""

    COLLECT = "collect"  # the agency's own readers collecting reads
    SEARCH = "search"  # searching reads, exporting a search
    GRANT = "grant"  # asking for, approving, consenting to or using a partner grant


ALPR_USE = policy.declare("alpr.use", {"use_suspended": BOOLEAN,
                                       "activity": tuple(a.value for a in Activity)})
ISSUER = "Commissioner of Administration"


def current_order() -> SuspensionOrder | None:
    """The order in force, if any: read from the database on every call, so
    recording or lifting it takes effect on the very next request."""
    return db.session.scalars(select(SuspensionOrder).where(SuspensionOrder.lifted_at.is_(None))
                              .order_by(SuspensionOrder.id.desc()).limit(1)).first()


def require_use(actor: Any, activity: Activity, *, subject: Any = None, cameras=()) -> None:
    """Refuse (PolicyRefused, ledgered with the rule's citation) while an
    order is in force; otherwise the decision travels on the use's entry."""
    order = current_order()
    policy.require(ALPR_USE, {"use_suspended": order is not None, "activity": activity.value}, actor=actor,
                   subject=subject, cameras=cameras,
                   details={"activity": activity.value, "suspension_order": order.reference if order else None})


def orders() -> list[SuspensionOrder]:
    return list(db.session.scalars(select(SuspensionOrder).order_by(SuspensionOrder.id.desc())))


def _date_errors(name: str, value: date | None, *, not_before: date | None = None) -> dict:
    if value is None:
        return {name: ["Give the date, as YYYY-MM-DD."]}
    if value > utcnow().date():
        return {name: ["The date cannot be in the future."]}
    if not_before and value < not_before:
        return {name: [f"The date cannot be before the order of {not_before.isoformat()}."]}
    return {}


def order_suspension(actor: Any, *, reference: str, ordered_on: date | None, summary: str,
                     issued_by: str = ISSUER) -> SuspensionOrder:
    """Record the commissioner's order: from this commit on, uses stop."""
    require_capability(actor, Capability.RECORD_SUSPENSION, action="suspension.order")
    errors = _date_errors("ordered_on", ordered_on)
    for name, value in (("reference", reference), ("summary", summary), ("issued_by", issued_by)):
        if not (value or "").strip():
            errors[name] = ["This is required."]
    if errors:
        raise ValidationFailed(errors=errors)
    if current_order() is not None:
        raise Conflict("A suspension order is already in force; lift it before recording another.")
    order = SuspensionOrder(issued_by=issued_by.strip(), reference=reference.strip(), ordered_on=ordered_on,
                            summary=summary.strip(), recorded_by_id=getattr(actor, "id", None), recorded_at=utcnow())
    db.session.add(order)
    db.session.flush()
    record("suspension.ordered", actor=actor, subject=order,
           details={"issued_by": order.issued_by, "reference": order.reference,
                    "ordered_on": ordered_on.isoformat()})
    return order


def lift_suspension(actor: Any, *, reference: str, lifted_on: date | None) -> SuspensionOrder:
    """Record the commissioner's authorisation to reinstate: uses resume."""
    require_capability(actor, Capability.RECORD_SUSPENSION, action="suspension.lift")
    order = current_order()
    if order is None:
        raise Conflict("No suspension order is in force.")
    errors = _date_errors("lifted_on", lifted_on, not_before=order.ordered_on)
    if not (reference or "").strip():
        errors["reference"] = ["Name the commissioner's authorisation to reinstate."]
    if errors:
        raise ValidationFailed(errors=errors)
    order.lifted_on, order.lift_reference = lifted_on, reference.strip()
    order.lifted_by_id, order.lifted_at = getattr(actor, "id", None), utcnow()
    db.session.flush()
    record("suspension.lifted", actor=actor, subject=order,
           details={"reference": order.reference, "lift_reference": order.lift_reference,
                    "lifted_on": lifted_on.isoformat()})
    return order
