"""The portal publishes the latest signed checkpoint with its witnesses'
cosignatures and the keys to check them, the offline verifier, and the
readers as CSV; what it publishes verifies with the verifier alone."""
import csv
import io

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hub.ledger import verifier, witness
from hub.ledger.tree import latest_checkpoint, seal_and_checkpoint
from tests.conftest import OPERATOR, make_camera, make_organisation, make_partner


def test_the_portal_publishes_the_cosigned_checkpoint_and_how_to_check_it(app, client, run):
    witness_key = Ed25519PrivateKey.generate()
    witness_vkey = verifier.verifier_key("maple-grove.example/witness", witness_key.public_key(), 4).vkey

    def build():
        make_camera(make_organisation(), "CR 30")
        make_camera(make_partner("Rush Creek HOA"), "Gate")
        witness.trust_witness(OPERATOR, witness_vkey)
        seal_and_checkpoint()
        note = latest_checkpoint().note
        body = note[:note.rindex("\n\n") + 1]
        witness.accept_cosignatures(note + verifier.cosign_note(body, "maple-grove.example/witness", witness_key,
                                                                1700000000).line)
    run(build)
    page = client.get("/transparency").get_data(as_text=True)
    assert "cosigned by" in page and "maple-grove.example/witness" in page and "Rush Creek" not in page
    assert witness_vkey in page and "verifier.py checkpoint checkpoint.txt --keys keys.txt" in page
    source = client.get("/transparency/verifier.py")
    assert source.status_code == 200 and b"def verify_consistency" in source.data
    note = client.get("/ledger/checkpoint").get_data(as_text=True)
    keys = [verifier.parse_vkey(k) for k in (witness_vkey, *_log_keys(app))]
    _, verified_by = verifier.open_note(note, keys)
    assert {k.name for k in verified_by} == {"maple-grove.example/witness", _log_keys(app)[0].split("+")[0]}
    readers = list(csv.DictReader(io.StringIO(client.get("/transparency?format=csv").get_data(as_text=True))))
    assert [r["owner"] for r in readers] == ["City", "Homeowners association"]


def _log_keys(app) -> list[str]:
    from hub.ledger import signing
    with app.app_context():
        return [k.vkey for k in signing.verifier_keys()]
