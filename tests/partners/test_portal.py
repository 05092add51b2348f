"""Partner sign-up with the terms, the agency's decision, invitations."""
import json
import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from hub.extensions import db
from hub.identity.models import Organisation, User
from hub.identity.roles import OrganisationKind, OrganisationStatus, Role
from hub.ledger.models import LedgerEntry
from hub.identity import tokens
from hub.identity.services import find_user
from partners import services
from partners.errors import InvitationInvalid, PartnershipNotPending, SignUpInvalid
from partners.models import TermsAcceptance
from partners.terms import current_terms
from tests.conftest import PASSWORD, make_organisation, make_partner, make_user, post_form, sign_in
from tests.conftest import OPERATOR

SIGN_UP = {"organisation_name": "Rush Creek HOA", "kind": "hoa", "contact_name": "Ann Board",
           "contact_email": "board@rushcreek.example", "contact_phone": "763-555-0100", "display_name": "Ann Board",
           "username": "ann", "password": PASSWORD, "accept_terms": "y"}


def test_sign_up_waits_for_approval_and_keeps_the_terms_version(app, client):
    response = post_form(client, "/partners/sign-up", SIGN_UP)
    assert response.status_code == 302 and response.location == "/partners/sign-up/received"
    sign_in(client, "ann")
    home = client.get("/").get_data(as_text=True)
    assert "Partnership under review" in home
    with app.app_context():
        org = db.session.scalar(select(Organisation).where(Organisation.name == "Rush Creek HOA"))
        assert org.status is OrganisationStatus.PENDING and org.contact_email == "board@rushcreek.example"
        acceptance = db.session.scalar(select(TermsAcceptance))
        assert (acceptance.version, acceptance.text_sha256) == (current_terms().version, current_terms().sha256)
        entry = db.session.scalar(select(LedgerEntry).where(LedgerEntry.action == "partner.signed_up"))
        assert entry.actor == "ann" and "board@rushcreek.example" not in entry.details
    refused = client.post("/api/v1/cameras", json={"name": "Gate", "location_description": "x", "latitude": 45.0,
                                                   "longitude": -93.0, "direction": "inbound", "fixed": True,
                                                   "installed_on": "2026-11-01"},
                          headers={"X-CSRFToken": _csrf(client)})
    assert refused.status_code == 403 and refused.get_json()["code"] == "partnership_not_approved"
    assert json.dumps(refused.get_json()).count("not approved") == 1


def _csrf(client):
    from tests.conftest import csrf_from
    return csrf_from(client.get("/").get_data(as_text=True))


def test_unapproved_partner_gets_only_the_waiting_page(app, make, client):
    post_form(client, "/partners/sign-up", SIGN_UP)
    sign_in(client, "ann")
    for path in ("/cameras", "/cameras/new", "/account/tokens", "/partners/invitations", "/notifications", "/grants"):
        response = client.get(path)
        assert response.status_code == 302 and response.location == "/", path
    with app.app_context():
        secret = tokens.create_token(OPERATOR, find_user("ann"), name="script")[1]
        db.session.commit()
    for path in ("/api/v1/me", "/api/v1/cameras"):
        api = client.get(path, headers={"Authorization": f"Bearer {secret}"})
        assert api.status_code == 403 and api.get_json()["code"] == "partnership_not_approved", path
    page = client.get("/").get_data(as_text=True)
    assert "Partnership under review" in page and "API tokens" not in page
    with app.app_context():
        chief = make_user("chief", Role.CHIEF, make_organisation())
        services.decide_partnership(chief, find_user("ann").organisation, approve=True, reason="known board")
        db.session.commit()
    assert client.get("/cameras").status_code == 200
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200


def test_sign_up_does_not_tell_which_usernames_exist(app, make, client):
    make.user("taken", Role.OFFICER)
    free = post_form(client, "/partners/sign-up", {**SIGN_UP, "username": "free-name"})
    other = app.test_client()
    taken = post_form(other, "/partners/sign-up", {**SIGN_UP, "organisation_name": "Another HOA",
                                                    "username": "taken"})
    assert (free.status_code, free.location) == (taken.status_code, taken.location)
    assert client.get(free.location).get_data() == other.get(taken.location).get_data()
    with app.app_context():
        assert db.session.scalar(select(Organisation).where(Organisation.name == "Another HOA")) is None
        assert find_user("taken").role is Role.OFFICER
    still_checked = post_form(app.test_client(), "/partners/sign-up",
                              {**SIGN_UP, "organisation_name": "Third HOA", "username": "taken", "password": "short"})
    assert still_checked.status_code == 422 and "at least 12 characters" in still_checked.get_data(as_text=True)


def test_sign_up_without_terms_or_with_bad_fields_writes_nothing(app, client):
    response = post_form(client, "/partners/sign-up", {**SIGN_UP, "accept_terms": "", "contact_email": "nope",
                                                       "password": "short"})
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "Accept the data-sharing terms" in text and "e-mail address" in text
    with app.app_context():
        assert db.session.scalar(select(Organisation).where(Organisation.name == "Rush Creek HOA")) is None
    again = post_form(client, "/partners/sign-up", {**SIGN_UP, "password": "short"})
    assert again.status_code == 422 and "at least 12 characters" in again.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username == "ann")) is None


