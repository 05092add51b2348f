"""Browser tests drive Debian's Chromium (package `chromium`, installed by
scripts/test) through Playwright; no browser is downloaded. Without the
package they are skipped, except under CI, where that is a failure.

Every page a journey visits is checked as it is reached (`checked`): axe-core
(tests/browser/node_modules, installed by scripts/test from the npm registry)
finds no serious or critical accessibility violation, and the page does not
scroll sideways at the width it is shown at. With HUB_GUIDE_SCREENSHOTS=1 the
journeys also write the user guide's pictures (docs/guide/images/)."""
import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.live_app import _fresh_connections_for_the_server_process, app, live_server  # noqa: F401  (fixtures)

CHROMIUM = os.environ.get("HUB_CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
GUIDE_IMAGES = Path(__file__).resolve().parents[2] / "docs" / "guide" / "images"
BLOCKING = ("serious", "critical")


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


def accessibility_violations(page) -> list[str]:
    """axe-core's serious and critical findings on the page as it is now."""
    if not AXE.exists():
        pytest.fail(f"axe-core is missing at {AXE}: run scripts/test (or `npm ci` in tests/browser)")
    if not page.evaluate("() => typeof window.axe === 'object'"):
        # Evaluated through the browser's devtools channel, not as a <script>
        # tag: the hub's Content-Security-Policy (no inline scripts) stays on.
        page.evaluate(AXE.read_text(encoding="utf-8"))
    found = page.evaluate("() => axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map("
                          "v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map("
                          "n => n.target.join(' '))})))")
    return [f"{v['id']} ({v['impact']}): {v['help']} at {v['nodes']}" for v in found if v["impact"] in BLOCKING]


def sideways_overflow(page) -> int:
    """How many pixels the page is wider than its window (0: no sideways scroll)."""
    return page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")


@pytest.fixture
def checked():
    """`checked(page)` checks the page it is on, once per path: axe, and no
    sideways scroll. The journeys call it after every page they reach."""
    seen = set()

    def check(page):
        page.wait_for_load_state("load")
        path = urlsplit(page.url).path
        width = page.viewport_size["width"] if page.viewport_size else 0
        if (path, width) in seen:
            return page
        seen.add((path, width))
        problems = accessibility_violations(page)
        assert not problems, f"{path}: " + "; ".join(problems)
        assert sideways_overflow(page) <= 0, f"{path} scrolls sideways at {width} px"
        return page
    return check


@pytest.fixture
def shot():
    """`shot(page, name)`: the guide's picture of the page, written only when
    HUB_GUIDE_SCREENSHOTS=1 (the pictures are committed with the guide)."""
    def take(page, name: str, *, full_page: bool = False):
        if os.environ.get("HUB_GUIDE_SCREENSHOTS") == "1":
            GUIDE_IMAGES.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(GUIDE_IMAGES / f"{name}.png"), full_page=full_page)
    return take
