"""The release of an approved request: the approved search runs through the
search code, in the scope of the approving chief (the agency's cameras and
standing shares, never a partner's grant); its result is ledgered as a
dissemination to the requesting agency, and the signed package is made, all
in the unit of work of the decision.

The ledger entries the package proves must be sealed into a signed
checkpoint first: the release seals the ledger itself, inside its own unit
of work (the sealer's lock makes that safe beside the scheduler's), so the
package carries proofs that hold the moment it exists. Should anything fail,
nothing of it stays: no decision, no entry, no checkpoint, no package."""
from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import Any, Callable

from flask import current_app
from sqlalchemy import select

from hub import policy
from hub.cameras.models import Camera
from hub.clock import utcnow
from hub.data_requests import history, package
from hub.data_requests.errors import DataRequestInvalid
from hub.data_requests.models import DataRequest, RequestStatus
from hub.extensions import db
from hub.identity.models import Organisation
from hub.ledger import signing, tree, verifier
from hub.ledger.services import record
from hub.reads import images
from hub.search.services import disseminate

RELEASE_LIMIT = 10_000
ImageOpener = Callable[[list[str]], dict[str, bytes]]  # images by their names in the store
PACKAGE_DAYS = 14  # how long the requesting agency may download it; the request itself stays on file


def retention() -> tuple[int, str]:
    """The destruction rule the recipient inherits: the state's (Minn. Stat.
    13.824 subd. 3 binds every agency; the sending agency's shorter period
    is its own choice), as the state pack says it."""
    engine = policy.engine()
    rules = [r for r in engine.state.rules if r.action == "read.retain" and "retention_days" in r.obligations]
    rule = min(rules, key=lambda r: r.obligations["retention_days"])
    return rule.obligations["retention_days"], rule.cite


def released_reads(actor: Any, request: DataRequest) -> tuple[list[package.ReleasedRead], list[int], ImageOpener]:
    """The approved search, one plate at a time, through the search code;
    the reads (each once, their plates opened through the search's scope),
    the cameras searched, and the opener of their images (through the same
    scope)."""
    results = disseminate(actor, plates=request.approved_plate_list, start=request.approved_start,
                          end=request.approved_end, cameras=request.approved_cameras, reason=request.offense_type,
                          case_number=request.case_number, basis=request.factual_basis,
                          action="data_request.release", limit=RELEASE_LIMIT)
    if any(result.total > len(result.reads) for result in results):
        raise DataRequestInvalid(errors={"plates": [f"More than {RELEASE_LIMIT:,} reads: approve a narrower search."]})
    reads = {r.id: r for result in results for r in result.reads}
    owners = {digest: (result.scope, r) for result in results for r in result.reads
              for digest in (r.plate_image, r.vehicle_image) if digest}
    searched = sorted({c.id for result in results for c in result.cameras_searched})
    cameras = {c.id: (c.name, owner) for c, owner in db.session.execute(
        select(Camera, Organisation.name).join(Organisation, Organisation.id == Camera.organisation_id)
        .where(Camera.id.in_({r.camera_id for r in reads.values()})))} if reads else {}

    def open_images(digests: list[str]) -> dict[str, bytes]:
        scopes, wanted = {}, defaultdict(list)
        for digest in digests:
            scope, read = owners[digest]
            scopes[id(scope)] = scope
            wanted[id(scope)].append((read, digest))
        return {name: data for key, pairs in wanted.items() for name, data in scopes[key].images(pairs).items()}

    return [package.ReleasedRead(r.id, r.captured_at, r.plate, r.plate_state, r.verified, r.camera_id,
                                 cameras[r.camera_id][0], cameras[r.camera_id][1], r.latitude, r.longitude,
                                 r.plate_image, r.vehicle_image)
            for r in sorted(reads.values(), key=lambda r: (r.captured_at, r.id))], searched, open_images


def manifest(request: DataRequest, reads: list[package.ReleasedRead], days: int, cite: str) -> dict:
    """Everything but the file list, which `package.assemble` adds."""
    entries = history.entries(request)
    return {
        "format": package.FORMAT, "origin": signing.origin(), "hub": current_app.config["BASE_URL"],
        "released_at": package.utc_text(request.released_at), "reads": len(reads),
        "request": {"id": request.id, "agency": request.organisation.name, "agency_name": request.agency_name,
                    "requester_name": request.requester_name, "case_number": request.case_number,
                    "purpose": request.purpose, "offense_type": request.offense_type,
                    "decision": request.decision.value, "decided_at": package.utc_text(request.decided_at),
                    "finding": request.finding},
        "classification": {"class": package.CLASSIFICATION, "cite": package.CLASSIFICATION_CITE},
        "destruction": package.destruction(reads, days, cite),
        "ledger": {"origin": signing.origin(), "verifier_keys": [k.vkey for k in signing.verifier_keys()],
                   "checkpoint": tree.served_note(tree.latest_checkpoint()),
                   "entries": [{"id": e.id, "action": e.action, "proof": tree.inclusion_proof(e.id)}
                               for e in entries if not e.action.endswith(".refused")]},
    }


def release(actor: Any, request: DataRequest) -> DataRequest:
    """Run the approved search, then package what it found."""
    reads, searched, open_images = released_reads(actor, request)
    return package_reads(actor, request, reads, searched, open_images)


def package_reads(actor: Any, request: DataRequest, reads: list[package.ReleasedRead],
                  searched: list[int], open_images: ImageOpener) -> DataRequest:
    """Ledger the dissemination, seal, and make the signed package (kept
    encrypted in the store under its SHA-256)."""
    days, cite = retention()
    files, hashes = package.data_files(reads, retention_days=days, open_images=open_images)
    now = utcnow()
    request.released_at, request.reads_released, request.status = now, len(reads), RequestStatus.RELEASED
    request.package_available_until = now + timedelta(days=PACKAGE_DAYS)
    hit = sorted({r.camera_id for r in reads})
    receipt = record("data_request.released", actor=actor, subject=request, case_number=request.case_number,
                     purpose=request.offense_type, private={"plates": request.approved_plate_list}, cameras=hit,
                     details={"recipient": {"id": request.organisation_id, "name": request.organisation.name},
                              "reads": len(reads), "cameras_searched": searched, "status": request.status.value,
                              "files": hashes})
    request.release_entry_id = receipt.entry_id
    tree.seal_and_checkpoint()
    made, request.manifest_sha256 = package.assemble(
        files, hashes, manifest(request, reads, days, cite),
        lambda body: verifier.sign_note(body, signing.origin(), signing.signing_key()))
    request.package_sha256 = images.put(made)
    return request
