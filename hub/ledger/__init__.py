"""The tamper-evident audit ledger (DESIGN.md section 4)."""
