"""Browser tests drive Debian's Chromium (package `chromium`, installed by
scripts/test) through Playwright; no browser is downloaded. Without the
package they are skipped, except under CI, where that is a failure."""
import os
import shutil

import pytest

from tests.live_app import _fresh_connections_for_the_server_process, app  # noqa: F401  (fixtures)

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


@pytest.fixture
def hub_url(app, live_server):
    return live_server.url()
