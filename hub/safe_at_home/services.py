"""Safe at Home: on a participant's written request, the reads of their
vehicle are destroyed, and later reads of it are dropped at collection,
unless an active criminal investigation holds the plate (Minn. Stat. 13.824
subd. 3). The plate itself is never kept: only its keyed hash."""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import delete, select

from hub import policy
from hub.alerts.models import Alert
from hub.clock import utcnow
from hub.errors import ValidationFailed
from hub.extensions import db
from hub.identity.access import require_data_access
from hub.identity.models import User
from hub.keys import services as data_keys
from hub.identity.permissions import require_capability
from hub.identity.roles import Capability
from hub.ledger.models import LedgerPrivateDetail
from hub.ledger.services import erase_private_details, record
from hub.reads import images, plates
from hub.reads.models import Read
from hub.reads.validation import READ_COLLECT
from hub.safe_at_home.models import SafeAtHomeRequest

DOCUMENT_TYPES = {"application/pdf": b"%PDF-", "image/png": b"\x89PNG\r\n\x1a\n", "image/jpeg": b"\xff\xd8\xff"}
SAFE_AT_HOME_REQUEST = policy.declare("safe_at_home.request", {"request_document": None, "plate": None})


def _active_requests(hashes: set[str]) -> dict[str, int]:
    if not hashes:
        return {}
    return dict(db.session.execute(select(SafeAtHomeRequest.plate_hash, SafeAtHomeRequest.id).where(
        SafeAtHomeRequest.plate_hash.in_(hashes), SafeAtHomeRequest.withdrawn_at.is_(None))).all())


def held_hashes(hashes: set[str]) -> set[str]:
    from hub.retention.services import plate_holds

    return plate_holds(hashes)


def _collected_fields(read) -> list[str]:
    return ["read_id", "plate", "captured_at", *sorted(read.images)]


def drop_protected(recognised: list[tuple]) -> tuple[list, list]:
    """Split reads (read, plate text, …) into those kept and those dropped at
    collection, as the collection rule decides for a participant's plate;
    each drop is ledgered against its request, without the plate."""
    hashes = [plates.keyed_hash(item[1]) for item in recognised]
    protected = _active_requests(set(hashes))
    if not protected:
        return recognised, []
    held = held_hashes(set(protected))
    dropping = [h in protected and not policy.decide(READ_COLLECT, {
        "fields": _collected_fields(item[0]), "safe_at_home_participant": True,
        "active_investigation_hold": h in held}).allowed for item, h in zip(recognised, hashes)]
    for plate_hash in {h for h, drop in zip(hashes, dropping) if drop}:
        record("reads.destroyed_at_collection", actor=None, subject=("safe_at_home_request", protected[plate_hash]),
               details={"reads": hashes.count(plate_hash)})
    return ([item for item, drop in zip(recognised, dropping) if not drop],
            [item for item, drop in zip(recognised, dropping) if drop])


def _destroy_stored(plate: str) -> tuple[int, int]:
    """Reads and alerts of the plate that no hold keeps, their images (removed
    from the store once this commits, like every destruction), and any private
    ledger details that name the plate: (reads, alerts) destroyed."""
    from hub.alerts.models import WebhookDelivery
    from hub.retention.purge import held, tombstone

    hashes = data_keys.plate_hashes([plate], data_keys.live_keys())
    gone = db.session.execute(delete(Read).where(Read.plate_hash.in_(hashes), ~held())
                              .returning(Read.id, Read.plate_image, Read.vehicle_image)).all()
    ids = [row.id for row in gone]
    alert_ids = list(db.session.scalars(select(Alert.id).where(Alert.read_id.in_(ids)))) if ids else []
    if alert_ids:
        db.session.execute(delete(WebhookDelivery).where(WebhookDelivery.alert_id.in_(alert_ids)))
        db.session.execute(delete(Alert).where(Alert.id.in_(alert_ids)))
    tombstone({d for row in gone for d in (row.plate_image, row.vehicle_image) if d})
    mentions = list(db.session.scalars(select(LedgerPrivateDetail.entry_id).where(
        LedgerPrivateDetail.content.contains(f'"{plate}"'))))
    if mentions:
        erase_private_details(None, mentions, reason="Safe at Home destruction request")
    return len(ids), len(alert_ids)


def record_request(actor: Any, *, plate: str, received_on: date, document: bytes, document_type: str,
                   reference: str) -> SafeAtHomeRequest:
    require_capability(actor, Capability.MANAGE_SAFE_AT_HOME, action="safe_at_home.record")
    if isinstance(actor, User):
        require_data_access(actor)  # destroying ALPR data is reaching it
    normal = plates.normalise(plate)
    errors = {}
    if not plates.is_plate(normal):
        errors["plate"] = ["A plate is 1 to 10 letters and digits."]
    if not document:
        errors["document"] = ["Attach the participant's written request."]
    elif document_type not in DOCUMENT_TYPES or not document.startswith(DOCUMENT_TYPES[document_type]):
        errors["document"] = ["The request must be a PDF, PNG or JPEG file (this file is not what its name says)."]
    elif plates.is_plate(normal) and _active_requests({plates.keyed_hash(normal)}):
        errors["plate"] = ["A request for this plate is already on file: its reads are already destroyed and "
                           "future ones dropped."]
    if received_on > utcnow().date():
        errors["received_on"] = ["The date received cannot be in the future."]
    if not reference.strip():
        errors["reference"] = ["Give the program's participant or letter reference."]
    if errors:
        raise ValidationFailed(errors=errors)
    policy.require(SAFE_AT_HOME_REQUEST, {"request_document": "attached" if document else None, "plate": normal}, actor=actor)
    request = SafeAtHomeRequest(plate_hash=plates.keyed_hash(normal), received_on=received_on,
                                document=images.put(document), document_type=document_type,
                                reference=reference.strip(), created_by_id=getattr(actor, "id", None),
                                created_at=utcnow())
    db.session.add(request)
    db.session.flush()
    reads, alerts = _destroy_stored(normal)
    request.reads_destroyed = reads
    record("safe_at_home.request_recorded", actor=actor, subject=request,
           details={"reads_destroyed": reads, "alerts_destroyed": alerts})
    return request


def list_requests(actor: Any) -> list[SafeAtHomeRequest]:
    require_capability(actor, Capability.MANAGE_SAFE_AT_HOME, action="safe_at_home.list")
    return list(db.session.scalars(select(SafeAtHomeRequest).order_by(SafeAtHomeRequest.created_at.desc())))
