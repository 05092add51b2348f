"""Checkpoints as C2SP signed notes: the encoder against the published
examples (Go's golang.org/x/mod/sumdb/note tests, the C2SP specifications)
and against a decoder written here from the specification's text alone."""
import base64
import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from hub.extensions import db
from hub.ledger import signing, verifier
from hub.ledger.services import record
from hub.ledger.tree import latest_checkpoint, seal_and_checkpoint

# Published in golang.org/x/mod/sumdb/note/note_test.go (TestSign, TestOpen).
PETER_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
PETER_SIG = ("\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6"
             "KE6RyyBwJnAM=\n")
ENOCH_SIG = ("\u2014 EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1"
             "RvMc+QQ=\n")


def peter_private() -> Ed25519PrivateKey:
    seed = base64.b64decode(PETER_SKEY.split("+", 4)[4])
    assert seed[0] == 0x01
    return Ed25519PrivateKey.from_private_bytes(seed[1:])


# --- an independent decoder, from the specification's words ---------------

def spec_decode(note: str, trusted: dict[tuple[str, int], bytes]) -> tuple[str, list[str]]:
    """c2sp.org/signed-note: text ending in newline, a blank line, signature
    lines "— <name> <base64(uint32 BE key id || Ed25519 signature)>"; the
    text is separated from the signatures by the *last* empty line."""
    raw = note.encode("utf-8")
    assert all(b >= 0x20 or b == 0x0A for b in raw)
    text, _, sigs = note.rpartition("\n\n")
    text += "\n"
    verified = []
    for line in sigs.splitlines():
        dash, name, blob = line.split(" ")
        assert dash == "\u2014"
        data = base64.b64decode(blob, validate=True)
        key_id = int.from_bytes(data[:4], "big")
        if (name, key_id) in trusted:
            Ed25519PublicKey.from_public_bytes(trusted[(name, key_id)]).verify(data[4:], text.encode())
            verified.append(name)
    return text, verified


def spec_key_id(name: str, public: bytes) -> int:
    return int.from_bytes(hashlib.sha256(name.encode() + b"\x0a" + b"\x01" + public).digest()[:4], "big")


def spec_checkpoint(text: str) -> tuple[str, int, bytes, list[str]]:
    origin, size, root, *extensions = text[:-1].split("\n")
    return origin, int(size), base64.b64decode(root), extensions


# --- published vectors ----------------------------------------------------

def test_key_id_and_vkey_match_the_go_vectors():
    key = verifier.verifier_key("PeterNeumann", peter_private().public_key())
    assert key.key_id.hex() == "c74f20a3"
    assert key.vkey == PETER_VKEY
    assert verifier.parse_vkey(ENOCH_VKEY).key_id.hex() == "af0cfe78"
    assert spec_key_id("PeterNeumann", key.public_key) == 0xc74f20a3


def test_signature_line_matches_the_go_vector_byte_for_byte():
    line = verifier.sign_note(TEXT, "PeterNeumann", peter_private())
    assert TEXT + "\n" + line.line == TEXT + "\n" + PETER_SIG


def test_open_follows_the_go_semantics():
    peter, enoch = verifier.parse_vkey(PETER_VKEY), verifier.parse_vkey(ENOCH_VKEY)
    note = TEXT + "\n" + PETER_SIG + ENOCH_SIG
    assert verifier.open_note(note, [peter]) == (TEXT, [peter])  # the unknown signer is ignored
    assert verifier.open_note(note, [peter, enoch]) == (TEXT, [peter, enoch])
    with pytest.raises(verifier.NoteError, match="no signature by a known key"):
        verifier.open_note(note, [])
    with pytest.raises(verifier.NoteError, match="does not verify"):
        verifier.open_note(TEXT + "\n" + PETER_SIG[:60] + "ABCD" + PETER_SIG[60:], [peter])
    with pytest.raises(verifier.NoteError, match="more than 100"):
        verifier.open_note(TEXT + "\n" + PETER_SIG * 101, [peter])


