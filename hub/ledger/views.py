"""The ledger's API: the latest signed checkpoint (public: it reveals only a
size and hashes) and inclusion proofs for auditors."""
from flask.views import MethodView
from flask_smorest import Blueprint

from hub.identity.auth import scope_required
from hub.ledger import signing, tree
from hub.ledger.schemas import CheckpointSchema, ProofSchema

api_blp = Blueprint("ledger_api", __name__, url_prefix="/api/v1/ledger",
                    description="The tamper-evident audit ledger")


@api_blp.route("/checkpoints/latest")
class LatestCheckpoint(MethodView):
    @api_blp.response(200, CheckpointSchema)
    def get(self):
        """The latest signed checkpoint and the key that signed it."""
        return {**tree.latest_checkpoint().as_document(), "public_key": signing.public_key_pem()}


@api_blp.route("/entries/<bigint:entry_id>/proof")
class EntryProof(MethodView):
    @api_blp.response(200, ProofSchema)
    @scope_required("ledger:read")
    def get(self, entry_id: int):
        """RFC 6962 inclusion proof of an entry against the latest checkpoint;
        check it offline with `hub/ledger/verifier.py`."""
        return tree.inclusion_proof(entry_id)
