"""The one CSV writer for every file the hub hands out.

A spreadsheet opening a CSV runs a cell that begins with `=`, `+`, `-` or
`@` as a formula (and a leading tab or carriage return lets the same through
some importers): a purpose, an actor name or a case number typed by someone
else could then run in the owner's spreadsheet. Every text cell that begins
with one of those characters is written with a leading apostrophe, which the
spreadsheet shows as text (OWASP, "CSV Injection"). Numbers stay numbers."""
from __future__ import annotations

import csv
import io
from typing import Any, Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """The cell as it is safe to write: text that a spreadsheet would read
    as a formula gets a leading apostrophe; other values are unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SafeWriter:
    """`csv.writer` with every cell passed through `neutralise`."""

    def __init__(self, out) -> None:
        self._writer = csv.writer(out)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([neutralise(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(out) -> SafeWriter:
    return SafeWriter(out)


def to_csv(header: list[str], rows: Iterable[Iterable[Any]]) -> str:
    out = io.StringIO()
    csv_writer = writer(out)
    csv_writer.writerow(header)
    csv_writer.writerows(rows)
    return out.getvalue()
