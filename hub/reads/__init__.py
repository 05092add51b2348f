"""License-plate reads: ingestion from cameras, plate OCR, storage at scale."""
