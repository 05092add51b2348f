"""An officer searches a partial plate with a reason, a case number and a
basis, sees the results with the ledger entry, and exports them as CSV and as
the PDF evidence sheet. In Debian's Chromium."""
from datetime import timedelta

from hub.cameras.models import SharingMode
from hub.cameras.sharing import set_sharing_mode
from hub.clock import utcnow
from hub.extensions import db
from hub.identity.roles import Role
from hub.reads.ingest import ingest_batch
from tests.browser.test_partner_journey import sign_in
from tests.conftest import make_camera, make_organisation, make_partner, make_user


def test_search_then_export(app, browser, hub_url):
    with app.app_context():
        agency = make_organisation()
        make_user("ofc", Role.OFFICER, agency, trained=True, authorised=True)
        hoa = make_partner("Rush Creek HOA")
        owner = make_user("owner", Role.PARTNER_ADMIN, hoa)
        city, gate, hidden = make_camera(agency, "CR 30"), make_camera(hoa, "Main gate"), make_camera(hoa, "Back gate")
        set_sharing_mode(owner, gate, SharingMode.SHARED, reason="board vote")
        now = utcnow()
        for camera, plate in ((city, "KLM482"), (gate, "KLM489"), (hidden, "KLM481")):
            ingest_batch(camera, [{"read_id": f"{camera.id}-1", "plate": plate,
                                   "captured_at": (now - timedelta(hours=2)).isoformat()}])
        db.session.commit()

    page = browser.new_context().new_page()
    sign_in(page, hub_url, "ofc")
    page.click("header nav >> text=Search reads")
    page.fill("#search-plate", "KLM48?")
    page.select_option("#search-reason", "theft")
    page.fill("#search-case_number", "CPD-26-004411")
    page.fill("#search-basis", "Vehicle seen leaving the theft at the hardware store")
    page.click("main form button[type=submit]")
    page.wait_for_selector("#search-results")
    table = page.inner_text("#search-results")
    assert "KLM482" in table and "KLM489" in table and "KLM481" not in table
    entry = page.inner_text("#search-entry").lstrip("#")

    # The export links, fetched by the page itself with the officer's session.
    fetch = "url => fetch(url).then(r => r.text().then(t => [r.status, r.headers.get('content-type'), t]))"
    status, kind, text = page.evaluate(fetch, page.get_attribute("#export-csv", "href"))
    assert status == 200 and kind.startswith("text/csv")
    assert "search_entry_id" in text and f",{entry}," in text and "KLM489" in text and "KLM481" not in text
    status, kind, text = page.evaluate(fetch, page.get_attribute("#export-pdf", "href"))
    assert status == 200 and kind == "application/pdf" and text.startswith("%PDF")

    page.goto(f"{hub_url}/search?plate=KL")  # too short: the summary takes the focus
    page.wait_for_selector("#error-summary")
    assert page.evaluate("document.activeElement.id") == "error-summary"
