"""This hub as the requesting side, machine to machine (DESIGN.md 6: each
agency runs its own hub; hubs exchange written requests and signed release
packages, and witness each other's ledgers).

A neighbouring hub is a peer once this hub follows its ledger as a witness
(its public keys, and the checkpoints this hub cosigned). This hub submits
requests there with its client credentials, takes the signed decision
webhook, and fetches the package: its signature, every file's hash and every
inclusion proof are checked with the peer's keys, and the checkpoint the
proofs lead to must be consistent with the one this hub witnessed, so a
peer cannot show this hub a history it did not show its witness. The data
are then held here under the classification and destruction the package
states (Minn. Stat. 13.824 subd. 4(b)), and destroyed on time."""
from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app
from sqlalchemy import select

from hub import signed_webhooks
from hub.clock import utcnow
from hub.data_requests import package
from hub.data_requests.models import FederationPeer, ReceivedRelease
from hub.errors import HubError, Refusal, Unauthenticated
from hub.extensions import db
from hub.identity.permissions import require_capability
from hub.identity.roles import Capability
from hub.instance_keys import random_key
from hub.ledger import verifier
from hub.ledger.models import LedgerWitnessedLog
from hub.ledger.services import record
from hub.reads import images

NONCE_BYTES = 12
TIMEOUT_SECONDS = 30


class FederationFailed(HubError):
    status = 400
    code = "federation_failed"


class WebhookRefused(Unauthenticated):
    code = "webhook_refused"
    message = "The webhook is not signed by a hub this hub asks for data."


