"""Witnessing, both ways (C2SP tlog-witness, tlog-cosignature).

As a witness for another hub's log, this hub keeps the latest checkpoint it
cosigned for each origin it follows, and cosigns a new checkpoint only when
a consistency proof shows it extends that one: a log that rolls back or
rewrites its history cannot get this hub's signature again. `add_checkpoint`
takes the tlog-witness `add-checkpoint` request body as is, and `poll`
fetches it from a followed hub instead (its `/ledger/checkpoint` and
consistency proofs) and hands the cosignature back to that hub.

As a log, this hub accepts cosignatures from the witnesses it trusts and
serves its checkpoints with them."""
from __future__ import annotations

import base64
from typing import Any

from sqlalchemy import select, update

from hub.clock import utcnow
from hub.errors import HubError
from hub.extensions import db
from hub.ledger import signing, verifier
from hub.ledger.models import LedgerCheckpoint, LedgerCosignature, LedgerWitness, LedgerWitnessedLog
from hub.ledger.services import record

SIZE_MEDIA_TYPE = "text/x.tlog.size"
MAX_PROOF_LINES = 63


class WitnessRefused(HubError):
    """A refusal with the status tlog-witness gives it; `size` is sent back
    (as text/x.tlog.size) when the old size is not the one cosigned last."""

    code = "witness_refused"

    def __init__(self, status: int, message: str, size: int | None = None) -> None:
        super().__init__(message)
        self.status, self.size = status, size


def _vkey(text: str, alg: int) -> verifier.VerifierKey:
    try:
        key = verifier.parse_vkey(text)
    except verifier.NoteError as error:
        raise HubError(str(error)) from None
    if key.alg != alg:
        raise HubError(f"{key.name}: a {'witness' if alg == verifier.ALG_COSIGNATURE_V1 else 'log'} key "
                       f"must have signature type {alg:#04x}, this one has {key.alg:#04x}")
    return key


# --- this hub as a witness ---------------------------------------------------

def follow_log(actor: Any, origin: str, vkeys: list[str], url: str | None = None) -> LedgerWitnessedLog:
    """Witness another hub's log: trust `vkeys` for checkpoints of `origin`."""
    keys = [_vkey(v, verifier.ALG_ED25519) for v in vkeys]
    if not keys or any(k.name != origin for k in keys):
        raise HubError(f"give the log's verifier key(s), named after its origin {origin!r}")
    log = db.session.get(LedgerWitnessedLog, origin)
    if log is None:
        log = LedgerWitnessedLog(origin=origin, size=0, vkeys="", updated_at=utcnow())
        db.session.add(log)
    log.vkeys, log.url = "\n".join(k.vkey for k in keys), url.rstrip("/") if url else None
    record("ledger.witness_log_followed", actor=actor, subject=("witnessed_log", origin),
           details={"origin": origin, "keys": [k.vkey for k in keys], "url": log.url})
    return log


def _parse_request(body: str) -> tuple[int, list[bytes], str]:
    head, sep, note = body.partition("\n\n")
    lines = head.split("\n")
    if not sep or not lines[0].startswith("old "):
        raise WitnessRefused(400, "the request must start with an 'old <size>' line and a blank line "
                                  "before the checkpoint")
    size_text = lines[0][4:]
    if not (size_text.isascii() and size_text.isdigit()) or (size_text != "0" and size_text.startswith("0")):
        raise WitnessRefused(400, f"the old size {size_text!r} is not a decimal number")
    if len(lines) - 1 > MAX_PROOF_LINES:
        raise WitnessRefused(400, f"more than {MAX_PROOF_LINES} consistency proof lines")
    try:
        proof = [base64.b64decode(line, validate=True) for line in lines[1:]]
    except ValueError:
        raise WitnessRefused(400, "a consistency proof line is not base64") from None
    if any(len(h) != 32 for h in proof):
        raise WitnessRefused(400, "a consistency proof line is not a 32-byte hash")
    return int(size_text), proof, note


