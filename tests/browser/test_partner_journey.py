"""A partner signs up, the agency approves, the partner registers a camera
and chooses how the police may see it, in a real browser."""
import pyotp

from hub.identity.roles import Role
from tests.conftest import PASSWORD


def sign_in(page, url, username, totp_secret=None):
    page.goto(f"{url}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    if totp_secret:
        page.wait_for_url("**/login/second-factor**")
        page.fill("#code", pyotp.TOTP(totp_secret).now())
        page.click("main button[type=submit]")
    page.wait_for_url(f"{url}/")


def test_sign_up_approval_registration_and_private_mode(make, browser, hub_url):
    make.organisation()
    admin = make.user("admin", Role.HUB_ADMIN, totp=True)

    partner = browser.new_context().new_page()
    partner.goto(f"{hub_url}/login")
    partner.click("text=Join the network")
    partner.fill("#organisation_name", "Rush Creek HOA")
    partner.select_option("#kind", "hoa")
    partner.fill("#contact_name", "Ann Board")
    partner.fill("#contact_email", "board@rushcreek.example")
    partner.fill("#display_name", "Ann Board")
    partner.fill("#username", "ann")
    partner.fill("#password", PASSWORD)
    partner.check("#accept_terms")
    partner.click("main button[type=submit]")
    partner.wait_for_url(f"{hub_url}/partners/sign-up/received")
    partner.click("main >> text=Sign in")
    partner.fill("#username", "ann")
    partner.fill("#password", PASSWORD)
    partner.click("main button[type=submit]")
    partner.wait_for_url(f"{hub_url}/")
    assert partner.is_visible("text=Partnership under review")

    agency = browser.new_context().new_page()
    sign_in(agency, hub_url, "admin", admin.totp_secret)
    agency.click("text=Review partnerships")
    request = agency.locator(".partner-request", has_text="Rush Creek HOA")
    request.locator("input[name=reason]").first.fill("Board verified by phone")
    request.locator("button", has_text="Approve").click()
    assert agency.is_visible("text=Rush Creek HOA: partnership approved.")

    partner.reload()
    assert not partner.is_visible("text=Partnership under review")
    partner.click("a[href='/cameras/new']")
    partner.fill("#name", "Main gate")
    partner.fill("#location_description", "Rush Creek Blvd entrance")
    partner.fill("#latitude", "45.0811")
    partner.fill("#longitude", "-93.5312")
    partner.select_option("#direction", "inbound")
    partner.fill("#installed_on", "2026-11-20")
    partner.click("main button[type=submit]")
    partner.wait_for_selector("#sharing-mode")
    assert partner.inner_text("#sharing-mode") == "private"

    for mode, label in (("shared", "shared"), ("private", "private")):
        partner.select_option("#sharing-sharing_mode", mode)
        partner.fill("#sharing-reason", f"Board decided: {label}")
        partner.click("form.sharing button[type=submit]")
        partner.wait_for_selector("text=Sharing mode changed")
        assert partner.inner_text("#sharing-mode") == label

    partner.goto(f"{hub_url}/cameras")
    partner.wait_for_selector(".leaflet-interactive")
    assert partner.locator(".leaflet-interactive").count() == 1
    partner.click("#camera-table >> text=Main gate")
    partner.click("text=Every access to this camera")
    log = partner.inner_text("#access-log")
    assert "Sharing changed" in log and "Board decided: private" in log
