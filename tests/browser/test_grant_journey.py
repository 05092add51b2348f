"""The whole story, in Debian's Chromium, with the demo agency's own system
(`hub demo agency-client`, shipped with the hub) and no script in between:
a partner signs up, the agency approves, the partner registers two cameras
and keeps them private; an officer asks for access, the chief approves, the
agency's system hands the consent link, the partner consents to fewer
cameras by keyboard alone, the officer sees only those cameras' reads, the
partner revokes, and the officer is refused. The cameras push their reads
with the credential their owner issued, as cameras do."""
import threading
from datetime import timedelta

import pytest
import requests
from werkzeug.serving import make_server

from hub.clock import utcnow
from hub.demo.agency_client import ClientSettings, create_client_app, poll_forever
from hub.extensions import db
from hub.grants.clients import create_client
from hub.identity.roles import Role
from tests.browser.test_partner_journey import approve, join, register_camera, set_sharing, sign_in
from tests.conftest import OPERATOR, free_port, make_organisation, make_user


@pytest.fixture
def agency_system(app, live_server, tmp_path):
    """The demo agency's records system, served and polling as
    `hub demo agency-client` runs it beside the hub."""
    url = f"http://127.0.0.1:{free_port()}"
    with app.app_context():
        client, secret = create_client(OPERATOR, name="Corcoran records system (demo)",
                                       redirect_uris=[f"{url}/callback"], organisation=make_organisation())
        db.session.commit()
        client_id = client.client_id
    client_app = create_client_app(ClientSettings(hub_url=app.config["BASE_URL"], own_url=url, client_id=client_id,
                                                  client_secret=secret, store=tmp_path / "agency-client.json"))
    server = make_server("127.0.0.1", int(url.rsplit(":", 1)[1]), client_app, threaded=True)
    stop = threading.Event()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    threading.Thread(target=poll_forever, args=(client_app.extensions["agency_client"], stop), daemon=True).start()
    yield url
    stop.set()
    server.shutdown()


def push_reads(hub_url, credential, plate, hours_ago=3):
    """What the camera does with the credential its owner configured."""
    captured = (utcnow() - timedelta(hours=hours_ago)).isoformat()
    answer = requests.post(f"{hub_url}/api/v1/reads", headers={"Authorization": f"Bearer {credential}"}, timeout=10,
                           json={"reads": [{"read_id": f"{plate}-1", "plate": plate, "captured_at": captured,
                                            "confidence": 0.99}]})
    assert answer.json()["accepted"] == [f"{plate}-1"]


def camera_with_reads(partner, hub_url, checked, shot, name, plate, latitude):
    camera_id = register_camera(partner, hub_url, checked, shot, name, latitude=latitude)
    set_sharing(partner, "private", "Board decided: nothing without our consent")
    partner.click("text=Issue credential")
    push_reads(hub_url, partner.inner_text("#new-credential").strip(), plate)
    return camera_id