@pytest.mark.parametrize("bad", [
    TEXT, TEXT + "\n", TEXT + "\n" + PETER_SIG[:-1], "\x01" + TEXT + "\n" + PETER_SIG,
    TEXT + "\n" + "\u2014 Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6"
                  "KE6RyyBwJnAM=\n",
    TEXT + "\n" + PETER_SIG + "Unexpected line.\n",
])
def test_malformed_notes_from_the_go_tests_are_refused(bad):
    with pytest.raises(verifier.NoteError):
        verifier.open_note(bad, [verifier.parse_vkey(PETER_VKEY)])


@pytest.mark.parametrize("mangled", [PETER_VKEY[:-1], PETER_VKEY.replace("c74f20a3", "c74f20a4"),
                                     "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
                                     "PeterNeumann+c74f20a3", "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"])
def test_mangled_verifier_keys_are_refused(mangled):
    with pytest.raises(verifier.NoteError):
        verifier.parse_vkey(mangled)


def test_checkpoint_body_has_the_spec_layout():
    root = base64.b64decode("CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=")
    checkpoint = verifier.Checkpoint("example.com/behind-the-sofa", 20852163, root)
    assert checkpoint.body == "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    assert verifier.parse_checkpoint(checkpoint.body) == checkpoint


def test_cosignature_message_is_the_spec_example():
    body = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    assert verifier.cosigned_message(body, 1679315147) == (
        b"cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\n"
        b"CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n")
    key = Ed25519PrivateKey.generate()
    line = verifier.cosign_note(body, "witness.example/w1", key, 1679315147)
    raw = base64.b64decode(line.line.split(" ")[-1])
    assert len(raw) == 4 + 8 + 64 and int.from_bytes(raw[4:12], "big") == 1679315147
    wkey = verifier.verifier_key("witness.example/w1", key.public_key(), verifier.ALG_COSIGNATURE_V1)
    assert raw[:4] == hashlib.sha256(b"witness.example/w1\n\x04" + wkey.public_key).digest()[:4]
    assert verifier.open_note(body + "\n" + line.line, [wkey])[1] == [wkey]


# --- the hub's own checkpoints through the independent decoder -------------

def test_hub_checkpoint_round_trips_through_the_spec_decoder(ctx):
    for n in range(5):
        record("test.action", actor=None, details={"n": n})
    db.session.commit()
    seal_and_checkpoint()
    db.session.commit()
    note = latest_checkpoint().note
    key = signing.verifier_keys()[0]
    text, verified = spec_decode(note, {(key.name, int.from_bytes(key.key_id, "big")): key.public_key})
    assert verified == ["corcoran-mn.alpr-hub"]
    origin, size, root, extensions = spec_checkpoint(text)
    assert (origin, size) == ("corcoran-mn.alpr-hub", 5)
    assert root.hex() == latest_checkpoint().root_hash
    assert [e.split(" ")[0] for e in extensions] == ["chain", "time"]
    assert key.vkey.split("+")[1] == f"{spec_key_id(key.name, key.public_key):08x}"


@pytest.mark.parametrize("mangle, words", [
    (lambda n: n[: n.index("\n\n")], "truncated"),
    (lambda n: "\n".join([n.split("\n")[1], n.split("\n")[0], *n.split("\n")[2:]]), "does not verify"),
    (lambda n: n.replace("corcoran-mn.alpr-hub\n", "other.example/log\n", 1), "does not verify"),
])
def test_truncated_or_reordered_notes_are_refused_by_name(ctx, mangle, words):
    record("test.action", actor=None)
    db.session.commit()
    seal_and_checkpoint()
    db.session.commit()
    with pytest.raises(verifier.NoteError, match=words):
        verifier.open_checkpoint(mangle(latest_checkpoint().note), signing.verifier_keys(), "corcoran-mn.alpr-hub")


def test_checkpoint_of_another_origin_and_unknown_key_are_refused():
    key = Ed25519PrivateKey.generate()
    body = verifier.Checkpoint("other.example/log", 3, bytes(32)).body
    note = body + "\n" + verifier.sign_note(body, "other.example/log", key).line
    other = verifier.verifier_key("other.example/log", key.public_key())
    with pytest.raises(verifier.NoteError, match="another log"):
        verifier.open_checkpoint(note, [other], "corcoran-mn.alpr-hub")
    stranger = verifier.verifier_key("other.example/log", Ed25519PrivateKey.generate().public_key())
    with pytest.raises(verifier.NoteError, match="no signature by a known key"):
        verifier.open_checkpoint(note, [stranger])
