"""Owner-keyed encryption at rest: per-organisation, per-day data keys,
wrapped by the key-encryption key from configuration and kept outside the
database, so that destroying a day's key makes its reads unreadable
wherever the database was copied."""
