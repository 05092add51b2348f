"""What the public pages show, gathered in one place: the readers the public
may know of (owners by kind only), the latest signed checkpoint with its
witnesses, and whether the state has suspended the readers' use."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from hub.cameras.models import Camera, CameraStatus
from hub.extensions import db
from hub.ledger import signing, tree
from hub.ledger.errors import NoCheckpoint
from hub.ledger.models import LedgerCosignature, LedgerWitness
from hub.transparency.charts import MapPoint
from hub.transparency.log_of_use import public_owner

READER_KINDS = {"fixed": "fixed", "mobile": "mobile", "built_in": "built into another device"}


def public_cameras(camera_ids: list[int] | None = None) -> list[dict]:
    """The readers in use (or those named, retired ones included), as the public sees them."""
    query = select(Camera).options(selectinload(Camera.locations)).order_by(Camera.id)
    query = query.where(Camera.status != CameraStatus.RETIRED) if camera_ids is None else \
        query.where(Camera.id.in_(camera_ids))
    cameras = db.session.scalars(query)
    return [{"id": c.id, "owner": public_owner(c), "kind": READER_KINDS[c.reader_kind],
             "location": c.location_description, "latitude": c.latitude, "longitude": c.longitude,
             "last_heard_at": c.last_heard_at,
             "history": [(loc.description, loc.from_date, loc.to_date) for loc in c.locations]} for c in cameras]


def camera_exists(camera_id: int) -> bool:
    """Whether the registry has the reader (retired ones keep their log)."""
    return db.session.get(Camera, camera_id) is not None


def map_points(cameras: list[dict]) -> list[MapPoint]:
    return [MapPoint(c["id"], c["latitude"], c["longitude"], f"Reader {c['id']}: {c['location']} ({c['owner']})")
            for c in cameras]


@dataclass
class PublishedCheckpoint:
    note: str
    tree_size: int
    signed_at: str
    witnesses: list[str]  # the names of the witnesses that cosigned it
    keys: list[str]  # the log's verifier keys, then each trusted witness's


def published_checkpoint() -> PublishedCheckpoint | None:
    """The latest signed checkpoint as anyone may keep it, with the keys that
    check it: the log's own and those of the witnesses that cosign it."""
    try:
        checkpoint = tree.latest_checkpoint()
    except NoCheckpoint:
        return None
    cosigned = list(db.session.scalars(select(LedgerCosignature.witness)
                                       .where(LedgerCosignature.checkpoint_id == checkpoint.id)
                                       .order_by(LedgerCosignature.witness)))
    keys = [k.vkey for k in signing.verifier_keys()]
    keys += list(db.session.scalars(select(LedgerWitness.vkey).order_by(LedgerWitness.name)))
    return PublishedCheckpoint(tree.served_note(checkpoint), checkpoint.tree_size, checkpoint.created_at_text,
                               cosigned, keys)
