"""Every CSV the hub writes goes through one writer that keeps a
spreadsheet from running a cell as a formula."""
import csv
import io
from pathlib import Path

import pytest

from hub.csv_export import neutralise, to_csv

ROOT = Path(__file__).resolve().parent.parent
DANGEROUS = ["=HYPERLINK(\"http://evil.example\",\"x\")", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1,2)",
             "\t=1+1", "\r=1+1"]


@pytest.mark.parametrize("value", DANGEROUS)
def test_formula_starts_are_written_as_text(value):
    assert neutralise(value) == "'" + value
    (row,) = list(csv.reader(io.StringIO(to_csv(["cell"], [[value]]))))[1:]
    assert row == ["'" + value]


@pytest.mark.parametrize("value", ["stolen truck", "ICR-1", "", "a=b", 5, -5, 0.5, None])
def test_other_cells_are_unchanged(value):
    assert neutralise(value) == value


def test_no_module_writes_csv_around_the_one_writer():
    offenders = [str(path.relative_to(ROOT)) for top in ("hub", "partners", "policies")
                 for path in (ROOT / top).rglob("*.py")
                 if path.name != "csv_export.py" and ("csv.writer(" in path.read_text()
                                                      or "csv.DictWriter(" in path.read_text())]
    assert offenders == []
