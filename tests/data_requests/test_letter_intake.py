"""A scanned letter becomes a request waiting for records staff: the
original kept with its SHA-256, the five elements pre-filled, what was not
found marked; records staff confirm the fields against the page images and
the request is routed as any other. A file that cannot be read is refused
whole, and nothing is created."""
import dataclasses
import io
import json

import pytest
from sqlalchemy import func, select

from hub.data_requests.models import DataRequest, RequestStatus
from hub.extensions import db
from hub.ledger.models import LedgerEntry
from hub.reads import images
from tests.conftest import csrf_from, make_user, sign_in
from tests.data_requests import letter_samples as samples
from tests.data_requests.conftest import complete, make_requester
from hub.identity.roles import Role

UNSIGNED = samples.png(samples.render(samples.form_lines(dataclasses.replace(samples.Letter(),
                                                                           authorization_statement=None))))


def upload_form(client, letter: bytes, filename: str = "letter.png"):
    fields = complete()
    page = client.get("/requests/letter")
    return client.post("/requests/letter", data={
        "csrf_token": csrf_from(page.get_data(as_text=True)), "offense_type": "burglary", "plates": "ABC123",
        "window_start": fields["window"]["start"][:16], "window_end": fields["window"]["end"][:16],
        "letter": (io.BytesIO(letter), filename)}, content_type="multipart/form-data")


@pytest.fixture
def people(app):
    with app.app_context():
        make_requester()
        make_user("rec", Role.RECORDS, trained=True, authorised=True)
        make_user("ofc", Role.OFFICER, trained=True, authorised=True)
        db.session.commit()


def test_a_letter_is_read_kept_and_confirmed_by_records_staff(app, client, people):
    sign_in(client, "rogers-det")
    sent = upload_form(client, UNSIGNED, "rogers.png")
    assert sent.status_code == 302, sent.get_data(as_text=True)[:2000]
    request_id = int(sent.location.rsplit("/", 1)[1])
    with app.app_context():
        request = db.session.get(DataRequest, request_id)
        assert request.status is RequestStatus.AWAITING_REVIEW and request.channel.value == "letter"
        assert images.get(request.letter_sha256) == UNSIGNED  # kept as received, named by its SHA-256
        assert request.agency_name == "Rogers Police Department" and request.case_number == "RPD-25-004417"
        assert request.authorization_statement == ""
        entry = db.session.scalar(select(LedgerEntry).where(LedgerEntry.action == "data_request.letter_received"))
        assert json.loads(entry.details)["not_found"] == ["authorization_statement"]
    staff = app.test_client()
    sign_in(staff, "rec")
    assert f"/requests/{request_id}" in staff.get("/requests/queue/records").get_data(as_text=True)
    page = staff.get(f"/requests/{request_id}").get_data(as_text=True)
    assert 'id="review"' in page and page.count("not found in the letter") == 1
    assert staff.get(f"/requests/{request_id}/letter/pages/1").data.startswith(b"\x89PNG")
    token = csrf_from(page)
    form = {"review-csrf_token": token, "review-agency_name": "Rogers Police Department",
            "review-requester_name": "Detective Dana Whitfield", "review-purpose": "To trace a vehicle",
            "review-offense_type": "burglary", "review-factual_basis": "A burglary on Fletcher Lane.",
            "review-case_number": "RPD-25-004417", "review-authorization_statement": "",
            "review-plates": "ABC123", "review-window_start": complete()["window"]["start"][:16],
            "review-window_end": complete()["window"]["end"][:16]}
    refused = staff.post(f"/requests/{request_id}/review", data=form)
    assert refused.status_code == 422
    assert 'id="review-authorization_statement-error"' in refused.get_data(as_text=True)
    form["review-authorization_statement"] = "Authorised by Chief Matthew Lenz (signed below the letter)."
    done = staff.post(f"/requests/{request_id}/review", data=form)
    assert done.status_code == 302
    with app.app_context():
        request = db.session.get(DataRequest, request_id)
        assert request.status is RequestStatus.AWAITING_PREPARATION and request.reviewed_at is not None
        confirmed = db.session.scalar(select(LedgerEntry).where(LedgerEntry.action == "data_request.letter_confirmed"))
        assert "authorization_statement" in json.loads(confirmed.details)["corrected"]


@pytest.mark.parametrize("letter, filename, words", [
    (samples.blank_scan(), "scan.jpg", "No text could be read"),
    (samples.many_pages_pdf(200), "letter.pdf", "200 pages"),
    (samples.password_pdf(samples.pdf(samples.render(samples.form_lines(samples.Letter())))), "letter.pdf",
     "password"),
    (b"%PDF-1.4 these are not the bytes of a PDF", "letter.pdf", ""),
    (samples.shuffled_bytes(), "letter.png", ""),
])
def test_a_file_that_cannot_be_read_is_refused_whole(app, client, people, letter, filename, words):
    sign_in(client, "rogers-det")
    answer = upload_form(client, letter, filename)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422 and 'id="letter-error"' in page and words in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(DataRequest)) == 0


def test_only_records_staff_confirm_a_letters_fields(app, client, people):
    sign_in(client, "rogers-det")
    request_id = int(upload_form(client, UNSIGNED).location.rsplit("/", 1)[1])
    officer = app.test_client()
    sign_in(officer, "ofc")
    page = officer.get(f"/requests/{request_id}").get_data(as_text=True)
    assert 'id="review"' not in page
    assert officer.post(f"/requests/{request_id}/review", data={"review-csrf_token": csrf_from(page)}).status_code == 403
