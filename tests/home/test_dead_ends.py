"""Each dead end people met is gone: a partner reaches its grants, the
partner's message links lead to pages after a decision, the officer is told
of a revocation without a link to a refusal, the hub's name is used and its
form opens filled, the settings speak only of pages that exist, and an
outside agency's requester is told what to do."""
import re

from hub.identity.roles import OrganisationKind, Role
from tests.conftest import post_form, sign_in
from tests.grants.test_oauth import authorize_url, consent, flow, pkce  # noqa: F401  (fixture)
from tests.grants.test_oauth_security import basic, link_endpoint, owner


def test_a_partner_reaches_its_grants_from_every_page(app, make, client):
    make.user("owner", Role.PARTNER_ADMIN, make.organisation("Test HOA", OrganisationKind.HOA))
    sign_in(client, "owner")
    header = client.get("/notifications").get_data(as_text=True).split("</header>")[0]
    assert 'href="/grants">Grants you gave</a>' in header
    assert client.get("/grants").status_code == 200


def _message_links(partner) -> list[str]:
    return re.findall(r'<a href="(/[^"]+)">Open<', partner.get("/notifications").get_data(as_text=True))


def test_the_partner_s_message_links_lead_to_pages_after_a_decision(app, flow):
    app.test_client().post(link_endpoint(flow), headers=basic(flow["client_id"], flow["secret"]),
                           json={"authorization_url": authorize_url(flow, pkce()[1])})
    partner = owner(app)
    answer = consent(partner, authorize_url(flow, pkce()[1]), {"decision": "deny", "message": "Not now"})
    assert answer.status_code == 302
    links = _message_links(partner)
    assert f"/grants/requests/{flow['request']}/consent" in links
    for link in links:
        page = partner.get(link, follow_redirects=True)
        assert page.status_code == 200 and page.mimetype == "text/html", link
    text = partner.get(f"/grants/requests/{flow['request']}/consent", follow_redirects=True).get_data(as_text=True)
    assert f"Request {flow['request']} is declined: there is nothing to decide on now." in text


def test_the_partner_s_link_before_the_client_sent_it_is_a_page(app, flow):
    page = owner(app).get(f"/grants/requests/{flow['request']}/consent", follow_redirects=True)
    assert page.status_code == 200 and "not ready for your decision yet" in page.get_data(as_text=True)


# After a revocation: see test_after_a_revocation_the_officer_is_told_and_offered_no_dead_link
# in tests/grants/test_grant_use.py.


def test_the_hub_s_name_is_used_and_its_form_opens_filled(app, make, client):
    admin = make.user("admin", Role.HUB_ADMIN, totp=True)
    sign_in(client, "admin", totp_secret=admin.totp_secret)
    saved = post_form(client, "/admin/settings", {"hub_display_name": "Corcoran Readers", "contact_email": "",
                                                 "transparency_notice": "Questions welcome."})
    assert saved.status_code in (200, 302)
    form = client.get("/admin/settings").get_data(as_text=True)
    assert 'value="Corcoran Readers"' in form
    assert '<a class="brand" href="/">Corcoran Readers</a>' in client.get("/").get_data(as_text=True)
    assert "Questions welcome." in app.test_client().get("/transparency").get_data(as_text=True)


def test_the_settings_speak_only_of_pages_that_exist(app, make, client):
    admin = make.user("admin", Role.HUB_ADMIN, totp=True)
    sign_in(client, "admin", totp_secret=admin.totp_secret)
    page = client.get("/admin/settings").get_data(as_text=True)
    assert "once they are published" not in page and "transparency pages" in page
    assert app.test_client().get("/transparency").status_code == 200


def test_an_outside_agency_s_requester_is_told_what_to_do(app, make, client):
    make.user("req", Role.AGENCY_REQUESTER, make.organisation("Rogers PD", OrganisationKind.OUTSIDE_AGENCY))
    sign_in(client, "req")
    home = client.get("/").get_data(as_text=True)
    assert "Asking for ALPR data" in home and "factual basis" in home
    for link in re.findall(r'<a href="(/[^"]*)">', home.split("</header>", 1)[1]):
        assert client.get(link).status_code == 200, link
