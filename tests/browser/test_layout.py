"""Pages stay readable on a 390 px phone screen, with a 200-character
organisation name and a 5,000-character factual basis in them (nothing
scrolls sideways; axe-core finds no serious violation), and the alert board
works from the keyboard alone, live updates paused and resumed."""
import json
from datetime import timedelta
from urllib.parse import urlencode

import requests

from hub.clock import utcnow
from hub.extensions import db
from hub.grants.clients import create_client
from hub.grants.requests import create_request, decide_request
from hub.hotlists.services import add_entry
from hub.identity.roles import Role
from hub.reads.ingest import ingest_batch
from tests.browser.test_partner_journey import sign_in
from tests.conftest import OPERATOR, make_camera, make_organisation, make_partner, make_user

LONG_NAME = ("Rush Creek Preserve Homeowners Association of Corcoran Minnesota " * 4)[:200]
LONG_BASIS = ("The suspect vehicle, a dark blue sedan with a damaged rear bumper, was seen leaving the scene "
              "of the burglary on Rush Creek Boulevard shortly after the alarm sounded; ") * 40
PHONE = {"width": 390, "height": 844}


def long_strings_world(app):
    with app.app_context():
        agency = make_organisation()
        chief = make_user("chief", Role.CHIEF, agency, trained=True, authorised=True, totp=True)
        officer = make_user("ofc", Role.OFFICER, agency, trained=True, authorised=True)
        hoa = make_partner(LONG_NAME)
        make_user("owner", Role.PARTNER_ADMIN, hoa)
        gate, back = make_camera(hoa, "Main gate"), make_camera(hoa, "Back gate")
        now = utcnow()
        for camera in (gate, back):
            ingest_batch(camera, [{"read_id": f"{camera.id}-1", "plate": f"LNG{camera.id:03d}",
                                   "captured_at": (now - timedelta(hours=3)).isoformat()}])
        request = create_request(officer, camera_ids=[gate.id, back.id], case_number="ICR-2026-1234",
                                 offense_type="burglary", factual_basis=LONG_BASIS[:5000],
                                 window_start=now - timedelta(hours=6), window_end=now - timedelta(hours=1),
                                 access_hours=24)
        other = create_request(officer, camera_ids=[gate.id], case_number="ICR-2026-1235", offense_type="burglary",
                               factual_basis=LONG_BASIS[:5000], window_start=now - timedelta(hours=6),
                               window_end=now - timedelta(hours=1), access_hours=24)
        decide_request(chief, request, approve=True, finding="Pertinent")
        client, _ = create_client(OPERATOR, name="Records", redirect_uris=["https://records.example/cb"])
        db.session.commit()
        return {"request": request.id, "pending": other.id, "gate": gate.id, "client": client.client_id,
                "chief_totp": chief.totp_secret}


def consent_url(world) -> str:
    return "/oauth/authorize?" + urlencode({
        "response_type": "code", "client_id": world["client"], "redirect_uri": "https://records.example/cb",
        "state": "s", "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        "code_challenge_method": "S256",
        "authorization_details": json.dumps([{"type": "alpr_camera_access", "request_id": world["request"]}])})


def test_pages_fit_a_phone_with_long_names_and_texts(app, browser, hub_url, checked, shot):
    world = long_strings_world(app)
    pages = {
        "owner": ["/", "/cameras", f"/cameras/{world['gate']}", f"/cameras/{world['gate']}/access-log",
                  "/notifications", "/grants", "/reads/unverified", consent_url(world), "/partners/terms"],
        "ofc": ["/", "/search", "/alerts", "/alerts/all", "/grants/requests", f"/grants/requests/{world['request']}",
                "/grants/requests/new", "/cameras"],
        "chief": ["/", "/grants/review", "/ledger", "/admin/users", "/retention/destruction"],
    }
    for username, paths in pages.items():
        page = browser.new_context(viewport=PHONE).new_page()
        sign_in(page, hub_url, username, world["chief_totp"] if username == "chief" else None)
        for path in paths:
            page.goto(f"{hub_url}{path}")
            checked(page)
        if username == "ofc":
            page.goto(f"{hub_url}/")
            shot(page, "phone-officer-home", full_page=True)
        page.context.close()
    anonymous = browser.new_context(viewport=PHONE).new_page()
    for path in ("/login", "/partners/sign-up", "/transparency"):
        anonymous.goto(f"{hub_url}{path}")
        checked(anonymous)


def test_the_alert_board_by_keyboard_alone(app, browser, hub_url, checked, camera_world, shot):
    with app.app_context():
        add_entry(make_user("sgt", Role.ALPR_ADMIN, trained=True, authorised=True), plate="KEY42",
                  reason_category="stolen_vehicle", case_number="ICR-42", priority="high",
                  expires_at=utcnow() + timedelta(days=3))
        db.session.commit()
    page = browser.new_context().new_page()
    sign_in(page, hub_url, "ofc")
    page.goto(f"{hub_url}/alerts")
    checked(page)
    page.focus("#alert-board-pause")
    page.keyboard.press("Enter")
    assert page.get_attribute("#alert-board-pause", "aria-pressed") == "true"
    page.wait_for_timeout(500)
    answer = requests.post(f"{hub_url}/api/v1/reads", timeout=10,
                           headers={"Authorization": f"Bearer {camera_world['city']['credential']}"},
                           json={"reads": [{"read_id": "key1", "plate": "KEY42",
                                            "captured_at": utcnow().isoformat(), "confidence": 0.99}]})
    assert answer.json()["alerts"] == 1
    page.wait_for_selector("text=Resume live updates (1 waiting)", timeout=10000)
    assert not page.is_visible("#alert-board >> text=KEY42")
    page.keyboard.press("Enter")
    page.wait_for_selector("#alert-board >> text=KEY42")
    assert "New alert: KEY42" in page.inner_text("#alert-board-news")
    shot(page, "officer-alert-board")
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "KEY42":
            break
    page.keyboard.press("Enter")
    page.wait_for_selector("#alert-status")
    checked(page)
    page.focus("input[value=verified]")
    page.keyboard.press("Space")
    for check in ("plate_matches_image", "entry_current_in_source", "vehicle_description_matches"):
        page.focus(f"#{check}")
        page.keyboard.press("Space")
    page.focus("#reason")
    page.keyboard.type("State system: stolen, reported 11/25")
    shot(page, "officer-alert", full_page=True)
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Verified: actionable.")
