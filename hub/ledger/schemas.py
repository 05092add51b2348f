from marshmallow import Schema, fields, validate

from hub.input_guard import MAX_INT64


class CheckpointSchema(Schema):
    origin = fields.Str()
    tree_size = fields.Int()
    root_hash = fields.Str(metadata={"description": "RFC 6962 root (hex)"})
    chain_hash = fields.Str()
    created_at = fields.Str()
    key_id = fields.Str(metadata={"description": "The signing key's note key id (hex)"})
    signature = fields.Str(metadata={"description": "base64(key id || Ed25519 signature) of the note"})
    note = fields.Str(metadata={"description": "The checkpoint as a C2SP signed note, with cosignatures"})
    verifier_keys = fields.List(fields.Str(), metadata={"description": "Note verifier keys of the log, old ones "
                                                                       "included"})


class EntrySchema(Schema):
    id = fields.Int()
    position = fields.Int(metadata={"description": "1-based leaf position in the tree"})
    at = fields.Str()
    actor_id = fields.Int(allow_none=True)
    actor = fields.Str()
    actor_org_id = fields.Int(allow_none=True)
    action = fields.Str()
    subject_type = fields.Str(allow_none=True)
    subject_id = fields.Str(allow_none=True)
    purpose = fields.Str(allow_none=True)
    case_number = fields.Str(allow_none=True)
    details = fields.Str(allow_none=True, metadata={"description": "Canonical JSON text, as hashed"})
    withheld = fields.List(fields.Str(), metadata={
        "description": "Fields withheld from this reader (an owner does not see an investigation's content); "
                       "the leaf hash stands for the whole entry"})
    private_digest = fields.Str(allow_none=True)
    leaf_hash = fields.Str()
    chain_hash = fields.Str()


class ProofArgs(Schema):
    size = fields.Int(validate=validate.Range(min=1, max=MAX_INT64), metadata={"description": "Tree size to prove inclusion in"})


class ProofSchema(Schema):
    entry = fields.Nested(EntrySchema)
    leaf_index = fields.Int()
    tree_size = fields.Int()
    root_hash = fields.Str(metadata={"description": "Root of the tree at tree_size (hex)"})
    audit_path = fields.List(fields.Str())
    consistency_path = fields.List(fields.Str(), metadata={"description": "From tree_size to the checkpoint"})
    checkpoint = fields.Nested(CheckpointSchema)


class ConsistencyArgs(Schema):
    first = fields.Int(required=True, data_key="from", validate=validate.Range(min=0, max=MAX_INT64))
    second = fields.Int(data_key="to", validate=validate.Range(min=0, max=MAX_INT64))


class ConsistencySchema(Schema):
    first = fields.Int(data_key="from")
    second = fields.Int(data_key="to")
    first_root = fields.Str()
    second_root = fields.Str()
    proof = fields.List(fields.Str(), metadata={"description": "RFC 6962 consistency proof, hashes in hex"})
    checkpoint = fields.Nested(CheckpointSchema)
