"""An issued audit report (its files as they were issued, never rebuilt) and
each sending of it to a recipient the law names."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.db import UTCDateTime
from hub.extensions import db


class AuditReport(db.Model):
    __tablename__ = "audit_reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period_from: Mapped[date] = mapped_column(Date)
    period_to: Mapped[date] = mapped_column(Date)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    issued_by: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[date] = mapped_column(Date)  # the last day to send it to every recipient
    ledger_size: Mapped[int] = mapped_column(BigInteger)  # the checkpoint the report rests on
    ledger_intact: Mapped[bool] = mapped_column(Boolean)
    pdf_sha256: Mapped[str] = mapped_column(String(64))

    sendings: Mapped[list["AuditReportSending"]] = relationship(order_by="AuditReportSending.sent_on",
                                                                lazy="selectin")

    @property
    def ledger_subject(self):
        return "audit_report", self.id


class AuditReportFile(db.Model):
    __tablename__ = "audit_report_files"

    report_id: Mapped[int] = mapped_column(ForeignKey("audit_reports.id"), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    media_type: Mapped[str] = mapped_column(String(100))
    content: Mapped[bytes] = mapped_column(LargeBinary)


class AuditReportSending(db.Model):
    __tablename__ = "audit_report_sendings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("audit_reports.id"), index=True)
    recipient: Mapped[str] = mapped_column(String(300))
    sent_on: Mapped[date] = mapped_column(Date)
    method: Mapped[str] = mapped_column(String(100))
    reference: Mapped[str] = mapped_column(String(300))
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
