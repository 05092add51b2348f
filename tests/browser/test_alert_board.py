"""An officer's alert board shows a hit without reloading the page."""
from datetime import timedelta

import requests

from hub.clock import utcnow
from hub.extensions import db
from hub.hotlists.services import add_entry
from hub.identity.roles import Role
from tests.browser.test_partner_journey import sign_in
from tests.conftest import make_user


def test_hit_appears_live_and_can_be_verified(app, browser, hub_url, camera_world):
    with app.app_context():
        add_entry(make_user("sgt", Role.ALPR_ADMIN, trained=True, authorised=True), plate="LIVE42", reason_category="stolen_vehicle",
                  case_number="ICR-42", priority="high", expires_at=utcnow() + timedelta(days=3))
        db.session.commit()
    page = browser.new_context().new_page()
    sign_in(page, hub_url, "ofc")
    page.click("text=Open the alert board")
    page.wait_for_url(f"{hub_url}/alerts")
    page.wait_for_timeout(500)
    response = requests.post(f"{hub_url}/api/v1/reads", timeout=10,
                             headers={"Authorization": f"Bearer {camera_world['city']['credential']}"},
                             json={"reads": [{"read_id": "live1", "plate": "LIVE42",
                                              "captured_at": utcnow().isoformat(), "confidence": 0.99}]})
    assert response.json()["alerts"] == 1
    page.wait_for_selector("#alert-board >> text=LIVE42", timeout=10000)
    page.click("#alert-board >> text=LIVE42")
    page.check("input[value=verified]")
    for check in ("plate_matches_image", "entry_current_in_source", "vehicle_description_matches"):
        page.check(f"#{check}")
    page.fill("#reason", "State system: stolen, reported 11/25")
    page.click("main button[type=submit]")
    page.wait_for_selector("text=Verified: actionable.")
