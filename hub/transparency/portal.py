"""What the public pages show, gathered in one place: the readers the public
may know of (owners by kind only), the latest signed checkpoint with its
witnesses, and whether the state has suspended the readers' use."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select

from hub.cameras.models import Camera, CameraLocation, CameraStatus
from hub.identity.models import Organisation
from hub.extensions import db
from hub.ledger import signing, tree
from hub.ledger.errors import NoCheckpoint
from hub.ledger.models import LedgerCosignature, LedgerWitness
from hub.transparency.charts import MapPoint
from hub.transparency.log_of_use import OWNER_KINDS

READER_KINDS = {"fixed": "fixed", "mobile": "mobile", "built_in": "built into another device"}


def public_cameras(camera_ids: list[int] | None = None) -> list[dict]:
    """The readers in use (or those named, retired ones included), as the
    public sees them; read as plain rows, since the home page lists them all."""
    query = (select(Camera.id, Organisation.kind, Camera.fixed, Camera.built_in, Camera.location_description,
                    Camera.latitude, Camera.longitude).join(Organisation, Organisation.id == Camera.organisation_id)
             .order_by(Camera.id))
    query = query.where(Camera.status != CameraStatus.RETIRED) if camera_ids is None else \
        query.where(Camera.id.in_(camera_ids))
    cameras = db.session.execute(query).all()
    history = defaultdict(list)
    places = select(CameraLocation.camera_id, CameraLocation.description, CameraLocation.from_date,
                    CameraLocation.to_date).order_by(CameraLocation.camera_id, CameraLocation.from_date.desc(),
                                                     CameraLocation.id.desc())
    if camera_ids is not None:
        places = places.where(CameraLocation.camera_id.in_(camera_ids))
    for camera_id, description, since, until in db.session.execute(places):
        history[camera_id].append((description, since, until))
    return [{"id": c.id, "owner": OWNER_KINDS.get(c.kind, "Other"),
             "kind": READER_KINDS[Camera.kind_of(fixed=c.fixed, built_in=c.built_in)],
             "location": c.location_description, "latitude": c.latitude, "longitude": c.longitude,
             "history": history[c.id]} for c in cameras]


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
