"""Reasoned search over the reads of every camera the user may see now
(DESIGN.md 3.5 and 4a): a reason, a case number and a factual basis on every
search, the policy engine's decision, the ledger's record, and exports that
carry the ledger reference."""
