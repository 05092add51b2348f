"""The notice to the Bureau of Criminal Apprehension: due within the days the
policy pack sets (Minn. Stat. 13.824 subd. 8: 10) after any reader — fixed,
mobile, or built into another surveillance device — is installed, and after
a fixed reader moves. The hub tracks the deadline, produces the notice and
records when it was sent."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fpdf import FPDF
from sqlalchemy import select

from hub import policy
from hub.cameras import permissions
from hub.cameras.errors import CameraInvalid
from hub.cameras.models import Camera, CameraStatus
from hub.clock import utcnow
from hub.errors import Forbidden, Refusal
from hub.extensions import db
from hub.identity.models import Organisation
from hub.identity.permissions import can
from hub.identity.roles import Capability, OrganisationKind
from hub.ledger.services import record

READER_KINDS = ("fixed", "mobile", "built_in")
READER_KIND_LABELS = {"fixed": "at a fixed location", "mobile": "mobile",
                      "built_in": "built into another surveillance device"}
CAMERA_INSTALL = policy.declare("camera.install", {"reader_kind": READER_KINDS})


def reader_kind(fixed: bool, built_in: bool) -> str:
    return "built_in" if built_in else "fixed" if fixed else "mobile"


def bca_deadline(installed_on: date, kind: str) -> date | None:
    days = policy.engine().obligation(CAMERA_INSTALL, "bca_notice_days", {"reader_kind": kind})
    return installed_on + timedelta(days=days) if days else None


def outstanding_notices(*, overdue_only: bool = False) -> list[Camera]:
    """Unretired readers whose notice has not been sent, soonest due first."""
    query = select(Camera).where(Camera.status != CameraStatus.RETIRED,
                                 Camera.bca_notice_due_on.is_not(None), Camera.bca_notice_sent_on.is_(None))
    if overdue_only:
        query = query.where(Camera.bca_notice_due_on < utcnow().date())
    return list(db.session.scalars(query.order_by(Camera.bca_notice_due_on, Camera.id)))


def days_left(camera: Camera) -> int | None:
    return (camera.bca_notice_due_on - utcnow().date()).days if camera.bca_notice_due_on else None


def notice_facts(camera: Camera) -> dict:
    """What the notice states: who operates the reader, where it stands and
    since when, what it collects and how long the data are kept."""
    agency = db.session.scalar(select(Organisation).where(Organisation.kind == OrganisationKind.AGENCY)
                               .order_by(Organisation.id).limit(1))
    current = camera.locations[0] if camera.locations else None
    collect = policy.engine().rules("read.collect")
    return {
        "agency": agency.name if agency else "",
        "owner": camera.organisation.name,
        "owner_kind": camera.organisation.kind.value,
        "camera": camera.name,
        "location": camera.location_description,
        "coordinates": f"{camera.latitude:.5f}, {camera.longitude:.5f}",
        "direction": camera.direction,
        "fixed": camera.fixed,
        "reader_kind": READER_KIND_LABELS[camera.reader_kind],
        "in_place_since": (current.from_date if current else camera.installed_on).isoformat(),
        "vendor": f"{camera.vendor} {camera.model}".strip(),
        "collects": "license plate numbers; date, time and location of each read; images of the plate, "
                    "vehicle and surroundings",
        "retention_days": policy.engine().obligation("read.retain", "retention_days"),
        "due_on": camera.bca_notice_due_on.isoformat() if camera.bca_notice_due_on else "",
        "citation": next((r.cite for r in policy.engine().rules(CAMERA_INSTALL)), "Minn. Stat. 13.824 subd. 8"),
        "collection_rule": collect[0].cite if collect else "",
    }


def notice_pdf(camera: Camera) -> bytes:
    facts = notice_facts(camera)
    pdf = FPDF(format="Letter")
    pdf.set_title(f"ALPR installation notice: {facts['camera']}")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.multi_cell(0, 8, "Notice to the Minnesota Bureau of Criminal Apprehension", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 11)
    pdf.multi_cell(0, 6, f"Installation or use of an automated license plate reader, {facts['reader_kind']} "
                         f"({facts['citation']}).", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    for label, key in (("Law enforcement agency", "agency"), ("Reader owned by", "owner"), ("Reader", "camera"),
                       ("Location", "location"), ("Coordinates", "coordinates"), ("Traffic watched", "direction"),
                       ("At this location since", "in_place_since"), ("Equipment", "vendor"),
                       ("Data collected", "collects"), ("Data kept for (days)", "retention_days"),
                       ("Notice due by", "due_on")):
        pdf.set_font("Helvetica", "B", 11)
        pdf.cell(55, 7, label)
        pdf.set_font("Helvetica", "", 11)
        pdf.multi_cell(0, 7, str(facts[key]), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def require_recorder(actor: Any, camera: Camera) -> None:
    if not can(actor, Capability.RECORD_BCA_NOTICES) or not permissions.sees_whole_registry(actor):
        raise Forbidden("The agency's ALPR administrators record BCA notices.",
                        refusal=Refusal("camera.bca_notice", actor, camera, {}, (camera.id,)))


def record_notice_sent(actor: Any, camera: Camera, *, sent_on: date) -> Camera:
    require_recorder(actor, camera)
    errors = {}
    if camera.bca_notice_due_on is None:
        errors["camera"] = ["No notice is due for this camera."]
    if sent_on > utcnow().date():
        errors["sent_on"] = ["The sending date cannot be in the future."]
    if errors:
        raise CameraInvalid(errors=errors)
    camera.bca_notice_sent_on = sent_on
    db.session.flush()
    record("camera.bca_notice_sent", actor=actor, subject=camera, cameras=[camera.id],
           details={"sent_on": sent_on.isoformat(), "due_on": camera.bca_notice_due_on.isoformat(),
                    "late": sent_on > camera.bca_notice_due_on})
    return camera


REMINDER_DAYS = 3


def send_reminders() -> int:
    """Daily: the agency is told of every notice due within three days or
    overdue. Returns how many notices it was reminded of."""
    from hub.identity.actors import SCHEDULER
    from hub.notifications.services import notify

    today = utcnow().date()
    due = [c for c in outstanding_notices() if (c.bca_notice_due_on - today).days <= REMINDER_DAYS]
    agency = db.session.scalar(select(Organisation).where(Organisation.kind == OrganisationKind.AGENCY)
                               .order_by(Organisation.id).limit(1))
    if not due or agency is None:
        return 0
    lines = [f"{c.name} ({c.organisation.name}): due {c.bca_notice_due_on}"
             + (" — overdue" if c.bca_notice_due_on < today else "") for c in due]
    notify(agency, subject=f"{len(due)} BCA notice(s) due or overdue", body="\n".join(lines),
           link="/cameras/bca-notices")
    record("camera.bca_reminder_sent", actor=SCHEDULER, cameras=[c.id for c in due],
           details={"overdue": sum(1 for c in due if c.bca_notice_due_on < today), "due": len(due)})
    return len(due)