def add_checkpoint(body: str) -> str:
    """Handle a tlog-witness add-checkpoint request; return the cosignature
    line, or raise WitnessRefused with the protocol's status."""
    old_size, proof, note = _parse_request(body)
    try:
        text, _ = verifier.split_note(note)
        origin = verifier.parse_checkpoint(text).origin
    except verifier.NoteError as error:
        raise WitnessRefused(400, f"the checkpoint is malformed: {error}") from None
    # Lock the log's row (the first writer wins; the other re-reads after it).
    locked = db.session.execute(update(LedgerWitnessedLog).where(LedgerWitnessedLog.origin == origin)
                                .values(size=LedgerWitnessedLog.size))
    if locked.rowcount == 0:
        raise WitnessRefused(404, f"this witness does not follow the log {origin!r}")
    log = db.session.get(LedgerWitnessedLog, origin, populate_existing=True)
    try:
        checkpoint, _ = verifier.open_checkpoint(note, verifier.read_vkeys(log.vkeys), origin)
    except verifier.NoteError as error:
        raise WitnessRefused(403, f"the checkpoint does not verify: {error}") from None
    if old_size > checkpoint.size:
        raise WitnessRefused(400, f"the old size {old_size} is larger than the checkpoint's {checkpoint.size}")
    if old_size != log.size:
        raise WitnessRefused(409, f"this witness last cosigned {log.size} entries, not {old_size}", log.size)
    old_root = bytes.fromhex(log.root_hash) if log.root_hash else verifier.MerkleStack().root()
    if old_size == checkpoint.size and old_root != checkpoint.root:
        raise WitnessRefused(409, f"a different root at size {old_size}: the log forked", log.size)
    if old_size and not verifier.verify_consistency(old_size, checkpoint.size, old_root, checkpoint.root, proof):
        raise WitnessRefused(422, f"the checkpoint at size {checkpoint.size} is not consistent with the one "
                                  f"cosigned at size {old_size}")
    if not old_size and proof:
        raise WitnessRefused(422, "a consistency proof from size 0 must be empty")
    now = utcnow()
    line = verifier.cosign_note(text, signing.witness_name(), signing.witness_key(), int(now.timestamp())).line
    log.size, log.root_hash, log.note, log.updated_at = checkpoint.size, checkpoint.root.hex(), note, now
    record("ledger.witness_cosigned", actor=None, subject=("witnessed_log", origin),
           details={"origin": origin, "size": checkpoint.size, "root": checkpoint.root.hex(), "old_size": old_size})
    return line


def request_body(old_size: int, proof: list[bytes], note: str) -> str:
    return "".join([f"old {old_size}\n", *(base64.b64encode(h).decode() + "\n" for h in proof), "\n", note])


def poll(fetch) -> list[str]:
    """One round as a witness over every followed log that has a URL:
    fetch its latest checkpoint and a consistency proof from what this
    witness cosigned, cosign, and hand the cosignature back. `fetch` is a
    `requests.Session`-like object. Returns what happened, a line a log."""
    import requests

    outcomes = []
    for log in db.session.scalars(select(LedgerWitnessedLog).where(LedgerWitnessedLog.url.is_not(None))
                                  .order_by(LedgerWitnessedLog.origin)).all():
        origin, url, old_size = log.origin, log.url, log.size
        try:
            note = fetch.get(f"{url}/ledger/checkpoint", timeout=10)
            note.raise_for_status()
            offered = verifier.parse_checkpoint(verifier.split_note(note.text)[0])
            size = offered.size
            if size == old_size and offered.root.hex() == log.root_hash:
                outcomes.append(f"{origin}: nothing new since size {size}")
                continue
            proof = []
            if old_size and old_size <= size:
                answer = fetch.get(f"{url}/api/v1/ledger/consistency", params={"from": old_size, "to": size},
                                   timeout=10)
                answer.raise_for_status()
                proof = [bytes.fromhex(h) for h in answer.json()["proof"]]
            line = add_checkpoint(request_body(old_size, proof, note.text))
            db.session.commit()
            back = fetch.post(f"{url}/ledger/cosignatures", data=(note.text + line).encode(), timeout=10,
                              headers={"Content-Type": "text/plain; charset=utf-8"})
            outcomes.append(f"{origin}: cosigned size {size}" + ("" if back.ok else
                            f" (the log did not take the cosignature: {back.status_code} {back.text.strip()})"))
        except WitnessRefused as refused:
            db.session.rollback()
            outcomes.append(f"{origin}: REFUSED ({refused.status}) {refused.message}")
        except (requests.RequestException, verifier.NoteError, ValueError, KeyError) as error:
            db.session.rollback()
            outcomes.append(f"{origin}: could not be checked: {error}")
    return outcomes


# --- this hub's log, cosigned by witnesses ---------------------------------

def trust_witness(actor: Any, vkey: str, url: str | None = None) -> LedgerWitness:
    """Accept cosignatures by the witness `vkey`; with `url`, also push this
    log's new checkpoints to it (tlog-witness add-checkpoint)."""
    key = _vkey(vkey, verifier.ALG_COSIGNATURE_V1)
    witness = db.session.scalar(select(LedgerWitness).where(LedgerWitness.name == key.name))
    if witness is None:
        witness = LedgerWitness(name=key.name, vkey=key.vkey, added_at=utcnow(), cosigned_size=0)
        db.session.add(witness)
    witness.vkey, witness.url = key.vkey, url.rstrip("/") if url else None
    db.session.flush()
    record("ledger.witness_trusted", actor=actor, subject=("witness", witness.id),
           details={"name": key.name, "key": key.vkey, "url": witness.url})
    return witness


