"""Release packages do not outlive their purpose. A package this hub made
is destroyed when its download period ends (the request, its decision and
its ledger entries stay on file); a package received from a neighbouring
hub is destroyed by the date its manifest states (Minn. Stat. 13.824 subd. 3
and 4(b)). Files go once the destruction commits, as the retention purge
removes read images."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from hub.clock import utcnow
from hub.db import unit_of_work
from hub.data_requests.models import DataRequest, ReceivedRelease
from hub.extensions import db
from hub.ledger.services import record
from hub.retention.purge import remove_all_tombstoned_images, tombstone


def mark_due_packages(actor: Any) -> tuple[int, int]:
    """Destroy, in the caller's unit of work, the packages whose time is up:
    (made here, received); their files are tombstoned for removal."""
    now = utcnow()
    made = list(db.session.scalars(select(DataRequest).where(
        DataRequest.package_sha256.is_not(None), DataRequest.package_destroyed_at.is_(None),
        DataRequest.package_available_until <= now)))
    for request in made:
        tombstone({request.package_sha256})
        request.package_destroyed_at = now
        record("data_request.package_destroyed", actor=actor, subject=request,
               details={"package_sha256": request.package_sha256, "reads": request.reads_released})
    kept = list(db.session.scalars(select(ReceivedRelease).where(
        ReceivedRelease.package_sha256.is_not(None), ReceivedRelease.destroyed_at.is_(None),
        ReceivedRelease.destroy_by <= now)))
    for release in kept:
        tombstone({release.package_sha256})
        release.destroyed_at = now
        record("data_request.received_destroyed", actor=actor, subject=release,
               details={"origin": release.peer_origin, "remote_request_id": release.remote_request_id,
                        "package_sha256": release.package_sha256, "reads": release.reads,
                        "destroy_by": release.destroy_by.isoformat()})
    return len(made), len(kept)


def destroy_due_packages(actor: Any) -> str:
    """The scheduled job: destroy what is due, then remove the files."""
    with unit_of_work():
        made, kept = mark_due_packages(actor)
    remove_all_tombstoned_images()
    return f"{made} package(s) made here and {kept} received destroyed"
