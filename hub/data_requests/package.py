"""The release package a requesting agency receives, and its verification.

A ZIP with the reads (CSV, through the hub's one CSV writer, and JSON), their
images, a notice in words, and `manifest.json`: the SHA-256 of every file,
the classification and the destruction obligation the recipient inherits
(Minn. Stat. 13.824 subd. 2(b), 3 and 4(b)), and the ledger entries of the
request (its submission, preparation, decision and this release) each with
an inclusion proof against the signed checkpoint carried beside them.
`manifest.sig` is a signed note (C2SP signed-note) by the hub's ledger key
over the manifest's SHA-256, so the whole package is checked with the
hub's public key alone. Building needs no database; verifying needs only
the verifier keys."""
from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable, Iterable

from hub import csv_export
from hub.ledger import verifier

FORMAT = "alpr-hub release package 1"
MANIFEST, SIGNATURE = "manifest.json", "manifest.sig"
CLASSIFICATION = "private data on individuals"
CLASSIFICATION_CITE = "Minn. Stat. 13.824 subd. 2(b)"
CSV_HEADER = ["read_id", "captured_at_utc", "plate", "plate_state", "verified", "camera_id", "camera", "owner",
              "latitude", "longitude", "plate_image", "vehicle_image", "destroy_by_utc"]
IMAGE_TYPES = ((b"\xff\xd8\xff", "jpg"), (b"\x89PNG\r\n\x1a\n", "png"), (b"RIFF", "webp"))


@dataclass(frozen=True)
class ReleasedRead:
    id: int
    captured_at: datetime
    plate: str
    plate_state: str | None
    verified: bool
    camera_id: int
    camera: str
    owner: str
    latitude: float
    longitude: float
    plate_image: str | None
    vehicle_image: str | None


