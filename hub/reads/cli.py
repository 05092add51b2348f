"""`hub reads import FILE --camera CAMERA`: reads exported by a camera as a
vendor CSV, through the same checks as the API. Layout (header required):
    read_id,plate,plate_state,captured_at,confidence
Extra columns are refused like extra JSON fields.

`hub reads recognise [--json] [--crops CSV | FILE...]`: the hub's plate
reader on image files (plate boxes, or whole vehicle photos), without
storing anything; the models are loaded once for the run."""
import csv
import io
import json
import os
import sys

import click
from flask import current_app
from flask.cli import AppGroup

from hub.cameras.cli import find
from hub.db import unit_of_work
from hub.errors import HubError
from hub.reads import decoding, plate_reader
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


def _crop_jobs(csv_file) -> list[tuple[str, str, tuple[int, int, int, int] | None]]:
    """`file,x,y,w,h` rows (a header line is allowed); files relative to the CSV's folder."""
    base = os.path.dirname(os.path.abspath(csv_file.name))
    jobs = []
    for number, row in enumerate(csv.reader(csv_file), start=1):
        if not row or (number == 1 and row[0].strip().lower() == "file"):
            continue
        try:
            name, box = row[0].strip(), tuple(int(float(v)) for v in row[1:5])
            if len(box) != 4:
                raise ValueError
        except (ValueError, IndexError):
            raise click.ClickException(f"line {number}: expected file,x,y,w,h")
        jobs.append((name, name if os.path.isabs(name) else os.path.join(base, name), box))
    return jobs


def _inside(box: tuple[int, int, int, int], size: tuple[int, int]) -> tuple[int, int, int, int]:
    """The part of a plate box that lies in the image, as Pillow's crop
    takes it; a box that is empty or wholly outside is refused."""
    x, y, w, h = box
    left, top, right, bottom = max(0, x), max(0, y), min(size[0], x + w), min(size[1], y + h)
    if right - left < decoding.MIN_SIDE or bottom - top < decoding.MIN_SIDE:
        raise decoding.ImageRefused(f"The plate box {x},{y},{w},{h} is empty or outside the "
                                    f"{size[0]}×{size[1]} image.")
    return left, top, right, bottom


def _recognise_one(path: str, box) -> dict:
    try:
        with open(path, "rb") as handle:
            image = decoding.decode(handle.read())
        if box is None:
            reading = plate_reader.read_photo_image(image)
        else:
            reading = plate_reader.read_plate_image(image.crop(_inside(box, image.size)))
    except (OSError, decoding.ImageRefused) as error:
        return {"plate": None, "plate_state": None, "plate_state_confidence": 0.0, "confidence": 0.0,
                "verified": False,
                "error": str(error) if isinstance(error, decoding.ImageRefused) else f"Cannot open: {error.strerror}"}
    verified = bool(reading.plate) and reading.confidence >= current_app.config["OCR_CONFIDENCE_THRESHOLD"]
    return {"plate": reading.plate or None, "plate_state": reading.plate_state,
            "plate_state_confidence": round(reading.state_confidence, 4),
            "confidence": round(reading.confidence, 4), "verified": verified,
            **({"box": list(reading.box)} if reading.box else {})}


@reads.command("recognise")
@click.option("--json", "as_json", is_flag=True, help="One JSON object a line: file, plate, plate_state, "
                                                       "confidence, verified.")
@click.option("--crops", "crops_csv", type=click.File("r", encoding="utf-8-sig"),
              help="A CSV of plate boxes: file,x,y,w,h.")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
def recognise_command(as_json, crops_csv, files):
    """Read plates from images: plate boxes given by --crops, or whole vehicle photos."""
    if bool(crops_csv) == bool(files):
        raise click.UsageError("Give either --crops CSV or one or more photo files.")
    jobs = _crop_jobs(crops_csv) if crops_csv else [(name, name, None) for name in files]
    show_progress = len(jobs) > 20
    with click.progressbar(jobs, label="Reading plates", file=sys.stderr,
                           hidden=not show_progress) as progress:
        for name, path, box in progress:
            result = {"file": name, **_recognise_one(path, box)}
            if as_json:
                click.echo(json.dumps(result))
            else:
                click.echo(f"{result['file']}\t{result['plate'] or '-'}\t{result['plate_state'] or '-'}\t"
                           f"{result['confidence']:.2f}\t{'verified' if result['verified'] else 'to confirm'}"
                           + (f"\t{result['error']}" if "error" in result else ""))
