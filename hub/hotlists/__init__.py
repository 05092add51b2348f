"""Hotlists: manual entries by ALPR administrators and the state/NCIC hot
files imported in batch, matched against every verified read on ingest."""