def utc_text(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _image_name(digest: str, data: bytes) -> str:
    extension = next((ext for magic, ext in IMAGE_TYPES if data.startswith(magic)), "bin")
    return f"images/{digest}.{extension}"


def data_files(reads: list[ReleasedRead], *, retention_days: int,
               open_images: Callable[[list[str]], dict[str, bytes]]) -> tuple[dict[str, bytes], dict[str, str]]:
    """The data of a release: reads.csv, reads.json and each image once
    (`open_images` opens them from the store by name, through the scope),
    and each file's SHA-256 (an image is named in the package by it, never
    by its name in the store, which is keyed by its owner's data key). Each read carries the
    date by which it is destroyed unless tied to an active investigation."""
    digests = sorted({d for r in reads for d in (r.plate_image, r.vehicle_image) if d})
    opened = open_images(digests) if digests else {}
    files: dict[str, bytes] = {}
    hashes: dict[str, str] = {}
    names: dict[str, str] = {}
    for digest in digests:
        content = sha256(opened[digest])
        names[digest] = _image_name(content, opened[digest])
        files[names[digest]], hashes[names[digest]] = opened[digest], content
    keep = timedelta(days=retention_days)
    rows = [[r.id, utc_text(r.captured_at), r.plate, r.plate_state or "", "yes" if r.verified else "no", r.camera_id,
             r.camera, r.owner, f"{r.latitude:.6f}", f"{r.longitude:.6f}", names.get(r.plate_image, ""),
             names.get(r.vehicle_image, ""), utc_text(r.captured_at + keep)] for r in reads]
    files["reads.csv"] = csv_export.to_csv(CSV_HEADER, rows).encode("utf-8")
    files["reads.json"] = json.dumps([dict(zip(CSV_HEADER, row)) for row in rows], separators=(",", ":")).encode()
    for name in ("reads.csv", "reads.json"):
        hashes[name] = sha256(files[name])
    return dict(sorted(files.items())), dict(sorted(hashes.items()))


def destruction(reads: list[ReleasedRead], retention_days: int, cite: str) -> dict:
    earliest = min((r.captured_at for r in reads), default=None)
    return {
        "obligation": (f"The receiving agency keeps these data under the classification, destruction and security "
                       f"requirements of Minn. Stat. 13.824 (subd. 4(b)): each read not related to an active "
                       f"criminal investigation is destroyed no later than {retention_days} days after it was "
                       f"collected (its destroy_by date), and none is shared further except as the statute allows."),
        "cite": cite, "retention_days": retention_days,
        "destroy_by": utc_text(earliest + timedelta(days=retention_days)) if earliest else None,
    }


def notice(manifest: dict) -> bytes:
    request, destroy = manifest["request"], manifest["destruction"]
    lines = [f"ALPR data released by {manifest['origin']} to {request['agency']} (request {request['id']}, "
             f"case {request['case_number']}).", "",
             f"Classification: {manifest['classification']['class']} ({manifest['classification']['cite']}).", "",
             destroy["obligation"], f"The earliest read must be destroyed by {destroy['destroy_by']} UTC.", "",
             "Check this package with the sending hub's public key: manifest.sig signs the SHA-256 of "
             "manifest.json, which lists the SHA-256 of every file and the ledger entries of the request with "
             "their inclusion proofs."]
    return "\n".join(lines).encode("utf-8") + b"\n"


def signed_body(origin: str, request_id: int, manifest_digest: str) -> str:
    return f"{FORMAT}\n{origin}\nrequest {request_id}\nmanifest sha256 {manifest_digest}\n"


def assemble(files: dict[str, bytes], hashes: dict[str, str], manifest: dict,
             sign: Callable[[str], verifier.NoteSignature]) -> tuple[bytes, str]:
    """The ZIP: the data files (`hashes`: their SHA-256), the notice, the
    manifest listing every file's SHA-256, and the signature over the
    manifest; and the manifest's SHA-256."""
    files = {**files, "NOTICE.txt": notice(manifest)}
    hashes = {**hashes, "NOTICE.txt": sha256(files["NOTICE.txt"])}
    manifest = {**manifest, "files": [{"name": name, "sha256": hashes[name], "bytes": len(data)}
                                      for name, data in sorted(files.items())]}
    manifest_bytes = json.dumps(manifest, indent=1, sort_keys=True).encode("utf-8")
    body = signed_body(manifest["origin"], manifest["request"]["id"], sha256(manifest_bytes))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, data in sorted(files.items()):
            archive.writestr(name, data)
        archive.writestr(MANIFEST, manifest_bytes)
        archive.writestr(SIGNATURE, body + "\n" + sign(body).line)
    return out.getvalue(), sha256(manifest_bytes)


@dataclass
class Verified:
    manifest: dict
    files: dict[str, bytes]


class PackageInvalid(ValueError):
    """What is wrong with a package: one problem a line."""


def _signed_manifest(archive: zipfile.ZipFile, keys: list[verifier.VerifierKey], origin: str | None) -> dict:
    try:
        manifest_bytes, signature = archive.read(MANIFEST), archive.read(SIGNATURE).decode("utf-8")
        body, _ = verifier.open_note(signature, keys)
        manifest = json.loads(manifest_bytes)
    except KeyError as missing:
        raise PackageInvalid(f"the package has no {missing}") from None
    except (verifier.NoteError, UnicodeDecodeError, ValueError) as error:
        raise PackageInvalid(f"the signature does not verify with the sending hub's key: {error}") from None
    if body != signed_body(manifest.get("origin", ""), manifest.get("request", {}).get("id"), sha256(manifest_bytes)):
        raise PackageInvalid("the signature is not over this manifest")
    if origin and manifest["origin"] != origin:
        raise PackageInvalid(f"the package comes from {manifest['origin']}, not {origin}")
    return manifest


def _proof_problems(manifest: dict, keys: list[verifier.VerifierKey], files: dict[str, bytes]) -> list[str]:
    problems = []
    entries = manifest.get("ledger", {}).get("entries", [])
    for item in entries:
        problems += [f"ledger entry {item['id']}: {p}" for p in
                     verifier.verify_proof_document(item["proof"], keys, manifest["origin"])]
        if item["proof"]["entry"]["id"] != item["id"]:
            problems.append(f"ledger entry {item['id']}: the proof is for entry {item['proof']['entry']['id']}")
    released = next((item for item in entries if item["action"] == "data_request.released"), None)
    if released is None:
        return problems + ["the package carries no ledger entry of its release"]
    recorded = json.loads(released["proof"]["entry"]["details"]).get("files", {})
    data = {name: sha256(content) for name, content in files.items() if name != "NOTICE.txt"}
    if recorded != data:
        problems.append("the data files are not those the ledger entry of the release records")
    return problems


def verify(package: bytes, keys: Iterable[verifier.VerifierKey], origin: str | None = None) -> Verified:
    """The package's manifest and files once every check holds: the
    signature by the sending hub's key, every file's SHA-256 and nothing
    beside them, the inclusion proof of each ledger entry, and the release's
    entry recording exactly these data files. PackageInvalid otherwise."""
    keys = list(keys)
    try:
        archive = zipfile.ZipFile(io.BytesIO(package))
    except zipfile.BadZipFile:
        raise PackageInvalid("the package is not a ZIP file") from None
    with archive:
        manifest = _signed_manifest(archive, keys, origin)
        listed = {item["name"]: item["sha256"] for item in manifest.get("files", [])}
        present = set(archive.namelist()) - {MANIFEST, SIGNATURE}
        problems = [f"{name}: not listed in the manifest" for name in sorted(present - set(listed))]
        problems += [f"{name}: missing" for name in sorted(set(listed) - present)]
        files = {name: archive.read(name) for name in sorted(present & set(listed))}
    problems += [f"{name}: its SHA-256 does not match the manifest" for name, data in files.items()
                 if sha256(data) != listed[name]]
    if not problems:
        problems = _proof_problems(manifest, keys, files)
    if problems:
        raise PackageInvalid("; ".join(problems))
    return Verified(manifest, files)