def test_the_whole_story_in_the_browser(app, browser, checked, shot, agency_system):
    hub_url = app.config["BASE_URL"]
    with app.app_context():
        agency = make_organisation()
        admin = make_user("admin", Role.HUB_ADMIN, agency, totp=True)
        chief = make_user("chief", Role.CHIEF, agency, trained=True, authorised=True, totp=True)
        make_user("ofc", Role.OFFICER, agency, trained=True, authorised=True)
        secrets = {"admin": admin.totp_secret, "chief": chief.totp_secret}
        db.session.commit()

    partner = browser.new_context().new_page()
    join(partner, hub_url, checked, shot)
    staff = browser.new_context().new_page()
    sign_in(staff, hub_url, "admin", secrets["admin"])
    approve(staff, checked, shot)
    partner.goto(f"{hub_url}/")
    checked(partner)
    shot(partner, "partner-home")
    gate = camera_with_reads(partner, hub_url, checked, shot, "Main gate", "GATE01", "45.0811")
    back = camera_with_reads(partner, hub_url, checked, shot, "Back gate", "BACK01", "45.0822")
    shot(partner, "partner-camera", full_page=True)

    officer = browser.new_context().new_page()
    sign_in(officer, hub_url, "ofc")
    checked(officer)
    shot(officer, "officer-home")
    officer.click("header nav >> text=My requests")
    checked(officer)
    officer.click("text=New request")
    checked(officer)
    officer.select_option("#camera_ids", [str(gate), str(back)])
    officer.fill("#case_number", "ICR-2026-0999")
    officer.select_option("#offense_type", "burglary")
    officer.fill("#factual_basis", "Suspect vehicle seen near the HOA entrance")
    officer.fill("#window_start", (utcnow() - timedelta(hours=6)).strftime("%Y-%m-%dT%H:%M"))
    officer.fill("#window_end", (utcnow() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    officer.select_option("#duration", "24")
    shot(officer, "officer-new-request", full_page=True)
    officer.click("main button[type=submit]")
    officer.wait_for_selector("#request-status")
    checked(officer)
    request_id = int(officer.url.rstrip("/").rsplit("/", 1)[1])

    chief_page = browser.new_context().new_page()
    sign_in(chief_page, hub_url, "chief", secrets["chief"])
    chief_page.click("header nav >> text=Requests to decide")
    checked(chief_page)
    card = chief_page.locator(f"#request-{request_id}")
    assert "Main gate, Back gate" in card.inner_text()
    card.locator("textarea").first.fill("Pertinent to an active burglary investigation")
    shot(chief_page, "chief-review")
    card.locator("button", has_text="Approve").click()
    chief_page.wait_for_selector("text=approved: sent to the partner")

    # The agency's system hands the consent link by itself; the partner's message leads to the consent screen.
    partner.click("header nav >> text=Messages")
    for _ in range(20):
        if partner.is_visible(f"text=Decide on access request {request_id}"):
            break
        partner.wait_for_timeout(500)
        partner.reload()
    checked(partner)
    assert "ICR-2026-0999" not in partner.content()
    shot(partner, "partner-messages")
    partner.locator("section", has_text=f"Decide on access request {request_id}").locator("a", has_text="Open").click()
    partner.wait_for_selector("#consent-form")
    checked(partner)
    assert partner.is_visible("text=Corcoran records system (demo)") and "ICR-2026-0999" not in partner.content()
    shot(partner, "partner-consent", full_page=True)
    consent_by_keyboard(partner, back_camera_index=1)
    partner.wait_for_url(f"{agency_system}/**")
    checked(partner)
    client_page = partner.inner_text("main")
    assert "granted" in client_page and "GATE01" in client_page and "BACK01" not in client_page
    shot(partner, "agency-system", full_page=True)

    officer.reload()
    assert officer.inner_text("#request-status") == "granted"
    officer.click("text=View granted reads")
    checked(officer)
    table = officer.inner_text("#granted-reads")
    assert "GATE01" in table and "BACK01" not in table and "Main gate" in table and "Back gate" not in table
    shot(officer, "officer-granted-reads")

    partner.goto(f"{hub_url}/")
    partner.click("header nav >> text=Grants you gave")
    checked(partner)
    shot(partner, "partner-grants")
    partner.fill("input[name=reason]", "Board decided to stop sharing")
    partner.click("#grants button.danger")
    partner.wait_for_selector("text=Grant revoked")

    officer.goto(f"{hub_url}/grants/requests/{request_id}")
    checked(officer)
    assert officer.inner_text("#request-status") == "granted, then revoked"
    assert not officer.is_visible("text=View granted reads")
    shot(officer, "officer-request-revoked")
    system = browser.new_context().new_page()
    system.goto(agency_system)
    assert "Refused" in system.inner_text("main") and "GATE01" not in system.inner_text("main")


def consent_by_keyboard(page, back_camera_index):
    """The consent screen used without a mouse: Tab to the camera to leave
    out, Space to uncheck it, Tab to "Grant access", Enter."""
    page.focus("#camera-0")
    for _ in range(back_camera_index):
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == f"camera-{back_camera_index}"
    page.keyboard.press("Space")
    assert not page.is_checked(f"#camera-{back_camera_index}")
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.value") == "approve":
            break
    page.keyboard.press("Enter")