def _seal(secret: str, aad: str) -> bytes:
    """A secret this hub must send back later, sealed under its key for data at rest."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(random_key(current_app.config["IMAGE_KEY_PATH"])).encrypt(nonce, secret.encode(),
                                                                                     aad.encode())


def _open(sealed: bytes, aad: str) -> str:
    key = random_key(current_app.config["IMAGE_KEY_PATH"])
    return AESGCM(key).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], aad.encode()).decode()


def add_peer(actor: Any, *, origin: str, url: str, client_id: str, client_secret: str,
             webhook_secret: str | None) -> FederationPeer:
    """Ask the hub of `origin`, at `url`, for data, as the client it registered
    for this hub's agency. Its ledger must be followed first: its packages
    are checked against it."""
    require_capability(actor, Capability.MANAGE_CLIENTS, action="federation.peer_add")
    errors = {}
    if db.session.get(LedgerWitnessedLog, origin) is None:
        errors["origin"] = [f"Follow {origin}'s ledger first (hub ledger witness follow {origin} --key VKEY --url "
                            "URL): its packages are checked against the checkpoints this hub witnesses."]
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        errors["url"] = [f"'{url}' is not the http(s) address of a hub."]
    if not client_id.strip() or not client_secret:
        errors["client_id"] = ["Give the client id and secret the other hub registered for this agency."]
    if errors:
        raise FederationFailed("The peer cannot be added.", errors=errors)
    peer = db.session.get(FederationPeer, origin) or FederationPeer(origin=origin, added_at=utcnow())
    peer.url, peer.client_id = url.rstrip("/"), client_id.strip()
    peer.client_secret_sealed = _seal(client_secret, f"{origin}:client")
    peer.webhook_secret_sealed = _seal(webhook_secret, f"{origin}:webhook") if webhook_secret else None
    db.session.add(peer)
    db.session.flush()
    record("federation.peer_added", actor=actor, subject=("federation_peer", origin),
           details={"origin": origin, "url": peer.url, "client_id": peer.client_id,
                    "webhook": webhook_secret is not None})
    return peer


def peer_named(origin: str | None) -> FederationPeer:
    peers = list(db.session.scalars(select(FederationPeer).order_by(FederationPeer.origin)))
    chosen = [p for p in peers if p.origin == origin] if origin else peers
    if len(chosen) != 1:
        known = ", ".join(p.origin for p in peers) or "none"
        raise FederationFailed(f"Name one peer hub (known: {known}).", errors={"peer": [origin or ""]})
    return chosen[0]


class RemoteHub:
    """The peer's API, as this hub's client there (a `requests.Session`-like `fetch`)."""

    def __init__(self, peer: FederationPeer, fetch) -> None:
        self.peer, self.fetch, self._token = peer, fetch, None

    def _answer(self, response, what: str):
        if response.status_code >= 400:
            try:
                body = response.json()
                said = f"{body.get('message') or body.get('error_description') or body} {body.get('errors') or ''}"
            except ValueError:
                said = response.text[:300]
            raise FederationFailed(f"{self.peer.origin} refused {what} ({response.status_code}): {said.strip()}")
        return response

    def _headers(self) -> dict:
        if self._token is None:
            answer = self._answer(self.fetch.post(
                f"{self.peer.url}/oauth/token", data={"grant_type": "client_credentials", "scope": "requests:submit"},
                auth=(self.peer.client_id, _open(self.peer.client_secret_sealed, f"{self.peer.origin}:client")),
                timeout=TIMEOUT_SECONDS), "the client credentials")
            self._token = answer.json()["access_token"]
        return {"Authorization": f"Bearer {self._token}"}

    def submit(self, body: dict) -> dict:
        return self._answer(self.fetch.post(f"{self.peer.url}/api/v1/requests", json=body, headers=self._headers(),
                                            timeout=TIMEOUT_SECONDS), "the request").json()

    def package(self, remote_id: int) -> bytes:
        link = self._answer(self.fetch.post(f"{self.peer.url}/api/v1/requests/{remote_id}/download-link",
                                            headers=self._headers(), timeout=TIMEOUT_SECONDS), "a download link")
        url = link.json()["url"]
        if urlsplit(url).netloc != urlsplit(self.peer.url).netloc:
            raise FederationFailed(f"{self.peer.origin} linked to another host ({urlsplit(url).netloc}).")
        return self._answer(self.fetch.get(url, headers=self._headers(), timeout=TIMEOUT_SECONDS * 4),
                            "the package").content

    def consistency(self, first: int, second: int) -> list[bytes]:
        answer = self._answer(self.fetch.get(f"{self.peer.url}/api/v1/ledger/consistency",
                                             params={"from": first, "to": second}, timeout=TIMEOUT_SECONDS),
                              "a consistency proof")
        return [bytes.fromhex(h) for h in answer.json()["proof"]]


def submit_to_peer(actor: Any, peer: FederationPeer, body: dict, fetch) -> ReceivedRelease:
    """Send a written request to the peer; keep it here to follow."""
    require_capability(actor, Capability.MANAGE_CLIENTS, action="federation.submit")
    answer = RemoteHub(peer, fetch).submit(body)
    row = ReceivedRelease(peer_origin=peer.origin, remote_request_id=answer["id"], case_number=answer["case_number"])
    db.session.add(row)
    db.session.flush()
    record("data_request.sent_to_peer", actor=actor, subject=row, case_number=row.case_number,
           details={"origin": peer.origin, "remote_request_id": row.remote_request_id, "status": answer["status"]})
    return row


def _followed(peer: FederationPeer, remote_id: int) -> ReceivedRelease:
    row = db.session.scalar(select(ReceivedRelease).where(ReceivedRelease.peer_origin == peer.origin,
                                                          ReceivedRelease.remote_request_id == remote_id))
    if row is None:
        row = ReceivedRelease(peer_origin=peer.origin, remote_request_id=remote_id)
        db.session.add(row)
    return row


def receive_decision(origin: str | None, body: bytes, signature: str | None) -> ReceivedRelease:
    """A peer's signed decision webhook, verified with the key it gave this hub."""
    peer = db.session.get(FederationPeer, origin or "")
    key = _open(peer.webhook_secret_sealed, f"{peer.origin}:webhook").encode() \
        if peer is not None and peer.webhook_secret_sealed else None
    if key is None or not signed_webhooks.verify(body, signature, key):
        raise WebhookRefused(refusal=Refusal("federation.decision", f"peer:{(origin or '-')[:100]}", None, {}))
    try:
        decided = json.loads(body)
        row = _followed(peer, int(decided["request_id"]))
        row.decision, row.case_number = str(decided["decision"])[:30], str(decided.get("case_number") or "")[:100]
        row.decided_at = datetime.fromisoformat(decided["decided_at"]).astimezone(timezone.utc)
    except (ValueError, KeyError, TypeError):
        raise FederationFailed("The decision is not one this hub can read.") from None
    db.session.flush()
    record("data_request.decision_received", actor=f"peer:{peer.origin}", subject=row, case_number=row.case_number,
           details={"origin": peer.origin, "remote_request_id": row.remote_request_id, "decision": row.decision})
    return row


