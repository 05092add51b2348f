"""Reads the hub could not read with confidence wait for a person: shown
with their plate image, confirmed (or corrected), and only then matched
against the hotlists. Who sees which waiting reads is the scope's answer
for verification: an officer sees those of cameras whose reads the agency
may see; the others wait for their owner or the agency's ALPR administrator."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from hub import paging
from hub.alerts.services import raise_alerts
from hub.cameras.models import Camera
from hub.errors import NotFound, ValidationFailed
from hub.extensions import db
from hub.keys import services as data_keys
from hub.ledger.services import record
from hub.reads import plates
from hub.reads.models import Read
from hub.scope import Purpose, scope_for


# The columns the page of waiting reads sorts by.
SORTS = {"time": paging.Sort("Time", (Read.captured_at,)), "camera": paging.Sort("Camera", (Read.camera_id,)),
         "confidence": paging.Sort("Confidence", (Read.confidence,))}


def _waiting(actor: Any):
    scope = scope_for(actor, Purpose.VERIFY)
    return select(Read).where(Read.verified.is_(False), scope.clause(Read.camera_id, Read.captured_at))


def _listed(actor: Any, reads: list[Read]) -> list[Read]:
    """The listed reads opened through the scope, and their listing ledgered."""
    reads = scope_for(actor, Purpose.VERIFY).open(reads)
    if reads:
        record("reads.unverified_listed", actor=actor, cameras=sorted({r.camera_id for r in reads}),
               details={"reads": len(reads)})
    return reads


def unverified_reads(actor: Any, *, limit: int = 50) -> list[Read]:
    return _listed(actor, list(db.session.scalars(_waiting(actor).order_by(Read.captured_at.desc()).limit(limit))))


def unverified_page(actor: Any, asked: paging.PageRequest) -> paging.Page:
    """One page of the reads waiting for this person, sorted as asked."""
    page = paging.paginate(_waiting(actor), asked, SORTS, Read.id)
    page.items = _listed(actor, page.items)
    return page


def confirm_read(actor: Any, read_id: int, *, plate: str) -> tuple[Read, int]:
    """The read with the plate a person saw on its image, and the alerts it raised."""
    scope = scope_for(actor, Purpose.VERIFY)
    read = db.session.scalars(select(Read).where(Read.id == read_id)).first()
    if read is None or not scope.includes(read.camera_id, read.captured_at):
        raise NotFound("No such read waits for you.")
    text = plates.normalise(plate)
    if not plates.is_plate(text):
        raise ValidationFailed(errors={"plate": ["A plate is 1 to 10 letters and digits."]})
    if read.verified:
        raise ValidationFailed(errors={"read": ["The read is already verified."]})
    corrected = text != scope.open([read])[0].plate
    if corrected:
        key = data_keys.handles({read.key_id})[read.key_id]
        read.plate_sealed, read.plate_hash = key.seal(text.encode(), data_keys.read_aad(read.id)), key.plate_hash(text)
        read.put_opened_plate(text)
    read.verified = True
    db.session.flush()
    record("read.confirmed", actor=actor, subject=("read", read.id), cameras=[read.camera_id],
           details={"corrected": corrected}, private={"plate": text})
    camera = db.session.get(Camera, read.camera_id)
    alerts = raise_alerts(camera, [{"id": read.id, "captured_at": read.captured_at, "plate": text,
                                    "plate_sealed": read.plate_sealed, "key_id": read.key_id,
                                    "plate_image": read.plate_image}])
    return read, alerts
