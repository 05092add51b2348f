"""Why a letter's file cannot be read. A refusal names itself with a
machine-readable code and says in plain words what to send instead; it is a
`ValidationFailed` (so the hub's one error handler renders it) and a
`ValueError` (so a caller outside a request can catch it as bad input)."""
from __future__ import annotations

from hub.errors import ValidationFailed

# Codes whose HTTP status is not the default 422.
_STATUS = {"letter_too_large": 413, "letter_type_unsupported": 415, "letter_type_mismatch": 415}


class LetterRejected(ValidationFailed, ValueError):
    """The file is refused as a whole: nothing of it was read.

    Codes: letter_empty, letter_too_large, letter_type_unsupported,
    letter_type_mismatch, letter_damaged, letter_encrypted,
    letter_too_many_pages, letter_page_too_large, letter_unreadable."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.status = _STATUS.get(code, 422)


class OcrUnavailable(RuntimeError):
    """Tesseract's language data is missing: the hub cannot read letters.
    A fault of the installation, not of the letter."""