def test_chief_approves_or_declines_with_a_reason(ctx):
    chief = make_user("chief", Role.CHIEF, make_organisation())
    user = services.sign_up(organisation_name="Elm HOA", kind=OrganisationKind.HOA, contact_name="E",
                            contact_email="e@elm.example", contact_phone="", username="elm", display_name="E",
                            password=PASSWORD, accepted_terms_version=current_terms().version)
    assert services.pending_partnerships() == [user.organisation]
    with pytest.raises(SignUpInvalid):
        services.decide_partnership(chief, user.organisation, approve=True, reason=" ")
    services.decide_partnership(chief, user.organisation, approve=True, reason="Known HOA, cameras at gates")
    assert user.organisation.is_approved and services.pending_partnerships() == []
    from hub.notifications.services import inbox
    assert [m.subject for m in inbox(user)] == ["Partnership approved"]
    with pytest.raises(PartnershipNotPending):
        services.decide_partnership(chief, user.organisation, approve=False, reason="changed mind")
    officer = make_user("ofc", Role.OFFICER)
    other = services.sign_up(organisation_name="Oak Market", kind=OrganisationKind.BUSINESS, contact_name="O",
                             contact_email="o@oak.example", contact_phone="", username="oak", display_name="O",
                             password=PASSWORD, accepted_terms_version=current_terms().version)
    from hub.errors import Forbidden
    with pytest.raises(Forbidden):
        services.decide_partnership(officer, other.organisation, approve=True, reason="sure")


def test_review_page_flow(app, make, client):
    chief = make.user("chief", Role.CHIEF, totp=True)
    post_form(client, "/partners/sign-up", SIGN_UP)
    client = app.test_client()
    sign_in(client, "chief", totp_secret=chief.totp_secret)
    page = client.get("/partners/review").get_data(as_text=True)
    assert "Rush Creek HOA" in page and "board@rushcreek.example" in page
    with app.app_context():
        org_id = db.session.scalar(select(Organisation.id).where(Organisation.name == "Rush Creek HOA"))
    assert post_form(client, f"/partners/review/{org_id}/approve", {"reason": ""}, page="/partners/review").status_code == 422
    done = post_form(client, f"/partners/review/{org_id}/approve", {"reason": "Verified board"}, page="/partners/review")
    assert done.status_code == 302
    assert "partner-request" not in client.get("/partners/review").get_data(as_text=True)


def test_invitation_creates_a_colleague_once(app, make, client):
    make.organisation("Test HOA", OrganisationKind.HOA)
    make.user("owner", Role.PARTNER_ADMIN)
    sign_in(client, "owner")
    page = post_form(client, "/partners/invitations", {"email": "bob@testhoa.example"}).get_data(as_text=True)
    link = re.search(r'id="invitation-link">([^<]+)<', page).group(1)
    path = urlsplit(link).path
    guest = app.test_client()
    assert guest.get(path).status_code == 200
    assert post_form(guest, path, {"display_name": "Bob", "username": "bob", "password": PASSWORD}).status_code == 302
    with app.app_context():
        bob = db.session.scalar(select(User).where(User.username == "bob"))
        assert bob.role is Role.PARTNER_ADMIN and bob.organisation.name == "Test HOA"
    reuse = app.test_client().get(path)
    assert reuse.status_code == 404 and "not valid" in reuse.get_data(as_text=True)


def test_invitation_tokens_are_checked(ctx):
    with pytest.raises(InvitationInvalid):
        services.find_invitation("hubinv_nonsense")
    owner = make_user("owner", Role.PARTNER_ADMIN, make_partner())
    _, token = services.invite_administrator(owner, email="x@y.example")
    with pytest.raises(InvitationInvalid):
        services.find_invitation(token[:-1] + ("A" if token[-1] != "A" else "B"))
    assert services.find_invitation(token).email == "x@y.example"


def test_sign_up_tells_every_problem_at_once(app, client):
    """Empty required fields, a missing acceptance, a bad e-mail and a short
    password: all on the first answer, in a summary and beside each field."""
    response = post_form(client, "/partners/sign-up", {**SIGN_UP, "organisation_name": "", "accept_terms": "",
                                                       "contact_email": "nope", "password": "short"})
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    for field, words in (("organisation_name", "This field is required"), ("accept_terms", "Accept the data-sharing"),
                         ("contact_email", "e-mail address"), ("password", "at least 12 characters")):
        assert f'id="{field}-error"' in text and words in text, field
        assert f'<a href="#{field}">' in text, field
    assert re.search(r'<input[^>]*id="accept_terms"[^>]*> <label for="accept_terms">', text)


def test_the_terms_page_shows_the_text_not_its_markup(client):
    title = next(line[2:] for line in current_terms().text.splitlines() if line.startswith("# "))
    page = client.get("/partners/terms").get_data(as_text=True)
    assert f"<h1>{title}</h1>" in page and f"# {title}" not in page
    if "**" in current_terms().text:
        assert "<strong>" in page and "**" not in page
