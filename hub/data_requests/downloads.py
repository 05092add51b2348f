"""Delivery of a release package: the requesting agency's people and its
client each get a link of their own, which expires and works once; every
download is ledgered as the dissemination it is, against the cameras whose
reads left the hub."""
from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from hub import secret_tokens
from hub.clock import utcnow
from hub.data_requests.errors import DataRequestConflict, DownloadRefused
from hub.data_requests.models import DataRequest, PackageDownload, RequestStatus
from hub.data_requests.services import get_request
from hub.errors import Refusal
from hub.extensions import db
from hub.identity.actors import RequestingClient
from hub.identity.permissions import require_capability
from hub.identity.roles import Capability
from hub.ledger.models import LedgerEntry
from hub.ledger.services import record
from hub.reads import images

LINK_MINUTES = 30


def recipient(actor: Any) -> str:
    return f"client:{actor.client_id}" if isinstance(actor, RequestingClient) else f"user:{actor.id}"


def downloaded(request: DataRequest, actor: Any) -> bool:
    """Whether this person or client has downloaded the package already."""
    return _downloaded(request, recipient(actor))


def _downloaded(request: DataRequest, who: str) -> bool:
    return db.session.scalar(select(PackageDownload.id).where(
        PackageDownload.request_id == request.id, PackageDownload.recipient == who,
        PackageDownload.used_at.is_not(None)).limit(1)) is not None


def available(request: DataRequest) -> bool:
    return request.status is RequestStatus.RELEASED and request.package_destroyed_at is None and \
        request.package_available_until is not None and request.package_available_until > utcnow()


def issue_link(actor: Any, request_id: int) -> tuple[PackageDownload, str]:
    """A link to the package for this person or client alone: it lasts
    LINK_MINUTES and works once; who has downloaded the package once gets no
    second link."""
    require_capability(actor, Capability.SUBMIT_DATA_REQUESTS, action="data_request.download")
    request = get_request(actor, request_id)
    who = recipient(actor)
    if not available(request):
        raise DataRequestConflict("No package of this request can be downloaded: it is not approved, or its "
                                  "download period is over.", errors={"status": [request.status.value]})
    if _downloaded(request, who):
        raise DataRequestConflict("You have downloaded this package already: each person or system downloads "
                                  "it once.", errors={"download": ["used"]},
                                  refusal=Refusal("data_request.download", actor, request, {"reason": "again"}))
    issued = secret_tokens.issue("hubdl")
    now = utcnow()
    link = PackageDownload(request_id=request.id, recipient=who, token_hash=secret_tokens.digest(issued.text),
                           issued_at=now, expires_at=now + timedelta(minutes=LINK_MINUTES))
    db.session.add(link)
    db.session.flush()
    record("data_request.download_link_issued", actor=actor, subject=request,
           details={"link_id": link.id, "expires_at": link.expires_at.isoformat()})
    return link, issued.text


def download(actor: Any, request_id: int, token: str) -> tuple[DataRequest, bytes]:
    """The package, once, to the one the link was made for, before it
    expires; the download is ledgered with the cameras released."""
    request = get_request(actor, request_id)
    link = db.session.scalar(select(PackageDownload).where(PackageDownload.token_hash == secret_tokens.digest(token)))
    problem = None
    if link is None or link.request_id != request.id or link.recipient != recipient(actor):
        problem = "This link is not yours, or not this request's."
    elif link.used_at is not None:
        problem = "This link was used already: each link works once."
    elif link.expires_at <= utcnow():
        problem = f"This link expired: links last {LINK_MINUTES} minutes."
    elif not available(request):
        problem = "The package's download period is over."
    if problem:
        raise DownloadRefused(problem, refusal=Refusal("data_request.download", actor, request, {"reason": problem}))
    link.used_at = utcnow()
    released = db.session.get(LedgerEntry, request.release_entry_id)
    record("data_request.package_downloaded", actor=actor, subject=request, case_number=request.case_number,
           cameras=json.loads(released.details).get("cameras", []),
           details={"link_id": link.id, "package_sha256": request.package_sha256, "recipient": link.recipient})
    return request, images.get(request.package_sha256)
