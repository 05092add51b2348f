"""Holds: who places and releases them, what they need, and their pages."""
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from hub.clock import utcnow
from hub.errors import Forbidden
from hub.extensions import db
from hub.identity.roles import Role
from hub.ledger.models import LedgerEntry
from hub.policy import PolicyRefused
from hub.retention.models import HoldKind
from hub.retention.services import HoldInvalid, overdue_reviews, place_hold, release_hold
from tests.conftest import make_organisation, make_user, post_form, sign_in

NEXT_MONTH = date.today() + timedelta(days=30)


@pytest.fixture
def people(ctx):
    agency = make_organisation()
    return {"sgt": make_user("sgt", Role.ALPR_ADMIN, agency, trained=True, authorised=True),
            "rec": make_user("rec", Role.RECORDS, agency, trained=True, authorised=True),
            "ofc": make_user("ofc", Role.OFFICER, agency, trained=True, authorised=True)}


@pytest.mark.parametrize("changes, field", [
    ({"case_number": " "}, "case_number"),
    ({"plate": None}, "plate"),
    ({"plate": "NOT A PLATE!"}, "plate"),
    ({"review_on": date.today()}, "review_on"),
    ({"camera_ids": [999]}, "camera_ids"),
    ({"plate": None, "window_start": datetime(2026, 1, 2, tzinfo=timezone.utc),
      "window_end": datetime(2026, 1, 1, tzinfo=timezone.utc)}, "window_end"),
])
def test_a_bad_hold_names_the_field(people, changes, field):
    with pytest.raises(HoldInvalid) as refused:
        place_hold(people["sgt"], **{"kind": HoldKind.INVESTIGATION, "plate": "ABC123", "case_number": "ICR-1",
                                     "reason": "robbery", "review_on": NEXT_MONTH, **changes})
    assert field in refused.value.errors


def test_a_hold_on_reads_already_destroyed_is_refused(people):
    long_ago = utcnow() - timedelta(days=90)
    with pytest.raises(HoldInvalid, match="destroyed"):
        place_hold(people["sgt"], kind=HoldKind.INVESTIGATION, case_number="ICR-1", reason="old case",
                   review_on=NEXT_MONTH, window_start=long_ago, window_end=long_ago + timedelta(hours=2))


def test_roles_place_and_release_only_their_kind(people):
    with pytest.raises(Forbidden):
        place_hold(people["ofc"], kind=HoldKind.INVESTIGATION, plate="ABC123", case_number="ICR-1",
                   reason="x", review_on=NEXT_MONTH)
    with pytest.raises(Forbidden):
        place_hold(people["sgt"], kind=HoldKind.EXCULPATORY, plate="ABC123", case_number="ICR-1", reason="x",
                   review_on=NEXT_MONTH, requester_name="J. Doe", exculpatory_statement="May clear me",
                   document=b"%PDF-1.4", document_type="application/pdf")
    hold = place_hold(people["sgt"], kind=HoldKind.INVESTIGATION, plate="ABC123", case_number="ICR-1",
                      reason="robbery", review_on=NEXT_MONTH)
    with pytest.raises(Forbidden):
        release_hold(people["rec"], hold, reason="not mine to release")
    release_hold(people["sgt"], hold, reason="closed")
    with pytest.raises(HoldInvalid):
        release_hold(people["sgt"], hold, reason="again")


def test_an_exculpatory_hold_needs_the_written_request(people):
    with pytest.raises(PolicyRefused) as refused:
        place_hold(people["rec"], kind=HoldKind.EXCULPATORY, plate="ABC123", case_number="CR-26-77",
                   reason="Defence request", review_on=NEXT_MONTH, requester_name="J. Doe",
                   exculpatory_statement="", document=None)
    assert {e["rule"] for e in refused.value.errors["rules"]} == {"exculpatory-preservation"}
    assert {e["field"] for e in refused.value.errors["rules"]} == {"exculpatory_statement", "request_document"}
    hold = place_hold(people["rec"], kind=HoldKind.EXCULPATORY, plate="ABC123", case_number="CR-26-77",
                      reason="Defence request", review_on=NEXT_MONTH, requester_name="J. Doe",
                      exculpatory_statement="The reads may show I was elsewhere.", document=b"%PDF-1.4",
                      document_type="application/pdf")
    assert hold.request_document and hold.plate == "ABC123"
    entry = db.session.scalars(select(LedgerEntry).where(LedgerEntry.action == "hold.created")).one()
    assert "exculpatory-preservation" in entry.details


def test_overdue_reviews_show_on_the_home_page(app, make, client, run, frozen_clock):
    sergeant = make.user("sgt", Role.ALPR_ADMIN, trained=True, authorised=True, totp=True)
    run(lambda: place_hold(db.session.merge(sergeant), kind=HoldKind.INVESTIGATION, plate="ABC123",
                           case_number="ICR-55", reason="robbery", review_on=date.today() + timedelta(days=3)))
    frozen_clock.advance(timedelta(days=5))
    assert run(lambda: [h.case_number for h in overdue_reviews(db.session.merge(sergeant))]) == ["ICR-55"]
    sign_in(client, "sgt", totp_secret=sergeant.totp_secret)
    home = client.get("/").get_data(as_text=True)
    assert "ICR-55" in home and "review was due" in home


def test_the_hold_pages_place_review_and_release(app, make, client):
    sergeant = make.user("sgt", Role.ALPR_ADMIN, trained=True, authorised=True, totp=True)
    sign_in(client, "sgt", totp_secret=sergeant.totp_secret)
    bad = post_form(client, "/retention", {"kind": "investigation", "case_number": "", "reason": "x",
                                           "plate": "ABC123", "review_on": NEXT_MONTH.isoformat()})
    assert bad.status_code == 422
    placed = post_form(client, "/retention", {"kind": "investigation", "case_number": "ICR-9", "reason": "homicide",
                                              "plate": "ABC123", "review_on": NEXT_MONTH.isoformat()})
    assert placed.status_code == 302
    page = placed.location
    reviewed = post_form(client, page, {"review-next_review_on": (NEXT_MONTH + timedelta(days=30)).isoformat(),
                                        "review-note": "trial set"})
    assert reviewed.status_code == 302
    released = post_form(client, page, {"release-release_reason": "verdict"})
    assert released.status_code == 302 and "released: verdict" in client.get(page).get_data(as_text=True)
    assert client.get("/api/v1/holds").get_json()[0]["release_reason"] == "verdict"
    assert client.get("/retention/destruction").status_code == 200
    assert client.get("/scheduler").status_code == 200
