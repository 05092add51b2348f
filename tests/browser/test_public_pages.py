"""The transparency portal as a member of the public meets it: from the
portal's front page, each page it links to is reached by clicking, passes
axe-core and fits a desktop window; the pages the user guide shows
(docs/guide/public.md) are photographed for it."""
from datetime import timedelta

from hub.cameras.models import SharingMode
from hub.cameras.sharing import set_sharing_mode
from hub.clock import utcnow
from hub.extensions import db
from hub.identity.roles import Role
from hub.ledger.tree import seal_and_checkpoint
from hub.reads.ingest import ingest_batch
from hub.search.services import search
from hub.transparency.log_of_use import aggregate_day
from hub.transparency.metrics import compute_month
from tests.conftest import OPERATOR, make_camera, make_organisation, make_partner, make_user

# link text on the portal's front page -> the guide's picture, and whether it shows the whole page
PAGES = {"The rules, in plain words, with what each rests on": ("public-rules", False),
         "The log of use": ("public-log-of-use", True),
         "How the data are used": ("public-usage", False),
         "Every search": ("public-searches", True)}


def a_month_of_use():
    """Two city readers and a partner's shared gate camera, a few reads, two
    searches, the month's figures computed and the ledger sealed."""
    agency, hoa = make_organisation(), make_partner("Bass Lake Preserve HOA")
    owner = make_user("owner", Role.PARTNER_ADMIN, hoa)
    officer = make_user("ofc", Role.OFFICER, agency, trained=True, authorised=True)
    cameras = [make_camera(agency, "CR 30 at CR 101"), make_camera(agency, "CR 10 at Rolling Hills Rd",
                                                                   latitude=45.07, longitude=-93.53),
               make_camera(hoa, "Preserve gate", latitude=45.11, longitude=-93.58)]
    set_sharing_mode(owner, cameras[2], SharingMode.SHARED, reason="board vote")
    now = utcnow()
    for camera in cameras:
        ingest_batch(camera, [{"read_id": f"{camera.id}-{i}", "plate": f"KPR{i}{camera.id}",
                               "captured_at": (now - timedelta(minutes=5 + 7 * i)).isoformat()} for i in range(4)])
    for reason, case in (("theft", "CPD-26-000014"), ("burglary", "CPD-26-000021")):
        search(officer, {"plate": "KPR0*", "reason": reason, "case_number": case, "basis": "Seen near the scene"})
    aggregate_day(OPERATOR, now.date())
    compute_month(OPERATOR, now.date())
    seal_and_checkpoint()
    db.session.commit()


def test_the_public_pages_from_the_portal(app, browser, hub_url, checked, shot):
    with app.app_context():
        a_month_of_use()
    page = browser.new_context(viewport={"width": 1280, "height": 720}).new_page()
    page.goto(f"{hub_url}/transparency")
    checked(page)
    assert "How the police use license plate readers" in page.inner_text("h1")
    assert page.locator("#public-cameras tr").count() == 4  # a heading and the three readers
    shot(page, "public-transparency", full_page=True)
    for label, (picture, whole) in PAGES.items():
        page.goto(f"{hub_url}/transparency")
        page.click(f"main >> text='{label}'")
        checked(page)
        shot(page, picture, full_page=whole)
    page.goto(f"{hub_url}/transparency/searches")
    assert page.locator("main table tr").count() >= 3  # the two searches, without plates
    assert "KPR" not in page.inner_text("main")
