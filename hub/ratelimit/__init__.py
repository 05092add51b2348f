"""Rate limits on what anyone can try without credentials, and floods kept
out of the ledger: see `limits` (which endpoints, how often) and `failures`
(one ledger entry per kind of failure and window)."""
