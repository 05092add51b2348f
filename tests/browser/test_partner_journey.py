"""A partner signs up, the agency approves, the partner registers a camera
and chooses how the police may see it, in a real browser. The steps are
helpers the whole consent story (test_grant_journey.py) walks too."""
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


def join(partner, hub_url, checked, shot, *, name="Rush Creek HOA", username="ann"):
    """Sign-up from the sign-in page, then the page that says it is under review."""
    partner.goto(f"{hub_url}/login")
    partner.click("text=Join the network")
    checked(partner)
    partner.fill("#organisation_name", name)
    partner.select_option("#kind", "hoa")
    partner.fill("#contact_name", "Ann Board")
    partner.fill("#contact_email", "board@rushcreek.example")
    partner.fill("#display_name", "Ann Board")
    partner.fill("#username", username)
    partner.fill("#password", PASSWORD)
    partner.check("#accept_terms")
    shot(partner, "partner-sign-up", full_page=True)
    partner.click("main button[type=submit]")
    partner.wait_for_url(f"{hub_url}/partners/sign-up/received")
    checked(partner)
    partner.click("main >> text=Sign in")
    partner.fill("#username", username)
    partner.fill("#password", PASSWORD)
    partner.click("main button[type=submit]")
    partner.wait_for_url(f"{hub_url}/")
    assert partner.is_visible("text=Partnership under review")
    checked(partner)
    shot(partner, "partner-under-review")


def approve(agency, checked, shot, name="Rush Creek HOA"):
    """The agency's review of the partnership, from its home page."""
    agency.click("text=Review partnerships")
    checked(agency)
    request = agency.locator(".partner-request", has_text=name)
    request.locator("input[name=reason]").first.fill("Board verified by phone")
    shot(agency, "admin-partnership-review")
    request.locator("button", has_text="Approve").click()
    agency.wait_for_selector(f"text={name}: partnership approved.")


def register_camera(partner, hub_url, checked, shot, name, latitude="45.0811", longitude="-93.5312"):
    """A camera registered from the home page; its page comes next."""
    partner.goto(f"{hub_url}/")
    partner.click("a[href='/cameras/new']")
    checked(partner)
    partner.fill("#name", name)
    partner.fill("#location_description", f"{name}, Rush Creek Blvd")
    partner.fill("#latitude", latitude)
    partner.fill("#longitude", longitude)
    partner.select_option("#direction", "inbound")
    partner.fill("#installed_on", "2026-11-20")
    shot(partner, "partner-register-camera", full_page=True)
    partner.click("main button[type=submit]")
    partner.wait_for_selector("#sharing-mode")
    checked(partner)
    return int(partner.url.rstrip("/").rsplit("/", 1)[1])


def set_sharing(partner, mode, reason):
    partner.select_option("#sharing-sharing_mode", mode)
    partner.fill("#sharing-reason", reason)
    partner.click("form.sharing button[type=submit]")
    partner.wait_for_selector("text=Sharing mode changed")
    assert partner.inner_text("#sharing-mode") == mode


def test_sign_up_approval_registration_and_private_mode(make, browser, hub_url, checked, shot):
    make.organisation()
    admin = make.user("admin", Role.HUB_ADMIN, totp=True)
    partner = browser.new_context().new_page()
    join(partner, hub_url, checked, shot)
    agency = browser.new_context().new_page()
    sign_in(agency, hub_url, "admin", admin.totp_secret)
    approve(agency, checked, shot)

    partner.reload()
    assert not partner.is_visible("text=Partnership under review")
    register_camera(partner, hub_url, checked, shot, "Main gate")
    assert partner.inner_text("#sharing-mode") == "private"
    for mode in ("shared", "private"):
        set_sharing(partner, mode, f"Board decided: {mode}")

    partner.goto(f"{hub_url}/cameras")
    partner.wait_for_selector(".leaflet-interactive")
    checked(partner)
    assert partner.locator(".leaflet-interactive").count() == 1
    partner.click("#camera-table >> text=Main gate")
    partner.click("text=Every access to this camera")
    checked(partner)
    log = partner.inner_text("#access-log")
    assert "Sharing changed" in log and "Board decided: private" in log
