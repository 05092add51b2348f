"""Fixtures for tests that run the hub in a live server. The live server
changes its app's config (SERVER_NAME), so these tests get an app of their
own on the suite's database; it must not reach other tests. The app knows
its own address: HUB_BASE_URL is where the server listens, chosen before it
starts (the OAuth issuer, and so the `iss` a client checks, comes from it).
A directory of such tests imports these fixtures in its conftest."""
import pytest


@pytest.fixture(scope="session")
def app(app_config):
    from flask_migrate import upgrade

    from tests.conftest import build_app, free_port
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


@pytest.fixture(autouse=True)
def _fresh_connections_for_the_server_process(app):
    """The live server forks this process: it must not inherit open
    database connections."""
    from hub.extensions import db
    with app.app_context():
        db.engine.dispose()
