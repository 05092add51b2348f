"""The public portal in Chromium: each page loads without a console error,
reads at a phone's width without scrolling sideways, and passes axe-core's
accessibility rules with no serious or critical violation (axe-core from
the npm registry, installed by scripts/test, injected into each page)."""
from datetime import timedelta
from pathlib import Path

import pytest

from hub.cameras.models import SharingMode
from hub.cameras.sharing import set_sharing_mode
from hub.clock import utcnow
from hub.extensions import db
from hub.identity.roles import Role
from hub.ledger.tree import seal_and_checkpoint
from hub.reads.ingest import ingest_batch
from hub.search.services import search
from hub.suspension.services import order_suspension
from hub.transparency.log_of_use import aggregate_day
from hub.transparency.metrics import compute_month
from tests.conftest import OPERATOR, make_camera, make_organisation, make_partner, make_user

AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
PAGES = ["/transparency", "/transparency/rules", "/transparency/log-of-use", "/transparency/usage",
         "/transparency/searches"]


def populate():
    agency, hoa = make_organisation(), make_partner("Rush Creek HOA")
    owner = make_user("owner", Role.PARTNER_ADMIN, hoa)
    officer = make_user("ofc", Role.OFFICER, agency, trained=True, authorised=True)
    city, gate = make_camera(agency, "CR 30"), make_camera(hoa, "Gate", latitude=45.11, longitude=-93.58)
    set_sharing_mode(owner, gate, SharingMode.SHARED, reason="board vote")
    now = utcnow()
    for camera in (city, gate):
        ingest_batch(camera, [{"read_id": f"{camera.id}-{i}", "plate": f"ABC{i}{camera.id}",
                               "captured_at": (now - timedelta(minutes=5 + i)).isoformat()} for i in range(3)])
    search(officer, {"plate": "ABC0*", "reason": "theft", "case_number": "CPD-26-000001", "basis": "seen"})
    aggregate_day(OPERATOR, now.date())
    compute_month(OPERATOR, now.date())
    order_suspension(OPERATOR, reference="Admin Order 26-01", ordered_on=now.date(), summary="Audit findings")
    seal_and_checkpoint()
    db.session.commit()


@pytest.mark.parametrize("path", PAGES)
def test_portal_page_is_accessible_and_error_free(app, browser, hub_url, path):
    if not AXE.is_file():
        pytest.fail(f"axe-core is missing at {AXE}: run scripts/test (npm ci --prefix tests/browser)")
    with app.app_context():
        populate()
    # The hub's Content-Security-Policy rightly refuses inline scripts; the checker is let in.
    context = browser.new_context(viewport={"width": 390, "height": 844}, bypass_csp=True)
    page = context.new_page()
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    response = page.goto(hub_url + path)
    assert response.status == 200
    assert "The readers' use is suspended" in page.inner_text("main")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), "scrolls sideways"
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    serious = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]
               if v["impact"] in ("serious", "critical")]
    assert serious == []
    assert errors == []
    context.close()
