"""The JSON body of `POST /api/v1/reads`, decoded and validated by msgspec
(compiled: the ingest path runs it for every request). A body it accepts has
only the statutory fields, each of the right type, length and range; the
checks that no schema can make (the policy engine's answer, the time, the
plate, the images) follow in `hub.reads.validation.check_decoded`. A body it
refuses goes through the hand-written checks instead, which name each bad
field of each read exactly as the API documents: those are the answers, and
msgspec only ever refuses what they refuse (tests/reads/test_wire.py)."""
from __future__ import annotations

from typing import Annotated

import msgspec
from msgspec import UNSET, Meta, UnsetType

ReadId = Annotated[str, Meta(min_length=1, max_length=64)]
Confidence = Annotated[float, Meta(ge=0, le=1)]


class WireRead(msgspec.Struct, forbid_unknown_fields=True):
    """One read. A field sent as null counts as sent (the policy engine is
    asked about every field a read holds), so absent is UNSET, not None."""
    read_id: ReadId
    captured_at: str
    plate: str | None | UnsetType = UNSET
    plate_state: str | None | UnsetType = UNSET
    confidence: Confidence | None | UnsetType = UNSET
    plate_image: str | None | UnsetType = UNSET
    vehicle_image: str | None | UnsetType = UNSET

    def present(self) -> dict:
        """The fields the camera sent, as it sent them."""
        return {name: value for name in self.__struct_fields__ if (value := getattr(self, name)) is not UNSET}


class WireBatch(msgspec.Struct, forbid_unknown_fields=True):
    reads: list[WireRead]


_DECODER = msgspec.json.Decoder(WireBatch)


def decode_batch(body: bytes) -> list[WireRead] | None:
    """The batch's reads, or None when the body is not a batch of
    well-formed reads (the caller then checks it by hand, for the errors)."""
    try:
        return _DECODER.decode(body).reads
    except (msgspec.ValidationError, msgspec.DecodeError):
        return None
