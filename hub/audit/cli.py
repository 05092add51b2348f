import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from hub.audit import services
from hub.db import unit_of_work
from hub.errors import HubError
from hub.identity.actors import operator

audit = AppGroup("audit", help="The biennial audit report.")


@audit.command("report")
@click.option("--from", "period_from", required=True, type=click.DateTime(["%Y-%m-%d"]), help="First day, YYYY-MM-DD.")
@click.option("--to", "period_to", required=True, type=click.DateTime(["%Y-%m-%d"]), help="Last day, YYYY-MM-DD.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Where to write its files (default: audit-report-FROM-TO in the current directory).")
def report_command(period_from, period_to, out):
    """Issue the audit report for a period that has ended: the HTML, the PDF
    and the figures as CSV, kept in the hub and written to --out."""
    first, last = period_from.date(), period_to.date()
    try:
        with unit_of_work():
            report = services.issue_report(operator(), first, last)
            files = {f.name: f.content for f in services.issued_files(report)}
    except HubError as error:
        click.echo(f"refused: {error.message}", err=True)
        for name, messages in (error.errors.items() if isinstance(error.errors, dict) else []):
            click.echo(f"  {name}: {' '.join(map(str, messages))}", err=True)
        for item in error.errors if isinstance(error.errors, list) else []:
            click.echo(f"  {item.get('says') or item.get('message')} ({item.get('cite')})", err=True)
        sys.exit(2)
    out = out or Path(f"audit-report-{first}-{last}")
    out.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (out / name).write_bytes(content)
    click.echo(f"audit report {report.id} for {first} to {last} issued; send it to every recipient by {report.due_on}")
    click.echo(f"ledger {'intact' if report.ledger_intact else 'FAILED verification'} at {report.ledger_size} entries")
    click.echo(f"report.pdf sha256 {report.pdf_sha256}")
    click.echo(str(out))

