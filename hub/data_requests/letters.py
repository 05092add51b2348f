"""Reading an outside agency's scanned letter (DESIGN.md flow 6): a PDF, PNG
or JPEG becomes its text, the five elements of a written request found in
it (with the line each came from), the list of what could not be found,
and an image of each page for the person who confirms the fields against
it. The original file is identified by its SHA-256.

A pure domain step: no request handling, no storage, no ledger; the
request's intake keeps the original and records what was done with it.
Nothing here decides whether a request is complete: a records clerk
confirms or corrects every field first."""
from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from PIL import Image

from hub.data_requests.letter_errors import LetterRejected
from hub.data_requests.letter_fields import FIELD_NAMES, LetterField, extract_fields
from hub.data_requests.letter_ocr import read_page
from hub.data_requests.letter_pages import open_letter

__all__ = ["LetterField", "LetterReading", "LetterRejected", "read_letter", "FIELD_NAMES"]

DISPLAY_WIDTH = 1100  # pixels: a page image beside the fields, sharp enough to read on a laptop
MIN_WORDS = 5  # fewer words read with confidence on every page together: no readable letter


@dataclass(frozen=True)
class LetterReading:
    sha256: str  # of the file as received
    media_type: str  # from its content: application/pdf, image/png or image/jpeg
    page_count: int
    text: str  # every page's text, pages separated by a form feed ("\f")
    fields: dict[str, LetterField]  # one per name in FIELD_NAMES
    missing: tuple[str, ...]  # the names of the fields not found, in FIELD_NAMES order
    page_images: tuple[bytes, ...]  # PNG of each page as read (upright, straightened), downscaled


def read_letter(data: bytes, filename: str) -> LetterReading:
    """Read a letter's file; LetterRejected when it cannot be read at all."""
    letter = open_letter(data, filename)
    readings = [read_page(page) for page in letter.pages]
    if sum(reading.words for reading in readings) < MIN_WORDS:
        raise LetterRejected("letter_unreadable",
                             "No text could be read in the file: it may be blank, too faint or too blurred. "
                             "Scan the letter again, at 300 dpi if you can.")
    fields = extract_fields([reading.text for reading in readings])
    return LetterReading(
        sha256=hashlib.sha256(data).hexdigest(),
        media_type=letter.media_type,
        page_count=len(letter.pages),
        text="\f".join(reading.text.strip("\n") for reading in readings),
        fields=fields,
        missing=tuple(name for name in FIELD_NAMES if not fields[name].found),
        page_images=tuple(_display_png(reading.upright) for reading in readings),
    )


def _display_png(page: Image.Image) -> bytes:
    if page.width > DISPLAY_WIDTH:
        page = page.resize((DISPLAY_WIDTH, round(page.height * DISPLAY_WIDTH / page.width)),
                           Image.Resampling.LANCZOS, reducing_gap=2.0)
    out = io.BytesIO()
    page.save(out, format="PNG")
    return out.getvalue()
