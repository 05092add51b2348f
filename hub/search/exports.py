"""The files a search leaves the hub as: CSV for analysis and a PDF evidence
sheet for a court. Both carry the ledger entry of the search, the entry of
the export itself and the latest signed checkpoint, so anyone can later
prove, with the hub's public key alone, that the search happened as
recorded (an inclusion proof of the entry against a checkpoint)."""
from __future__ import annotations

import base64
import io
from dataclasses import dataclass

from fpdf import FPDF
from PIL import Image

from hub import csv_export, policy
from hub.clock import utcnow
from hub.ledger.errors import NoCheckpoint
from hub.ledger.models import LedgerCheckpoint
from hub.ledger.tree import latest_checkpoint
from hub.search.services import Export

THUMBNAIL_SIZE = (200, 120)
CSV_HEADER = ["read_id", "captured_at_utc", "plate", "plate_state", "look_alike", "camera_id", "camera", "owner",
              "latitude", "longitude", "search_entry_id", "export_entry_id", "checkpoint_tree_size",
              "checkpoint_root_hash"]


@dataclass
class ExportFile:
    name: str
    mimetype: str
    content: bytes


def _checkpoint() -> LedgerCheckpoint | None:
    try:
        return latest_checkpoint()
    except NoCheckpoint:
        return None


def write_csv(header: list[str], rows) -> bytes:
    """Through the hub's one formula-safe CSV writer."""
    out = io.StringIO()
    writer = csv_export.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def search_csv(done: Export) -> ExportFile:
    result, checkpoint = done.result, _checkpoint()
    cameras = {c.id: c for c in result.cameras_searched}
    rows = ([r.id, r.captured_at.strftime("%Y-%m-%dT%H:%M:%SZ"), r.plate, r.plate_state or "",
             "yes" if result.is_look_alike(r) else "", r.camera_id, cameras[r.camera_id].name,
             cameras[r.camera_id].owner, f"{r.latitude:.6f}", f"{r.longitude:.6f}", done.search_entry_id,
             done.receipt.entry_id, checkpoint.tree_size if checkpoint else "",
             checkpoint.root_hash if checkpoint else ""] for r in result.reads)
    return ExportFile(f"search-{done.search_entry_id}.csv", "text/csv", write_csv(CSV_HEADER, rows))


def _latin(text) -> str:
    """fpdf2's core fonts speak Latin-1: anything else becomes '?'."""
    return str(text).encode("latin-1", "replace").decode("latin-1")


def evidence_pdf(done: Export, *, officer: str, agency: str) -> ExportFile:
    result, checkpoint, query = done.result, _checkpoint(), done.result.query
    pdf = FPDF(format="Letter")
    pdf.set_title(f"ALPR search evidence sheet, search {done.search_entry_id}")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.multi_cell(0, 8, "ALPR search evidence sheet", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    facts = [
        ("Agency", agency), ("Searched by", officer),
        ("Search ledger entry", f"#{done.search_entry_id}"), ("Export ledger entry", f"#{done.receipt.entry_id}"),
        ("Exported at", f"{utcnow():%Y-%m-%d %H:%M:%S} UTC"),
        ("Case number", query.case_number), ("Reason", policy.engine().purposes.get(query.reason, query.reason)),
        ("Factual basis", query.basis),
        ("Plate searched", query.pattern.text + (" (with look-alike characters)" if query.look_alikes else "")),
        ("Window (UTC)", f"{query.start:%Y-%m-%d %H:%M} to {query.end:%Y-%m-%d %H:%M}"),
        ("Warrant", query.warrant or "none recorded"), ("Exigent circumstances", "yes" if query.exigent else "no"),
        ("Cameras searched", str(len(result.cameras_searched))), ("Reads found", str(result.total)),
    ]
    if checkpoint is not None:
        facts += [("Latest checkpoint", f"{checkpoint.origin}, tree size {checkpoint.tree_size}, signed "
                                        f"{checkpoint.created_at_text} by key {checkpoint.key_id}"),
                  ("Checkpoint root", checkpoint.root_hash)]
    else:
        facts.append(("Latest checkpoint", "none signed yet"))
    for label, value in facts:
        pdf.set_font("Helvetica", "B", 10)
        pdf.cell(48, 6, _latin(label))
        pdf.set_font("Helvetica", "", 10)
        pdf.multi_cell(0, 6, _latin(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("Helvetica", "I", 9)
    pdf.multi_cell(0, 5, _latin(
        f"To verify: ask the hub for the inclusion proof of entry #{done.search_entry_id} "
        f"(GET /api/v1/ledger/entries/{done.search_entry_id}/proof) once a checkpoint covers it, and check it "
        "with the hub's public key and verifier.py, without trusting the hub. The plate is committed in the entry "
        "by a salted hash."), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    _reads_table(pdf, result)
    return ExportFile(f"search-{done.search_entry_id}-evidence.pdf", "application/pdf", bytes(pdf.output()))


def _reads_table(pdf: FPDF, result) -> None:
    cameras = {c.id: c for c in result.cameras_searched}
    widths = (40, 26, 12, 70, 42)
    pdf.set_font("Helvetica", "B", 9)
    for width, title in zip(widths, ("Time (UTC)", "Plate", "State", "Camera", "Location")):
        pdf.cell(width, 6, title, border=1)
    pdf.ln()
    pdf.set_font("Helvetica", "", 9)
    for read in result.reads:
        camera = cameras[read.camera_id]
        plate = read.plate + (" *" if result.is_look_alike(read) else "")
        for width, value in zip(widths, (f"{read.captured_at:%Y-%m-%d %H:%M:%S}", plate, read.plate_state or "",
                                         f"{camera.name} ({camera.owner})"[:45],
                                         f"{read.latitude:.5f}, {read.longitude:.5f}")):
            pdf.cell(width, 6, _latin(value), border=1)
        pdf.ln()
    if any(result.is_look_alike(r) for r in result.reads):
        pdf.set_font("Helvetica", "I", 8)
        pdf.multi_cell(0, 5, "* a look-alike reading: it differs from the plate searched only in characters plates "
                             "print alike (O/0, I/1, B/8, S/5, Z/2).", new_x="LMARGIN", new_y="NEXT")


def thumbnail(scope, read) -> str | None:
    """The read's plate picture (else its vehicle picture), decrypted now
    through the search's scope and shrunk, as a data URI for the results page."""
    digest = read.plate_image or read.vehicle_image
    if not digest:
        return None
    try:
        picture = Image.open(io.BytesIO(scope.image(read, digest)))
        picture.thumbnail(THUMBNAIL_SIZE)
        out = io.BytesIO()
        picture.convert("RGB").save(out, "JPEG", quality=80)
    except Exception:  # a missing or unreadable image: the row shows without one
        return None
    return "data:image/jpeg;base64," + base64.b64encode(out.getvalue()).decode()
