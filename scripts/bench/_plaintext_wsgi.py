"""The WSGI app with plates stored in clear, for the ingest benchmark's
encryption-off run only (see `_plaintext`)."""
from _plaintext import store_plates_in_clear

store_plates_in_clear()

from wsgi import app  # noqa: E402,F401
