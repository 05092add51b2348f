"""Written requests that arrive as scanned letters (PDF, PNG or JPEG). The
letter is read (`letters.read_letter`) to pre-fill the five elements, and
kept as received, encrypted in the store under its SHA-256, with an image
of each page. Nothing read from a scan goes on by itself: records staff (or
a hub administrator) confirm every field against the page images, and only
then is the request routed, by the same rules as any other. A file that
cannot be read is refused as a whole, and nothing is created."""
from __future__ import annotations

import json
from pathlib import PurePath
from typing import Any

from hub.clock import utcnow
from hub.data_requests.errors import DataRequestConflict, DataRequestInvalid
from hub.data_requests.letters import FIELD_NAMES, LetterRejected, read_letter
from hub.data_requests.models import Channel, DataRequest, RequestStatus
from hub.data_requests.schemas import LIMITS
from hub.data_requests.services import Asked, organisation_of, route, validated_asked
from hub.errors import Forbidden, Refusal
from hub.extensions import db
from hub.identity.models import User
from hub.identity.permissions import require_capability
from hub.identity.roles import Capability
from hub.ledger.services import record
from hub.reads import images


def receive_letter(actor: Any, data: bytes, filename: str, asked: Asked) -> DataRequest:
    """A requester's scanned letter, with what it asks for (plates, window,
    category) given beside it; the request waits for its fields to be
    confirmed. The letter is read only once the rest is sound."""
    require_capability(actor, Capability.SUBMIT_DATA_REQUESTS, action="data_request.submit")
    organisation = organisation_of(actor)
    if not organisation.kind.is_outside:
        raise Forbidden("Requests come from outside agencies.", refusal=Refusal("data_request.submit", actor))
    asked = asked.cleaned()
    errors, plates, cameras = validated_asked(asked, organisation)
    reading = None
    if not errors:
        try:
            reading = read_letter(data, filename)
        except LetterRejected as rejected:
            errors["letter"] = [rejected.message]
    if errors:
        raise DataRequestInvalid(errors=errors, refusal=Refusal("data_request.submit", actor, organisation,
                                                                {"channel": "letter", "fields": sorted(errors)}))
    read = {name: (reading.fields[name].value or "")[:LIMITS[name]] for name in FIELD_NAMES}
    request = DataRequest(
        organisation_id=organisation.id, submitted_by_id=actor.id if isinstance(actor, User) else None,
        channel=Channel.LETTER, status=RequestStatus.AWAITING_REVIEW, created_at=utcnow(), **read,
        offense_type=asked.offense_type, out_of_state_declaration=asked.out_of_state_declaration,
        recipient_state=organisation.state, plates=",".join(plates), camera_ids=",".join(map(str, cameras)),
        window_start=asked.window_start, window_end=asked.window_end, follows_request_id=asked.follows_request_id,
        letter_sha256=images.put(data), letter_media_type=reading.media_type,
        letter_filename=PurePath(filename or "letter").name[:200], letter_pages=reading.page_count,
        letter_text=reading.text,
        letter_fields=json.dumps({"fields": {name: {"found": f.found, "evidence": f.evidence, "page": f.page}
                                             for name, f in reading.fields.items()},
                                  "pages": [images.put(page) for page in reading.page_images]}))
    db.session.add(request)
    db.session.flush()
    record("data_request.letter_received", actor=actor, subject=request, case_number=request.case_number or None,
           purpose=request.offense_type, private={"plates": plates},
           details={"channel": "letter", "status": request.status.value, "organisation_id": organisation.id,
                    "letter_sha256": request.letter_sha256, "media_type": reading.media_type,
                    "pages": reading.page_count, "not_found": list(reading.missing)})
    return request


def reading_of(request: DataRequest) -> dict:
    """What the reading found, field by field, and the page images' digests."""
    return json.loads(request.letter_fields) if request.letter_fields else {"fields": {}, "pages": []}


def original(request: DataRequest) -> bytes:
    if not request.letter_sha256:
        raise DataRequestInvalid(errors={"letter": ["This request did not come as a letter."]})
    return images.get(request.letter_sha256)


def page_image(request: DataRequest, page: int) -> bytes:
    pages = reading_of(request)["pages"]
    if not 1 <= page <= len(pages):
        raise DataRequestInvalid(errors={"page": [f"The letter has {len(pages)} page(s)."]})
    return images.get(pages[page - 1])


def confirm_letter(actor: Any, request: DataRequest, asked: Asked) -> DataRequest:
    """Records staff confirm (or correct) every field against the letter's
    images; the request is then routed as any written request is: a missing
    element is named beside its field, and nothing changes."""
    require_capability(actor, Capability.HANDLE_RECORDS_REQUESTS, action="data_request.review_letter",
                       subject=request)
    if request.status is not RequestStatus.AWAITING_REVIEW:
        raise DataRequestConflict(f"Request {request.id} is {request.status_words}.")
    asked = asked.cleaned()
    status, plates, cameras = route(actor, asked, request.organisation)
    corrected = sorted(name for name in (*FIELD_NAMES, "offense_type")
                       if getattr(request, name) != getattr(asked, name))
    for name in (*FIELD_NAMES, "offense_type", "out_of_state_declaration"):
        setattr(request, name, getattr(asked, name))
    request.plates, request.camera_ids = ",".join(plates), ",".join(map(str, cameras))
    request.window_start, request.window_end = asked.window_start, asked.window_end
    request.status, request.reviewed_by_id, request.reviewed_at = status, actor.id, utcnow()
    record("data_request.letter_confirmed", actor=actor, subject=request, case_number=request.case_number,
           purpose=request.offense_type, private={"plates": plates},
           details={"status": status.value, "corrected": corrected, "letter_sha256": request.letter_sha256})
    return request
