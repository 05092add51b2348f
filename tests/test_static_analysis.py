"""bandit finds nothing in the hub's code beyond the exceptions its
configuration (pyproject.toml, [tool.bandit]) names and justifies."""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_bandit_is_clean():
    run = subprocess.run([sys.executable, "-m", "bandit", "-c", "pyproject.toml", "-r", "hub", "partners", "policies",
                          "-q", "-f", "json"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    report = json.loads(run.stdout)
    assert [(r["filename"], r["line_number"], r["test_id"]) for r in report["results"]] == []
    assert run.returncode == 0 and report["errors"] == []
