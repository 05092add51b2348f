"""Ingesting a batch of reads from one camera. The camera's credential fixes
where and whose: location and owner come from the registry, never from the
body. Each read is checked on its own; the response lists what was accepted,
what was already stored (a retry), and what was refused and why."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from flask import current_app
from sqlalchemy.dialects import sqlite

from hub.alerts.services import raise_alerts
from hub.cameras.models import Camera, CameraStatus
from hub.cameras.sharing import agency_retention_days
from hub.clock import utcnow
from hub.db_faults import with_conflict_retries
from hub.extensions import db
from hub.identity.actors import CameraActor
from hub.identity.roles import OrganisationKind
from hub.keys import services as data_keys
from hub.ledger.services import record
from hub.reads import decoding, images, plate_reader, plates
from hub.reads.classification import classify
from hub.reads.errors import BatchInvalid, CameraNotCollecting
from hub.reads.models import Read, new_read_id
from hub.reads.validation import CheckedRead, check_decoded, check_read
from hub.reads.wire import WireRead
from hub.retention.proof import count_collected
from hub.safe_at_home.services import drop_protected
from hub.suspension.services import Activity, require_use


STATE_CONFIDENCE = 0.5  # a state name read on the plate is kept from this probability


@dataclass
class Rejection:
    index: int
    read_id: str | None
    errors: dict


@dataclass
class IngestResult:
    accepted: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    alerts: int = 0


_COLUMNS = ("id", "captured_at", "camera_id", "organisation_id", "camera_read_id", "plate_sealed", "plate_hash",
            "key_id", "plate_state", "confidence", "verified", "recognised_by", "latitude", "longitude", "plate_image",
            "vehicle_image", "received_at", "classification")
_ARRAY_TYPES = ("bigint", "timestamp", "int", "int", "varchar", "bytea", "varchar", "int", "varchar", "float8", "bool",
                "varchar", "float8", "float8", "varchar", "varchar", "timestamp", "varchar")
# Built once from the constants above (column names and types, no input):
# the values go in as bound parameters.
_COLUMN_LIST = ", ".join(_COLUMNS)
_ARRAYS = ", ".join(f"%s::{t}[]" for t in _ARRAY_TYPES)
_UNNEST_SELECT = f"INSERT INTO reads ({_COLUMN_LIST}) SELECT * FROM unnest({_ARRAYS})"  # nosec B608
_UNNEST_INSERT = (_UNNEST_SELECT
                  + " ON CONFLICT (camera_id, camera_read_id, captured_at) DO NOTHING RETURNING camera_read_id")


def _utc_day(moment: datetime):
    return moment.astimezone(timezone.utc).date()


def _naive_utc(value):
    return value.astimezone(timezone.utc).replace(tzinfo=None) if isinstance(value, datetime) else value


def _insert(rows: list[dict]) -> set[str]:
    """Insert a batch, skipping reads already stored (a retry meets the unique
    key); the camera read ids that were new. On PostgreSQL one statement of
    fixed text takes the batch as arrays (`unnest`), so the server parses it
    once, whatever the batch size; elsewhere a multi-row INSERT."""
    if not rows:
        return set()
    if db.engine.dialect.name == "postgresql":
        arrays = [[_naive_utc(row[c]) for row in rows] for c in _COLUMNS]
        # Through SQLAlchemy, so that a connection broken under it is invalidated, not pooled again.
        return set(db.session.connection().exec_driver_sql(_UNNEST_INSERT, tuple(arrays)).scalars())
    statement = (sqlite.insert(Read.__table__).on_conflict_do_nothing(
        index_elements=["camera_id", "camera_read_id", "captured_at"]).returning(Read.__table__.c.camera_read_id))
    return set(db.session.execute(statement, rows).scalars())


@dataclass(frozen=True)
class Recognised:
    plate: str
    confidence: float
    source: str
    plate_state: str | None
    plate_crop: bytes | None = None  # the plate cut out of a whole vehicle photo


def _recognise(read: CheckedRead) -> Recognised:
    """The camera's plate text as sent, or the hub's own reading of the plate
    image (or of the vehicle photo, whose plate crop is then kept as the plate
    image). A state the hub reads on the plate is kept when the camera sent none."""
    if read.plate is not None:
        return Recognised(read.plate, read.confidence if read.confidence is not None else 1.0, "camera",
                          read.plate_state)
    name = "plate_image" if "plate_image" in read.images else "vehicle_image"
    try:
        image = decoding.decode(read.images[name])
    except decoding.ImageRefused:
        return Recognised("", 0.0, "ocr", read.plate_state)
    reading = (plate_reader.read_plate_image if name == "plate_image" else plate_reader.read_photo_image)(image)
    state = read.plate_state or (reading.plate_state if reading.state_confidence >= STATE_CONFIDENCE else None)
    return Recognised(reading.plate, reading.confidence, "ocr", state, reading.crop)


def ingest_batch(camera: Camera, raw_reads, *, uploads: list[dict] | None = None) -> IngestResult:
    """Store a batch, all of it or none: run again when it loses a deadlock
    to a concurrent batch (its images are stored by digest, so writing them
    again changes nothing). `raw_reads`: reads as `hub.reads.wire` decoded
    them, or of any shape (checked by hand, each bad field named)."""
    return with_conflict_retries(lambda: _ingest(camera, raw_reads, uploads=uploads), what="ingest")


def _ingest(camera: Camera, raw_reads, *, uploads: list[dict] | None) -> IngestResult:
    if camera.status is not CameraStatus.ACTIVE:
        raise CameraNotCollecting()
    if camera.organisation.kind is OrganisationKind.AGENCY:
        require_use(CameraActor(camera.id), Activity.COLLECT, subject=camera, cameras=[camera.id])
    config = current_app.config
    if not isinstance(raw_reads, list) or not raw_reads:
        raise BatchInvalid(errors={"reads": ["Send a non-empty list of reads."]})
    if len(raw_reads) > config["INGEST_MAX_READS"]:
        raise BatchInvalid(errors={"reads": [f"At most {config['INGEST_MAX_READS']} reads per batch."]})
    now = utcnow()
    oldest = now - timedelta(days=min(filter(None, [camera.retention_days, agency_retention_days()])))
    result = IngestResult()
    checked: list[CheckedRead] = []
    for index, raw in enumerate(raw_reads):
        limit = config["INGEST_MAX_IMAGE_BYTES"]
        if isinstance(raw, WireRead):
            read, errors = check_decoded(index, raw, now=now, oldest=oldest, image_limit=limit)
            read_id = raw.read_id
        else:
            read, errors = check_read(index, raw, now=now, oldest=oldest, image_limit=limit,
                                      uploaded=uploads[index] if uploads else None)
            read_id = raw.get("read_id") if isinstance(raw, dict) else None
        if read is None:
            result.rejected.append(Rejection(index, read_id, errors))
        else:
            checked.append(read)
    thresholds = {"ocr": config["OCR_CONFIDENCE_THRESHOLD"], "camera": config["CAMERA_CONFIDENCE_THRESHOLD"]}
    recognised = []
    for read in checked:
        reading = _recognise(read)
        if not plates.is_plate(reading.plate):
            image = "plate_image" if "plate_image" in read.images else "vehicle_image"
            result.rejected.append(Rejection(read.index, read.read_id, {
                image: ["No plate could be read from the image; send the plate text."]}))
            continue
        recognised.append((read, reading.plate, reading))
    kept, dropped = drop_protected(recognised)
    classification = classify(camera.organisation.kind).code
    day_keys = data_keys.keys_for_days(camera.organisation_id, {_utc_day(read.captured_at) for read, *_ in kept})
    rows, plate_of = [], {}
    for read, text, reading in kept:
        key = day_keys[_utc_day(read.captured_at)]
        if key is None:
            result.rejected.append(Rejection(read.index, read.read_id, {"captured_at": [
                "That day's data have been destroyed: a read of it can no longer be stored."]}))
            continue
        stored = {name: images.put(data, key) for name, data in read.images.items()}
        if reading.plate_crop is not None:
            stored["plate_image"] = images.put(reading.plate_crop, key)
        confidence = reading.confidence
        read_id = new_read_id()
        plate_of[read_id] = text
        rows.append({"id": read_id, "captured_at": read.captured_at, "camera_id": camera.id,
                     "organisation_id": camera.organisation_id, "camera_read_id": read.read_id,
                     "plate_sealed": key.seal(text.encode(), data_keys.read_aad(read_id)),
                     "plate_hash": key.plate_hash(text), "key_id": key.id,
                     "plate_state": reading.plate_state, "confidence": confidence,
                     "verified": confidence >= thresholds[reading.source], "recognised_by": reading.source,
                     "latitude": camera.latitude,
                     "longitude": camera.longitude, "plate_image": stored.get("plate_image"),
                     "vehicle_image": stored.get("vehicle_image"), "received_at": now,
                     "classification": classification})
    unique: dict[tuple, dict] = {}
    for row in rows:
        key = (row["camera_read_id"], row["captured_at"])
        if key in unique:
            result.duplicates.append(row["camera_read_id"])
        else:
            unique[key] = row
    new_ids = _insert(list(unique.values()))
    new_rows = [r for r in unique.values() if r["camera_read_id"] in new_ids]
    for row in unique.values():
        (result.accepted if row["camera_read_id"] in new_ids else result.duplicates).append(row["camera_read_id"])
    result.accepted += [read.read_id for read, *_ in dropped]  # a camera must not learn of a protected plate
    count_collected(new_rows)
    # Matching at ingest is the one use of the plate that needs no key: the text is still in hand.
    result.alerts = raise_alerts(camera, [{**r, "plate": plate_of[r["id"]]} for r in new_rows if r["verified"]])
    record("reads.ingested", actor=CameraActor(camera.id), subject=camera, cameras=[camera.id],
           details={"reads": len(new_rows) + len(dropped), "duplicates": len(result.duplicates),
                    "rejected": len(result.rejected), "unverified": sum(1 for r in new_rows if not r["verified"])})
    result.rejected.sort(key=lambda r: r.index)
    return result
