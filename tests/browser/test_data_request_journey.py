"""An outside agency's scanned letter → records staff confirm its fields
beside its pages → an officer prepares the search → the chief approves →
the requester downloads the signed release package. In Debian's Chromium."""
import dataclasses
from datetime import timedelta

from hub.clock import utcnow
from hub.data_requests import package
from hub.ledger import signing
from tests.browser.test_partner_journey import sign_in
from tests.data_requests import letter_samples as samples
from tests.data_requests.conftest import agency_world


def test_letter_confirm_approve_and_download(app, browser, hub_url, tmp_path):
    with app.app_context():
        world = agency_world()
        chief_totp = world["chief"].totp_secret
    letter = tmp_path / "rogers-request.png"
    letter.write_bytes(samples.png(samples.render(samples.form_lines(
        dataclasses.replace(samples.Letter(), authorization_statement=None)))))
    start = (utcnow() - timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    end = (utcnow() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")

    requester = browser.new_context(accept_downloads=True).new_page()
    sign_in(requester, hub_url, "rogers-det")
    requester.click("nav >> text=Data requests")
    requester.click("text=Send a scanned request letter")
    requester.set_input_files("#letter", str(letter))
    requester.select_option("#offense_type", "burglary")
    requester.fill("#plates", "ABC123")
    requester.fill("#window_start", start)
    requester.fill("#window_end", end)
    requester.click("main button[type=submit]")
    requester.wait_for_selector("text=letter received: fields being checked")
    request_id = int(requester.url.rstrip("/").rsplit("/", 1)[1])

    records = browser.new_context().new_page()
    sign_in(records, hub_url, "rec")
    records.click("nav >> text=Records requests")
    records.click(f"text=#{request_id}")
    records.wait_for_selector("#review img[alt='Page 1 of the letter']")
    assert records.locator("#review .not-found").count() == 1
    assert records.input_value("#review-case_number") == "RPD-25-004417"
    records.fill("#review-authorization_statement", "Authorised by Chief Matthew Lenz, as his signature shows.")
    records.click("text=Confirm the fields")
    records.wait_for_selector("text=received: search being prepared")

    officer = browser.new_context().new_page()
    sign_in(officer, hub_url, "ofc")
    officer.click("nav >> text=Data requests to prepare")
    officer.click(f"text=#{request_id}")
    officer.click("text=Send to the chief")
    officer.wait_for_selector("text=awaiting the chief's decision")

    chief = browser.new_context().new_page()
    sign_in(chief, hub_url, "chief", chief_totp)
    chief.click("nav >> text=Data requests to decide")
    chief.click(f"text=#{request_id}")
    chief.check("#decide-decision-0")
    chief.check("#decide-reasonable_suspicion")
    chief.fill("#decide-finding", "The vehicle seen at the burglary is pertinent to Rogers' active investigation.")
    chief.click("text=Record the decision")
    chief.wait_for_selector("text=approved: release package ready")

    requester.reload()
    with requester.expect_download() as download:
        requester.click("text=Download the release package")
    made = open(download.value.path(), "rb").read()
    with app.app_context():
        verified = package.verify(made, signing.verifier_keys(), signing.origin())
    assert verified.manifest["request"]["id"] == request_id and verified.manifest["reads"] == 2
    requester.reload()
    assert requester.is_visible("text=Release package downloaded")
