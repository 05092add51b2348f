"""Officer request → chief approval → partner consent with fewer cameras →
the officer sees only those cameras → the partner revokes → the officer is
refused. In Debian's Chromium. The consent link is the one the agency's
client builds (PKCE, authorization_details)."""
import json
from datetime import timedelta
from urllib.parse import urlencode

from hub.clock import utcnow
from hub.extensions import db
from hub.grants.clients import create_client
from hub.identity.roles import Role
from hub.reads.ingest import ingest_batch
from tests.browser.test_partner_journey import sign_in
from tests.conftest import make_camera, make_organisation, make_partner, make_user
from tests.conftest import OPERATOR

REDIRECT = "https://records.corcoran.example/oauth/callback"


def test_request_consent_use_and_revocation(app, browser, hub_url):
    with app.app_context():
        agency = make_organisation()
        chief = make_user("chief", Role.CHIEF, agency, totp=True)
        make_user("ofc", Role.OFFICER, agency, trained=True, authorised=True)
        hoa = make_partner("Rush Creek HOA")
        make_user("owner", Role.PARTNER_ADMIN, hoa)
        gate, back = make_camera(hoa, "Main gate"), make_camera(hoa, "Back gate")
        now = utcnow()
        for camera in (gate, back):
            ingest_batch(camera, [{"read_id": f"{camera.id}-1", "plate": f"GAT{camera.id:03d}",
                                   "captured_at": (now - timedelta(hours=3)).isoformat()}])
        client, _ = create_client(OPERATOR, name="Records", redirect_uris=[REDIRECT])
        ids = {"gate": gate.id, "back": back.id, "client": client.client_id, "chief_totp": chief.totp_secret}
        db.session.commit()
    start = (utcnow() - timedelta(hours=6)).strftime("%Y-%m-%dT%H:%M")
    end = (utcnow() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")

    officer = browser.new_context().new_page()
    sign_in(officer, hub_url, "ofc")
    officer.goto(f"{hub_url}/grants/requests/new")
    officer.select_option("#camera_ids", [str(ids["gate"]), str(ids["back"])])
    officer.fill("#case_number", "ICR-2026-0999")
    officer.select_option("#offense_type", "burglary")
    officer.fill("#factual_basis", "Suspect vehicle seen near the HOA entrance")
    officer.fill("#window_start", start)
    officer.fill("#window_end", end)
    officer.select_option("#duration", "24")
    officer.click("main button[type=submit]")
    officer.wait_for_selector("#request-status")
    request_id = int(officer.url.rstrip("/").rsplit("/", 1)[1])

    chief = browser.new_context().new_page()
    sign_in(chief, hub_url, "chief", ids["chief_totp"])
    chief.goto(f"{hub_url}/grants/review")
    card = chief.locator(f"#request-{request_id}")
    card.locator("textarea").first.fill("Pertinent to an active burglary investigation")
    card.locator("button", has_text="Approve").click()
    chief.wait_for_selector("text=approved: sent to the partner")

    partner = browser.new_context().new_page()
    sign_in(partner, hub_url, "owner")
    partner.goto(f"{hub_url}/notifications")
    assert partner.is_visible(f"text=Access request {request_id}")
    assert "ICR-2026-0999" not in partner.content()
    details = json.dumps([{"type": "alpr_camera_access", "request_id": request_id}])
    partner.goto(f"{hub_url}/oauth/authorize?" + urlencode({
        "response_type": "code", "client_id": ids["client"], "redirect_uri": REDIRECT, "state": "s1",
        "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", "code_challenge_method": "S256",
        "authorization_details": details}))
    assert partner.is_visible(f"text=request {request_id}") and "ICR-2026-0999" not in partner.content()
    partner.uncheck(f"input[name=camera_ids][value='{ids['back']}']")
    with partner.expect_request(lambda r: r.url.startswith(REDIRECT)):
        partner.click("button[value=approve]")

    officer.reload()
    officer.click("text=View granted reads")
    table = officer.inner_text("#granted-reads")
    assert f"GAT{ids['gate']:03d}" in table and f"GAT{ids['back']:03d}" not in table
    assert "Main gate" in table and "Back gate" not in table

    partner.goto(f"{hub_url}/grants")
    partner.fill("input[name=reason]", "Board decided to stop sharing")
    partner.click("#grants button.danger")
    partner.wait_for_selector("text=Grant revoked")

    officer.goto(f"{hub_url}/grants/requests/{request_id}")
    assert officer.is_visible(".grant-summary >> text=revoked")
    grant_link = officer.locator("text=View granted reads").get_attribute("href")
    refused = officer.goto(f"{hub_url}{grant_link}")
    assert refused.status == 401 and "revoked" in officer.content()
