from tests.live_app import _fresh_connections_for_the_server_process, app  # noqa: F401  (fixtures)
