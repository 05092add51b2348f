"""The live server's app knows its own address (see tests/live_app.py)."""
from tests.live_app import _fresh_connections_for_the_server_process, app, live_server  # noqa: F401  (fixtures)
