"""Browser tests drive Debian's Chromium (package `chromium`, installed by
scripts/test) through Playwright; no browser is downloaded. Without the
package they are skipped, except under CI, where that is a failure."""
import os
import shutil

import pytest

CHROMIUM = os.environ.get("HUB_CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        if os.environ.get("CI") == "true":
            pytest.fail(f"Chromium is missing at {CHROMIUM}: install Debian's 'chromium' package")
        pytest.skip(f"Chromium is missing at {CHROMIUM}: install Debian's 'chromium' package")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield instance
        instance.close()


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


@pytest.fixture
def hub_url(app, live_server):
    return live_server.url()


@pytest.fixture(autouse=True)
def _fresh_connections_for_the_server_process(app):
    """The live server forks this process: it must not inherit open
    database connections."""
    from hub.extensions import db
    with app.app_context():
        db.engine.dispose()
