"""The report's files: the HTML document, the same document as PDF
(WeasyPrint, DejaVu fonts), the figures as CSV beside it, and the opening
and closing checkpoints with the consistency proof between them, for
`verifier.py consistency`."""
from __future__ import annotations

import json

from flask import render_template

from hub import csv_export
from hub.audit.report import AuditReportData

CSV = "text/csv"
PDF_ROWS = 100  # a long table shows this many rows; the CSV beside the report holds them all


def _csv(header: list[str], rows) -> tuple[str, bytes]:
    return CSV, csv_export.to_csv(header, rows).encode()


def html(data: AuditReportData) -> str:
    return render_template("audit/report.html", r=data, totals=data.totals, limit=PDF_ROWS)


def pdf(document: str) -> bytes:
    return _weasyprint().HTML(string=document).write_pdf()


def _weasyprint():
    """WeasyPrint, imported on first use (Pango is loaded only to print a
    report). Importing it turns on Pillow's process-wide
    LOAD_TRUNCATED_IMAGES, which would let a truncated camera image through
    the hub's decoding: the setting is put back at once (the report has no
    images for it to matter to)."""
    from PIL import ImageFile
    before = ImageFile.LOAD_TRUNCATED_IMAGES
    import weasyprint
    ImageFile.LOAD_TRUNCATED_IMAGES = before
    return weasyprint


def csv_files(data: AuditReportData) -> dict[str, tuple[str, bytes]]:
    months = [m.strftime("%Y-%m") for m in data.months]
    files = {
        "cameras.csv": _csv(
            ["camera", "name", "owner", "reader_kind", "installed_on", "days_collected", "first_day", "last_day",
             "reads", "hours_collecting", "collection_periods", "problems_reported", "destroyed_on_time",
             "destroyed_late", "held", "bca_due_on", "bca_sent_on", "bca_status"],
            ([c.camera_id, c.name, c.owner, c.reader_kind, c.installed_on, c.days_collected, c.first_day, c.last_day,
              c.reads, c.hours_collecting, c.periods, c.problems, c.destroyed_on_time, c.destroyed_late, c.held,
              c.bca_due_on, c.bca_sent_on, c.bca_status] for c in data.cameras)),
        "destroyed-late.csv": _csv(["camera", "day", "reads", "deadline", "destroyed_at"],
                                   ([d.camera_id, d.day, d.reads, d.deadline.isoformat(), d.destroyed_at.isoformat()]
                                    for d in data.late)),
        "holds.csv": _csv(["hold", "kind", "placed", "review_on", "released", "cameras", "window"],
                          ([h["id"], h["kind"], h["placed"], h["review_on"], h["released"], h["cameras"], h["window"]]
                           for h in data.holds)),
        "searches.csv": _csv(["reason", *months, "total"],
                             ([reason, *[by_month.get(m, 0) for m in data.months], sum(by_month.values())]
                              for reason, by_month in sorted(data.searches.items()))),
        "uses.csv": _csv(["what", "step", "count"], [
            *(["searches", k, v] for k, v in data.search_authorities.items()),
            *([figure, k, v] for figure, steps in data.uses.items() for k, v in steps.items()),
            *(["refusals", k, v] for k, v in data.refusals.items())]),
        "grants.csv": _csv(["request", "asked", "offense", "chief_decided", "status", "cameras", "granted", "ended"],
                           ([g["request"], g["asked"], g["offense"], g["chief_decided"], g["status"], g["cameras"],
                             g["granted"], g["ended"]] for g in data.grants)),
        "people.csv": _csv(["username", "name", "role", "entries", "trained_on", "authorised_on",
                            "authorisation_withdrawn", "status"],
                           ([p.username, p.name, p.role, p.entries, p.trained_on, p.authorised_on,
                             p.authorisation_withdrawn, p.status] for p in data.people)),
        "ledger.csv": _csv(["figure", "value"], [
            ["intact", "yes" if data.ledger.intact else "no"], ["sealed_size", data.ledger.sealed_size],
            ["entries_in_period", data.ledger.entries_in_period], ["first_entry", data.ledger.first_entry],
            ["last_entry", data.ledger.last_entry], ["checkpoints_signed_in_period", data.ledger.checkpoints_in_period],
            *(["problem", p] for p in data.ledger.problems)]),
    }
    for name, checkpoint in (("opening-checkpoint.txt", data.ledger.opening),
                             ("closing-checkpoint.txt", data.ledger.closing)):
        if checkpoint:
            files[name] = ("text/plain", checkpoint["note"].encode())
    if data.ledger.consistency:
        files["consistency.json"] = ("application/json", json.dumps(data.ledger.consistency, indent=1).encode())
    return files


def files(data: AuditReportData) -> dict[str, tuple[str, bytes]]:
    document = html(data)
    return {"report.html": ("text/html", document.encode()), "report.pdf": ("application/pdf", pdf(document)),
            **csv_files(data)}