def _consistent_with_witnessed(checkpoint: verifier.Checkpoint, log: LedgerWitnessedLog, remote: RemoteHub) -> None:
    """The package's checkpoint and the one this hub cosigned lie on one
    history: equal, or one extends the other by a proof the peer serves."""
    witnessed = bytes.fromhex(log.root_hash)
    if checkpoint.size == log.size:
        holds = checkpoint.root == witnessed
    elif checkpoint.size < log.size:
        holds = verifier.verify_consistency(checkpoint.size, log.size, checkpoint.root, witnessed,
                                            remote.consistency(checkpoint.size, log.size))
    else:
        holds = verifier.verify_consistency(log.size, checkpoint.size, witnessed, checkpoint.root,
                                            remote.consistency(log.size, checkpoint.size))
    if not holds:
        raise FederationFailed(f"The package's checkpoint (size {checkpoint.size}) is not consistent with the one "
                               f"this hub witnessed (size {log.size}): {log.origin} shows two histories.")


def fetch_package(actor: Any, peer: FederationPeer, remote_id: int, fetch) -> ReceivedRelease:
    """Download the package, verify it (signature, hashes, proofs, and the
    proofs' checkpoint against the witnessed one), and hold the data here
    under the package's classification and destruction date."""
    require_capability(actor, Capability.MANAGE_CLIENTS, action="federation.fetch")
    log = db.session.get(LedgerWitnessedLog, peer.origin)
    if log is None or not log.size:
        raise FederationFailed(f"This hub has witnessed no checkpoint of {peer.origin} yet: poll it first "
                               "(hub ledger witness poll).")
    remote = RemoteHub(peer, fetch)
    made = remote.package(remote_id)
    keys = verifier.read_vkeys(log.vkeys)
    try:
        manifest = package.verify(made, keys, peer.origin).manifest
        checkpoint, _ = verifier.open_checkpoint(manifest["ledger"]["checkpoint"], keys, peer.origin)
    except (package.PackageInvalid, verifier.NoteError) as error:
        raise FederationFailed(f"The package from {peer.origin} does not verify: {error}") from None
    _consistent_with_witnessed(checkpoint, log, remote)
    row = _followed(peer, remote_id)
    destroy_by = manifest["destruction"]["destroy_by"]
    row.package_sha256, row.manifest, row.reads = images.put(made), json.dumps(manifest), manifest["reads"]
    row.classification = manifest["classification"]["class"]
    row.case_number = manifest["request"]["case_number"]
    row.decision = manifest["request"]["decision"]
    row.received_at = utcnow()
    row.destroy_by = datetime.fromisoformat(destroy_by.replace("Z", "+00:00")) if destroy_by else utcnow()
    db.session.flush()
    record("data_request.package_received", actor=actor, subject=row, case_number=row.case_number,
           details={"origin": peer.origin, "remote_request_id": remote_id, "package_sha256": row.package_sha256,
                    "reads": row.reads, "classification": row.classification,
                    "destroy_by": row.destroy_by.isoformat(), "checkpoint_size": checkpoint.size,
                    "witnessed_size": log.size})
    return row


def received() -> list[ReceivedRelease]:
    return list(db.session.scalars(select(ReceivedRelease).order_by(ReceivedRelease.id.desc()).limit(200)))
