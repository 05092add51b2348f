"""The live server's app knows its own address: HUB_BASE_URL is where the
server listens, chosen before it starts (the OAuth issuer comes from it)."""
import pytest

from tests.conftest import free_port
from tests.live_app import _fresh_connections_for_the_server_process  # noqa: F401  (fixture)


@pytest.fixture(scope="session")
def app(app_config):
    """An app of its own on the suite's database (the live server changes
    its config), serving at the address it is configured with."""
    from flask_migrate import upgrade

    from tests.conftest import build_app
    port = free_port()
    application = build_app({**app_config, "BASE_URL": f"http://localhost:{port}", "LIVESERVER_PORT": port})
    with application.app_context():
        upgrade()
    return application


@pytest.fixture(scope="session")
def live_server(app):
    """This directory's own running hub, on the app above: pytest-flask's
    session-wide server may already be serving another directory's app."""
    from pytest_flask.live_server import LiveServer

    from hub.extensions import db
    with app.app_context():
        db.engine.dispose()  # the server process must not inherit open connections
    server = LiveServer(app, "localhost", app.config["LIVESERVER_PORT"], wait=10)
    server.start()
    yield server
    server.stop()
