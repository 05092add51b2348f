"""The terms: Markdown shown as HTML, saying what the hub holds per sharing
mode and what the statute makes of partner cameras; a new version asks each
partner to accept again, on record, and the accepted version is kept."""
from sqlalchemy import select

from hub.clock import utcnow
from hub.extensions import db
from hub.identity.roles import Role
from hub.ledger.models import LedgerEntry
from partners.models import TermsAcceptance
from partners.services import needs_to_accept_terms, terms_accepted
from partners.terms import current_terms
from tests.conftest import make_partner, make_user, post_form, sign_in


def test_the_terms_say_plainly_what_is_held_and_what_the_law_makes_of_it(client):
    page = client.get("/partners/terms").get_data(as_text=True)
    assert "<table>" in page and "<h2>What the law makes of your cameras</h2>" in page
    for words in ("13.824\nsubd. 1", "private", "alerts only", "shared", "never sold", "destruction receipt",
                  "destroyed with them"):
        assert " ".join(words.split()) in " ".join(current_terms().text.split())
    assert "<script" not in current_terms().html


def test_a_new_version_asks_the_partner_to_accept_again_and_keeps_what_was_accepted(app, client):
    with app.app_context():
        hoa = make_partner()
        owner = make_user("owner", Role.PARTNER_ADMIN, hoa)
        # What an earlier sign-up left: the previous version, accepted then.
        db.session.add(TermsAcceptance(organisation_id=hoa.id, user_id=owner.id, version="2026-11",
                                       text_sha256="0" * 64, accepted_at=utcnow()))
        db.session.commit()
        assert needs_to_accept_terms(hoa)
    sign_in(client, "owner")
    home = client.get("/", follow_redirects=True).get_data(as_text=True)
    assert "data-sharing terms awaits your acceptance" in home
    refused = post_form(client, "/partners/terms/accept", {"version": current_terms().version})
    assert refused.status_code == 422 and "Tick the box" in refused.get_data(as_text=True)
    stale = post_form(client, "/partners/terms/accept", {"version": "2026-11", "accept": "y"})
    assert stale.status_code == 422 and "The terms changed while you read them" in stale.get_data(as_text=True)
    done = post_form(client, "/partners/terms/accept", {"version": current_terms().version, "accept": "y"})
    assert done.status_code == 302
    with app.app_context():
        hoa = make_partner()
        accepted = terms_accepted(hoa)
        assert (accepted.version, accepted.text_sha256) == (current_terms().version, current_terms().sha256)
        assert not needs_to_accept_terms(hoa)
        versions = db.session.scalars(select(TermsAcceptance.version).where(
            TermsAcceptance.organisation_id == hoa.id).order_by(TermsAcceptance.id)).all()
        assert versions == ["2026-11", current_terms().version]
        entry = db.session.scalars(select(LedgerEntry).where(LedgerEntry.action == "partner.terms_accepted")).one()
        assert entry.subject_id == str(hoa.id)
    assert "data-sharing terms awaits your acceptance" not in client.get("/", follow_redirects=True).get_data(as_text=True)