def push(fetch) -> list[str]:
    """Push the latest checkpoint to every trusted witness that has a URL,
    with a consistency proof from the size it last cosigned, and keep the
    cosignatures it returns. A witness that cosigned a different size says
    so (409, text/x.tlog.size); the push is then retried once from there."""
    import requests

    from hub.ledger import tree

    latest = tree.latest_checkpoint()
    note, size = tree.served_note(latest), latest.tree_size
    witnesses = [(w.id, w.name, w.url, w.cosigned_size) for w in db.session.scalars(
        select(LedgerWitness).where(LedgerWitness.url.is_not(None)).order_by(LedgerWitness.name))]
    db.session.commit()  # hold no transaction while waiting on a witness
    outcomes = []
    for witness_id, name, url, old in witnesses:
        if old == size:
            outcomes.append(f"{name}: already cosigned size {size}")
            continue
        try:
            for _ in range(2):
                if old > size:
                    raise WitnessRefused(409, f"it cosigned {old} entries, more than this log's {size}")
                proof = tree.consistency_path(old, size) if old else []
                db.session.commit()
                answer = fetch.post(f"{url}/ledger/witness/add-checkpoint", timeout=10,
                                    data=request_body(old, proof, note).encode(),
                                    headers={"Content-Type": "text/plain; charset=utf-8"})
                if answer.status_code == 409 and answer.headers.get("Content-Type", "").startswith(SIZE_MEDIA_TYPE):
                    old = int(answer.text.strip())
                    continue
                break
            if answer.status_code != 200:
                raise WitnessRefused(answer.status_code, answer.text.strip())
            accept_cosignatures(note + answer.text)
            db.session.commit()
            outcomes.append(f"{name}: cosigned size {size}")
        except WitnessRefused as refused:
            db.session.rollback()
            outcomes.append(f"{name}: REFUSED ({refused.status}) {refused.message}")
        except (requests.RequestException, ValueError) as error:
            db.session.rollback()
            outcomes.append(f"{name}: could not be reached: {error}")
    return outcomes


def witness_keys() -> list[verifier.VerifierKey]:
    return [verifier.parse_vkey(v) for v in db.session.scalars(select(LedgerWitness.vkey))]


def accept_cosignatures(note: str) -> int:
    """Take the cosignature lines of trusted witnesses on one of this log's
    checkpoints (the note as the witness returned it); returns how many were
    new. Lines by unknown keys are ignored; a bad one is refused."""
    try:
        body, signatures = verifier.split_note(note)
        checkpoint = verifier.parse_checkpoint(body)
    except verifier.NoteError as error:
        raise WitnessRefused(400, f"the note is malformed: {error}") from None
    stored = db.session.scalars(select(LedgerCheckpoint).where(
        LedgerCheckpoint.origin == checkpoint.origin, LedgerCheckpoint.tree_size == checkpoint.size)).all()
    match = next((cp for cp in stored if cp.note and cp.note.startswith(body + "\n")), None)
    if match is None:
        raise WitnessRefused(404, f"this log signed no such checkpoint at size {checkpoint.size}")
    trusted = {(k.name, k.key_id): k for k in witness_keys()}
    have = set(db.session.scalars(select(LedgerCosignature.witness).where(LedgerCosignature.checkpoint_id == match.id)))
    added = 0
    for sig in signatures:
        key = trusted.get((sig.name, sig.key_id))
        if key is None:
            continue
        try:
            verifier.open_note(body + "\n" + sig.line, [key])
        except verifier.NoteError as error:
            raise WitnessRefused(403, str(error)) from None
        witness = db.session.scalar(select(LedgerWitness).where(LedgerWitness.name == sig.name))
        witness.cosigned_size = max(witness.cosigned_size or 0, checkpoint.size)
        if sig.name in have:
            continue
        db.session.add(LedgerCosignature(checkpoint_id=match.id, witness=sig.name, line=sig.line,
                                         received_at=utcnow()))
        have.add(sig.name)
        added += 1
        record("ledger.cosignature_received", actor=None, subject=("checkpoint", match.id),
               details={"witness": sig.name, "size": checkpoint.size})
    if not added and not any((s.name, s.key_id) in trusted for s in signatures):
        raise WitnessRefused(403, "no cosignature by a witness this log trusts")
    return added
