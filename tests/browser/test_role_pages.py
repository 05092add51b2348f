"""Every page in each role's header, opened by clicking from home, passes
axe-core without a serious or critical violation and fits its window; the
pages the user guide shows are photographed for it."""
from datetime import timedelta

import pytest

from hub.clock import utcnow
from hub.extensions import db
from hub.hotlists.services import add_entry
from hub.identity.roles import OrganisationKind, Role
from hub.ledger.tree import seal_and_checkpoint
from hub.reads.ingest import ingest_batch
from tests.browser.test_partner_journey import sign_in
from tests.conftest import make_camera, make_organisation, make_user

# role, the organisation's kind, and the guide's pictures: header link -> picture name
ROLES = [
    (Role.ALPR_ADMIN, OrganisationKind.AGENCY, {"Hotlists": "alpr-admin-hotlists", "Holds": "alpr-admin-holds",
                                                "Cameras": "alpr-admin-cameras"}),
    (Role.CHIEF, OrganisationKind.AGENCY, {"People": "chief-people"}),
    (Role.RECORDS, OrganisationKind.AGENCY, {"Safe at Home": "records-safe-at-home"}),
    (Role.AUDITOR, OrganisationKind.AGENCY, {"Audit ledger": "auditor-ledger",
                                             "Destruction record": "auditor-destruction-record"}),
    (Role.HUB_ADMIN, OrganisationKind.AGENCY, {"Settings": "hub-admin-settings", "Scheduled jobs": "hub-admin-jobs"}),
    (Role.AGENCY_REQUESTER, OrganisationKind.OUTSIDE_AGENCY, {"Home": "agency-requester-home"}),
]
SECOND_FACTOR = {Role.ALPR_ADMIN, Role.CHIEF, Role.AUDITOR, Role.HUB_ADMIN}


@pytest.mark.parametrize("role, kind, pictures", ROLES, ids=[r.value for r, _, _ in ROLES])
def test_every_page_of_a_role_s_header(app, browser, hub_url, checked, shot, role, kind, pictures):
    with app.app_context():
        agency = make_organisation()
        organisation = agency if kind is OrganisationKind.AGENCY else make_organisation("Rogers PD", kind)
        person = make_user("person", role, organisation, trained=True, totp=role in SECOND_FACTOR,
                           authorised=role in (Role.ALPR_ADMIN, Role.CHIEF, Role.RECORDS))
        sergeant = make_user("sgt", Role.ALPR_ADMIN, agency, trained=True, authorised=True)
        camera = make_camera(agency, "CR 30 at CR 101")
        add_entry(sergeant, plate="HOT123", reason_category="stolen_vehicle", case_number="ICR-7", priority="high",
                  expires_at=utcnow() + timedelta(days=30))
        ingest_batch(camera, [{"read_id": "r1", "plate": "ABC123", "captured_at": utcnow().isoformat()}])
        seal_and_checkpoint()
        secret = person.totp_secret
        db.session.commit()
    page = browser.new_context().new_page()
    sign_in(page, hub_url, "person", secret)
    checked(page)
    labels = page.eval_on_selector_all("header nav ul.links a", "links => links.map(a => a.textContent.trim())")
    assert set(pictures) <= set(labels), labels
    for label in labels:
        page.goto(f"{hub_url}/")
        page.click(f"header nav ul.links >> text='{label}'")
        checked(page)
        if label in pictures:
            shot(page, pictures[label], full_page=True)
