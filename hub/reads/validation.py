"""Checking one read from a camera: by hand, every check, for a read that
`hub.reads.wire` (msgspec) refused, naming each bad field; and for a read it
decoded, what no schema can say. Which fields may be collected at all is the
policy engine's answer (Minn. Stat. 13.824 subd. 2), not ours."""
from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from functools import lru_cache
from datetime import datetime, timedelta

from hub import policy
from hub.reads import decoding, plates
from policies.vocabulary import BOOLEAN

READ_COLLECT = policy.declare("read.collect", {"fields": None, "safe_at_home_participant": BOOLEAN,
                                               "active_investigation_hold": BOOLEAN})

CLOCK_SKEW = timedelta(minutes=5)
IMAGE_FIELDS = ("plate_image", "vehicle_image")


@dataclass
class CheckedRead:
    index: int
    read_id: str
    captured_at: datetime
    plate: str | None
    plate_state: str | None
    confidence: float | None
    images: dict[str, bytes] = field(default_factory=dict)


def _image(value, name: str, limit: int, errors: dict) -> bytes | None:
    if isinstance(value, (bytes, bytearray)):
        data = bytes(value)
    elif isinstance(value, str):
        try:
            data = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            errors[name] = ["Not valid base64."]
            return None
    else:
        errors[name] = ["Give the image as base64 text."]
        return None
    if len(data) > limit:
        errors[name] = [f"The image is {len(data):,} bytes; the limit is {limit:,}."]
        return None
    try:
        decoding.check(data)
    except decoding.ImageRefused as refusal:
        errors[name] = [str(refusal)]
        return None
    return data


def _time(value, now: datetime, oldest: datetime, errors: dict) -> datetime | None:
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00")) if isinstance(value, str) else None
    except ValueError:
        when = None
    if when is None or when.tzinfo is None:
        errors["captured_at"] = ["Give the time as ISO 8601 with a time zone, e.g. 2026-11-27T14:03:00Z."]
        return None
    if when > now + CLOCK_SKEW:
        errors["captured_at"] = ["The read is in the future: check the camera's clock."]
        return None
    if when < oldest:
        errors["captured_at"] = [f"The read is older than the retention period ({oldest:%Y-%m-%d}): "
                                 "it would have to be destroyed already."]
        return None
    return when


@lru_cache(maxsize=64)
def _collection_decision(engine, fields: tuple[str, ...]):
    """The policy's answer for a set of fields of a read whose plate no Safe at
    Home request names (those are asked about one by one), kept: a camera sends
    the same fields with every read, and a loaded engine's answer never changes."""
    return engine.decide(READ_COLLECT, {"fields": list(fields), "safe_at_home_participant": False,
                                        "active_investigation_hold": False})


def _collection_errors(fields) -> dict[str, list[str]]:
    """What the policy engine refuses among the fields a read holds, by field."""
    errors: dict[str, list[str]] = {}
    decision = _collection_decision(policy.engine(), tuple(sorted(fields)))
    policy.keep(decision)  # the batch's ledger entry names the rules that admitted or refused its fields
    for reason in decision.reasons:
        errors.setdefault(reason.field or "_read", []).append(f"{reason.message} ({reason.cite}).")
    return errors


def _plate(plate, errors: dict) -> str | None:
    if plate is not None:
        plate = plates.normalise(plate) if isinstance(plate, str) else None
        if not plate or not plates.is_plate(plate):
            errors["plate"] = ["A plate is 1 to 10 letters and digits."]
    return plate


def _state(state, errors: dict):
    if state is not None and not (isinstance(state, str) and len(state) == 2 and state.isalpha()):
        errors["plate_state"] = ["Use the two-letter state code."]
    return state


def _images(values: dict, image_limit: int, errors: dict) -> dict[str, bytes]:
    images = {}
    for name in IMAGE_FIELDS:
        value = values.get(name)
        if value is not None:
            checked = _image(value, name, image_limit, errors)
            if checked is not None:
                images[name] = checked
    return images


def _finish(index: int, read_id, captured_at, plate, state, confidence, images: dict,
            errors: dict) -> tuple[CheckedRead | None, dict]:
    if plate is None and not images and not (set(IMAGE_FIELDS) & set(errors)):
        errors["plate"] = ["Send the plate text, a plate image or a vehicle image."]
    if errors:
        return None, errors
    return CheckedRead(index, read_id, captured_at, plate, state.upper() if state else None,
                       float(confidence) if confidence is not None else None, images), {}


def check_read(index: int, raw, *, now: datetime, oldest: datetime, image_limit: int,
               uploaded: dict[str, bytes] | None = None) -> tuple[CheckedRead | None, dict]:
    """The read, or the errors that name each bad field: for a read of any
    shape (a body that `hub.reads.wire` refused, or a multipart form)."""
    if not isinstance(raw, dict):
        return None, {"_read": ["Each read is a JSON object."]}
    errors = _collection_errors({*raw, *(uploaded or {})})
    read_id = raw.get("read_id")
    if not isinstance(read_id, str) or not 1 <= len(read_id) <= 64:
        errors["read_id"] = ["Give the camera's own id for the read (1 to 64 characters)."]
    captured_at = _time(raw.get("captured_at"), now, oldest, errors)
    plate = _plate(raw.get("plate"), errors)
    state = _state(raw.get("plate_state"), errors)
    confidence = raw.get("confidence")
    if confidence is not None and (isinstance(confidence, bool) or not isinstance(confidence, (int, float))
                                   or not 0 <= confidence <= 1):
        errors["confidence"] = ["Confidence is a number from 0 to 1."]
    images = _images({name: (uploaded or {}).get(name, raw.get(name)) for name in IMAGE_FIELDS}, image_limit, errors)
    return _finish(index, read_id, captured_at, plate, state, confidence, images, errors)


def check_decoded(index: int, read, *, now: datetime, oldest: datetime,
                  image_limit: int) -> tuple[CheckedRead | None, dict]:
    """The same checks for a read that `hub.reads.wire` decoded: its types,
    lengths, range and fields are already known good, so what is left is what
    a schema cannot say (the policy's answer, the time, the plate, the images)."""
    present = read.present()
    errors = _collection_errors(present)
    captured_at = _time(read.captured_at, now, oldest, errors)
    plate = _plate(present.get("plate"), errors)
    state = _state(present.get("plate_state"), errors)
    images = _images(present, image_limit, errors)
    return _finish(index, read.read_id, captured_at, plate, state, present.get("confidence"), images, errors)
