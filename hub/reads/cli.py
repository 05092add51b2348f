"""`hub reads import FILE --camera CAMERA`: reads exported by a camera as a
vendor CSV, through the same checks as the API. Layout (header required):
    read_id,plate,plate_state,captured_at,confidence
Extra columns are refused like extra JSON fields."""
import csv
import io

import click
from flask import current_app
from flask.cli import AppGroup

from hub.cameras.cli import find
from hub.db import unit_of_work
from hub.errors import HubError
from hub.reads.ingest import ingest_batch

reads = AppGroup("reads", help="License-plate reads.")


def _rows(text: str):
    for row in csv.DictReader(io.StringIO(text)):
        read = {k: v for k, v in row.items() if v not in (None, "")}
        if "confidence" in read:
            try:
                read["confidence"] = float(read["confidence"])
            except ValueError:
                pass
        yield read


@reads.command("import")
@click.argument("file", type=click.File("r", encoding="utf-8-sig"))
@click.option("--camera", "camera_ref", required=True, help="Camera id or exact name.")
def import_command(file, camera_ref):
    """Import a camera's CSV export; prints accepted, duplicate and refused reads."""
    rows = list(_rows(file.read()))
    size = current_app.config["INGEST_MAX_READS"]
    totals = {"accepted": 0, "duplicates": 0, "rejected": 0}
    for start in range(0, len(rows), size):
        try:
            with unit_of_work():
                result = ingest_batch(find(camera_ref), rows[start:start + size])
        except HubError as error:
            raise click.ClickException(f"{error.message} {error.errors}")
        totals["accepted"] += len(result.accepted)
        totals["duplicates"] += len(result.duplicates)
        totals["rejected"] += len(result.rejected)
        for rejection in result.rejected:
            click.echo(f"line {start + rejection.index + 2}: {rejection.read_id or '-'}: {rejection.errors}", err=True)
    click.echo(f"{totals['accepted']} accepted, {totals['duplicates']} already stored, {totals['rejected']} refused")
