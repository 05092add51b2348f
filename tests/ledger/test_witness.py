"""This hub as a witness (C2SP tlog-witness add-checkpoint, cosignature/v1):
it cosigns a log's checkpoint only when it extends the one it cosigned last,
and answers every other request with the protocol's status and a reason."""
import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hub.extensions import db
from hub.ledger import signing, verifier, witness
from hub.ledger.models import LedgerWitnessedLog
from tests.conftest import OPERATOR
from tests.ledger.test_consistency import mth_of_leaf_hashes, subproof_of_leaf_hashes

ORIGIN = "neighbour.example/alpr-hub"


class OtherLog:
    """Another hub's log, kept in memory: leaves and a signing key."""

    def __init__(self, seed: bytes = b"") -> None:
        self.key = Ed25519PrivateKey.generate()
        self.seed = seed
        self.leaves: list[bytes] = []

    @property
    def vkey(self) -> str:
        return verifier.verifier_key(ORIGIN, self.key.public_key()).vkey

    def grow(self, to: int) -> None:
        while len(self.leaves) < to:
            self.leaves.append(hashlib.sha256(self.seed + str(len(self.leaves)).encode()).digest())

    def note(self) -> str:
        body = verifier.Checkpoint(ORIGIN, len(self.leaves), mth_of_leaf_hashes(self.leaves)).body
        return body + "\n" + verifier.sign_note(body, ORIGIN, self.key).line

    def request(self, old: int) -> str:
        proof = subproof_of_leaf_hashes(old, self.leaves, True) if 0 < old < len(self.leaves) else []
        return witness.request_body(old, proof, self.note())


@pytest.fixture
def log(run):
    other = OtherLog()
    run(witness.follow_log, OPERATOR, ORIGIN, [other.vkey])
    return other


def post(client, body: str):
    return client.post("/ledger/witness/add-checkpoint", data=body.encode(), content_type="text/plain")


def test_witness_cosigns_consistent_checkpoints_in_turn(app, client, log):
    log.grow(4)
    first = post(client, log.request(0))
    assert first.status_code == 200, first.get_data(as_text=True)
    with app.app_context():
        wkey = signing.witness_verifier_key()
    line = first.get_data(as_text=True)
    assert line.startswith(f"\u2014 {wkey.name} ")
    assert verifier.open_note(log.note() + line, [wkey])[1] == [wkey]
    log.grow(7)
    assert post(client, log.request(4)).status_code == 200
    log.grow(16)
    assert post(client, log.request(7)).status_code == 200
    with app.app_context():
        state = db.session.get(LedgerWitnessedLog, ORIGIN)
        assert state.size == 16 and state.note == log.note()


def test_witness_refuses_a_rewritten_log(app, client, log):
    log.grow(5)
    assert post(client, log.request(0)).status_code == 200
    forked = OtherLog(seed=b"rewritten")
    forked.key = log.key  # the log re-signs a different history with its own key
    forked.grow(9)
    refused = post(client, forked.request(5))
    assert refused.status_code == 422
    assert "not consistent with the one cosigned at size 5" in refused.get_data(as_text=True)
    same_size = OtherLog(seed=b"other")
    same_size.key = log.key
    same_size.grow(5)
    assert post(client, same_size.request(5)).status_code == 409
    with app.app_context():
        assert db.session.get(LedgerWitnessedLog, ORIGIN).size == 5


def test_witness_answers_the_protocol_statuses(app, client, log):
    log.grow(6)
    assert post(client, log.request(0)).status_code == 200
    log.grow(8)
    stale = post(client, log.request(3))
    assert stale.status_code == 409 and stale.mimetype == "text/x.tlog.size" and stale.get_data() == b"6\n"
    bigger = post(client, witness.request_body(9, [], log.note()))
    assert bigger.status_code == 400 and "larger than" in bigger.get_data(as_text=True)
    stranger = OtherLog()
    stranger.grow(8)
    forged = post(client, stranger.request(6))
    assert forged.status_code == 403 and "no signature by a known key" in forged.get_data(as_text=True)
    unknown = post(client, log.request(6).replace(ORIGIN, "unknown.example/log"))
    assert unknown.status_code == 404
    for garbage in ("", "old x\n\n" + log.note(), "old 6\n" + log.note(), "old 6\nnot-base64!\n\n" + log.note()):
        response = post(client, garbage)
        assert response.status_code == 400, garbage
    truncated = post(client, witness.request_body(6, [], log.note()[:-20]))
    assert truncated.status_code in (400, 403) and truncated.get_data(as_text=True).strip()


def test_log_takes_cosignatures_only_from_trusted_witnesses(app, client, run):
    from hub.ledger.services import record
    from hub.ledger.tree import latest_checkpoint, seal_and_checkpoint

    def checkpoint():
        record("test.action", actor=None)
        seal_and_checkpoint()
        return latest_checkpoint().note
    note = run(checkpoint)
    body = note[:note.rindex("\n\n") + 1]
    trusted, stranger = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    run(witness.trust_witness, OPERATOR,
        verifier.verifier_key("w.example", trusted.public_key(), verifier.ALG_COSIGNATURE_V1).vkey)
    by_stranger = verifier.cosign_note(body, "x.example", stranger, 1700000000).line
    assert client.post("/ledger/cosignatures", data=(note + by_stranger).encode()).status_code == 403
    line = verifier.cosign_note(body, "w.example", trusted, 1700000000).line
    assert client.post("/ledger/cosignatures", data=(note + line).encode()).status_code == 200
    served = client.get("/ledger/checkpoint").get_data(as_text=True)
    assert served == note + line
    forged = line[:-10] + "AAAAAAAAA\n"
    assert client.post("/ledger/cosignatures", data=(note + forged).encode()).status_code in (400, 403)
    with app.app_context():
        keys = signing.verifier_keys() + witness.witness_keys()
        assert {k.name for k in verifier.open_checkpoint(served, keys)[1]} == {"corcoran-mn.alpr-hub", "w.example"}


def test_following_needs_the_logs_own_key(run):
    other = OtherLog()
    with pytest.raises(Exception, match="named after its origin"):
        run(witness.follow_log, OPERATOR, "someone.else/log", [other.vkey])
    with pytest.raises(Exception, match="not a verifier key"):
        run(witness.follow_log, OPERATOR, ORIGIN, ["nonsense"])
