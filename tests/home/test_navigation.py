"""Every role's header leads to pages that open for that role: nothing a
role is offered answers with an error."""
import re

import pytest

from hub.identity.roles import OrganisationKind, Role
from tests.conftest import sign_in

ROLES = [(Role.OFFICER, False), (Role.ALPR_ADMIN, True), (Role.CHIEF, True), (Role.RECORDS, False),
         (Role.AUDITOR, True), (Role.HUB_ADMIN, True), (Role.PARTNER_ADMIN, False), (Role.AGENCY_REQUESTER, False)]


@pytest.mark.parametrize("role, second_factor", ROLES, ids=[r.value for r, _ in ROLES])
def test_every_link_in_a_role_s_header_opens(app, make, client, role, second_factor):
    organisation = {Role.PARTNER_ADMIN: make.organisation("Test HOA", OrganisationKind.HOA),
                    Role.AGENCY_REQUESTER: make.organisation("Rogers PD", OrganisationKind.OUTSIDE_AGENCY)}.get(role)
    user = make.user("person", role, organisation, trained=True, authorised=role in (
        Role.OFFICER, Role.ALPR_ADMIN, Role.CHIEF, Role.RECORDS), totp=second_factor)
    sign_in(client, "person", totp_secret=user.totp_secret)
    home = client.get("/").get_data(as_text=True)
    header = home.split("</header>")[0]
    links = re.findall(r'<li><a href="([^"]+)"', header)
    assert links and links[0] == "/"
    for link in links:
        assert client.get(link).status_code == 200, link


def test_detail_pages_say_where_they_sit(app, make, client, run):
    """A detail page's breadcrumbs lead home and to the list it belongs to."""
    from tests.conftest import make_camera, make_partner
    make.user("owner", Role.PARTNER_ADMIN, make.organisation("Test HOA", OrganisationKind.HOA))
    camera_id = run(lambda: make_camera(make_partner(), "Main gate").id)
    sign_in(client, "owner")
    for path, trail in ((f"/cameras/{camera_id}", ["/", "/cameras"]),
                        (f"/cameras/{camera_id}/access-log", ["/", "/cameras", f"/cameras/{camera_id}"]),
                        ("/cameras/new", ["/", "/cameras"])):
        page = client.get(path).get_data(as_text=True)
        crumbs = page.split('aria-label="Breadcrumb"', 1)[1].split("</nav>", 1)[0]
        assert re.findall(r'href="([^"]+)"', crumbs) == trail, path
        assert 'aria-current="page"' in crumbs
