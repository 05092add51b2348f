"""The verifier's hashing against a plain reading of RFC 6962 section 2.1."""
import hashlib

import pytest

from hub.ledger import verifier


def reference_mth(leaves: list[bytes]) -> bytes:
    n = len(leaves)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return hashlib.sha256(b"\x00" + leaves[0]).digest()
    k = 1 << ((n - 1).bit_length() - 1)
    return hashlib.sha256(b"\x01" + reference_mth(leaves[:k]) + reference_mth(leaves[k:])).digest()


def reference_path(m: int, leaves: list[bytes]) -> list[bytes]:
    n = len(leaves)
    if n <= 1:
        return []
    k = 1 << ((n - 1).bit_length() - 1)
    if m < k:
        return reference_path(m, leaves[:k]) + [reference_mth(leaves[k:])]
    return reference_path(m - k, leaves[k:]) + [reference_mth(leaves[:k])]


@pytest.mark.parametrize("size", [1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 31, 33])
def test_stack_root_matches_rfc_definition(size):
    data = [f"leaf {i}".encode() for i in range(size)]
    stack = verifier.MerkleStack()
    for d in data:
        stack.append(verifier.leaf_hash(d))
    assert stack.root() == reference_mth(data)


@pytest.mark.parametrize("size", [1, 2, 3, 5, 8, 13])
def test_reference_paths_verify_and_wrong_ones_do_not(size):
    data = [f"leaf {i}".encode() for i in range(size)]
    root = reference_mth(data)
    for m in range(size):
        path = reference_path(m, data)
        leaf = verifier.leaf_hash(data[m])
        assert verifier.verify_inclusion(leaf, m, size, path, root)
        assert not verifier.verify_inclusion(verifier.leaf_hash(b"other"), m, size, path, root)
        if path:
            bad = list(path)
            bad[0] = hashlib.sha256(bad[0]).digest()
            assert not verifier.verify_inclusion(leaf, m, size, bad, root)
        if size > 1:
            assert not verifier.verify_inclusion(leaf, (m + 1) % size, size, path, root)
    assert not verifier.verify_inclusion(verifier.leaf_hash(data[0]), size, size, [], root)


def test_empty_tree_root_is_hash_of_nothing():
    assert verifier.MerkleStack().root() == hashlib.sha256(b"").digest()


@pytest.mark.parametrize("values", [
    ("2026-01-01T00:00:00.000000Z", 7, "demo-officer", 1, "search.performed", "camera", "17", None, None, None),
    ("t", None, 'quote " and \\ backslash', None, "a", None, None, "tab\there\nnewline", "ÆØÅ — ✓", "\x01"),
])
def test_leaf_body_is_the_canonical_json_array(values):
    import json
    details = '{"k":[1,"x"]}'
    expected = json.dumps([verifier.LEAF_VERSION, *values, json.loads(details)], ensure_ascii=False,
                          separators=(",", ":")).encode()
    assert verifier.leaf_body(dict(zip(verifier.LEAF_FIELDS, values), details=details)) == expected
    with pytest.raises(TypeError):
        verifier.leaf_body(dict(zip(verifier.LEAF_FIELDS, (True,) + values[1:]), details=details))
