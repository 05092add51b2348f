"""The biennial audit report: issued for a period that has ended (the policy
engine's `audit.report` rule), kept as issued — its HTML, its PDF and its
figures as CSV — and sent, within the days the rule gives, to each recipient
it names; what is not sent in time shows as overdue. Issuing, downloading
and each sending are ledgered."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from hub import policy
from hub.audit import render
from hub.audit.models import AuditReport, AuditReportFile, AuditReportSending
from hub.audit.report import gather
from hub.clock import utcnow
from hub.errors import NotFound, ValidationFailed
from hub.extensions import db
from hub.identity.permissions import require_capability
from hub.identity.roles import Capability
from hub.ledger.services import actor_ref, record
from policies.vocabulary import BOOLEAN

AUDIT_REPORT = policy.declare("audit.report", {"period_start": None, "period_end": None, "period_ended": BOOLEAN})
FIELDS = {"period_start": "period_from", "period_end": "period_to", "period_ended": "period_to"}


class ReportNotFound(NotFound):
    code = "audit_report_not_found"
    message = "No such audit report, or no such file of it."


def recipients() -> list[str]:
    """Those the law sends the report to (the rule's `report_recipients`)."""
    return list(policy.engine().obligation(AUDIT_REPORT, "report_recipients") or [])


def due_days() -> int:
    return policy.engine().obligation(AUDIT_REPORT, "report_due_days")


def _check_period(actor: Any, period_from: date | None, period_to: date | None) -> None:
    errors = {name: ["Give the date, as YYYY-MM-DD."] for name, value in (("period_from", period_from),
                                                                          ("period_to", period_to)) if value is None}
    if not errors and period_from > period_to:
        errors["period_to"] = ["The period ends after it begins: the dates are the wrong way round."]
    if errors:
        raise ValidationFailed(errors=errors)
    decision = policy.decide(AUDIT_REPORT, {"period_start": period_from.isoformat(),
                                            "period_end": period_to.isoformat(),
                                            "period_ended": period_to < utcnow().date()})
    if not decision.allowed:
        raise policy.PolicyRefused(decision, actor=actor, details={"period_from": period_from.isoformat(),
                                                                   "period_to": period_to.isoformat()})


def issue_report(actor: Any, period_from: date | None, period_to: date | None) -> AuditReport:
    """Build the report from the records and the ledger, keep its files, and
    start the time within which it must reach every recipient."""
    require_capability(actor, Capability.AUDIT_REPORTS, action="audit.report")
    _check_period(actor, period_from, period_to)
    data = gather(period_from, period_to)
    data.recipients, data.due_days = recipients(), due_days()
    files = render.files(data)
    pdf = files["report.pdf"][1]
    now = utcnow()
    report = AuditReport(period_from=period_from, period_to=period_to, issued_at=now, issued_by=actor_ref(actor)[1],
                         due_on=now.date() + timedelta(days=data.due_days), ledger_size=data.ledger.sealed_size,
                         ledger_intact=data.ledger.intact, pdf_sha256=hashlib.sha256(pdf).hexdigest())
    db.session.add(report)
    db.session.flush()
    db.session.add_all(AuditReportFile(report_id=report.id, name=name, media_type=media, content=content)
                       for name, (media, content) in files.items())
    record("audit.report_issued", actor=actor, subject=report,
           details={"period_from": period_from.isoformat(), "period_to": period_to.isoformat(),
                    "pdf_sha256": report.pdf_sha256, "ledger_size": report.ledger_size,
                    "ledger_intact": report.ledger_intact, "due_on": report.due_on.isoformat()})
    return report


def reports(actor: Any) -> list[AuditReport]:
    require_capability(actor, Capability.AUDIT_REPORTS, action="audit.report_list")
    return list(db.session.scalars(select(AuditReport).order_by(AuditReport.id.desc())))


def get_report(actor: Any, report_id: int) -> AuditReport:
    require_capability(actor, Capability.AUDIT_REPORTS, action="audit.report_view")
    report = db.session.get(AuditReport, report_id)
    if report is None:
        raise ReportNotFound()
    return report


def issued_files(report: AuditReport) -> list[AuditReportFile]:
    """The files as issued, for the command that issues them to write out."""
    return list(db.session.scalars(select(AuditReportFile).where(AuditReportFile.report_id == report.id)
                                   .order_by(AuditReportFile.name)))


def file_names(report: AuditReport) -> list[str]:
    return list(db.session.scalars(select(AuditReportFile.name).where(AuditReportFile.report_id == report.id)
                                   .order_by(AuditReportFile.name)))


def download(actor: Any, report_id: int, name: str) -> AuditReportFile:
    """A file of the report as it was issued; the download is on record."""
    report = get_report(actor, report_id)
    found = db.session.get(AuditReportFile, (report.id, name))
    if found is None:
        raise ReportNotFound()
    record("audit.report_downloaded", actor=actor, subject=report, details={"file": name})
    return found


def record_sending(actor: Any, report: AuditReport, *, recipient: str, sent_on: date | None, method: str,
                   reference: str) -> AuditReportSending:
    """That the report went to one of those the law names, when and how."""
    require_capability(actor, Capability.AUDIT_REPORTS, action="audit.report_send", subject=report)
    errors = {}
    if recipient not in recipients():
        errors["recipient"] = ["Choose one of the recipients the law names."]
    if sent_on is None:
        errors["sent_on"] = ["Give the date, as YYYY-MM-DD."]
    elif sent_on > utcnow().date():
        errors["sent_on"] = ["The date cannot be in the future."]
    elif sent_on < report.issued_at.date():
        errors["sent_on"] = [f"The report was issued on {report.issued_at:%Y-%m-%d}: it cannot have been sent before."]
    for name, value in (("method", method), ("reference", reference)):
        if not (value or "").strip():
            errors[name] = ["This is required."]
    if errors:
        raise ValidationFailed(errors=errors)
    sending = AuditReportSending(report_id=report.id, recipient=recipient, sent_on=sent_on, method=method.strip(),
                                 reference=reference.strip(), recorded_by=actor_ref(actor)[1], recorded_at=utcnow())
    db.session.add(sending)
    db.session.flush()
    record("audit.report_sent", actor=actor, subject=report,
           details={"recipient": recipient, "sent_on": sent_on.isoformat(), "method": sending.method,
                    "late": sent_on > report.due_on})
    return sending


@dataclass(frozen=True)
class Outstanding:
    report: AuditReport
    recipient: str
    overdue: bool


def outstanding(report: AuditReport) -> list[Outstanding]:
    """Recipients the report has not reached yet, overdue past its due date."""
    sent = {s.recipient for s in report.sendings}
    late = utcnow().date() > report.due_on
    return [Outstanding(report, r, late) for r in recipients() if r not in sent]


def overdue() -> list[Outstanding]:
    """Every recipient still waiting for a report past its due date."""
    reports_due = db.session.scalars(select(AuditReport).where(AuditReport.due_on < utcnow().date()))
    return [o for report in reports_due for o in outstanding(report)]
