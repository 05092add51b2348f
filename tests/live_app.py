"""Fixtures for tests that run the hub in pytest-flask's live server. The
live server changes its app's config (SERVER_NAME), so these tests get an app
of their own on the suite's database; it must not reach other tests. A
directory of such tests imports these fixtures in its conftest."""
import pytest


@pytest.fixture(scope="session")
def app(app_config):
    """An app of its own on the suite's database: pytest-flask's live server
    changes its app's config (SERVER_NAME), which must not reach other tests."""
    from flask_migrate import upgrade

    from tests.conftest import build_app
    application = build_app(app_config)
    with application.app_context():
        upgrade()
    return application


@pytest.fixture(autouse=True)
def _fresh_connections_for_the_server_process(app):
    """The live server forks this process: it must not inherit open
    database connections."""
    from hub.extensions import db
    with app.app_context():
        db.engine.dispose()
