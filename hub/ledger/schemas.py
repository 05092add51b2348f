from marshmallow import Schema, fields


class CheckpointSchema(Schema):
    origin = fields.Str()
    tree_size = fields.Int()
    root_hash = fields.Str()
    chain_hash = fields.Str()
    created_at = fields.Str()
    key_id = fields.Str()
    signature = fields.Str(metadata={"description": "Ed25519 signature (base64) over the checkpoint message"})
    public_key = fields.Str(metadata={"description": "The hub's ledger public key (PEM)"})


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


class ProofSchema(Schema):
    entry = fields.Nested(EntrySchema)
    leaf_index = fields.Int()
    audit_path = fields.List(fields.Str())
    checkpoint = fields.Nested(CheckpointSchema)
