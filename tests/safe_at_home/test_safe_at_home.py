"""Safe at Home: past reads destroyed, future reads dropped at collection,
an investigation hold keeps them; no plate in clear anywhere afterwards."""
import logging
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from hub.clock import utcnow
from hub.errors import Forbidden
from hub.extensions import db
from hub.identity.roles import Role
from hub.identity.services import find_user
from hub.reads.models import Read
from hub.safe_at_home import services
from hub.retention.models import HoldKind
from hub.retention.services import place_hold
from tests.conftest import make_user, post_form, sign_in, stored_plates

PROTECTED = "SAH123"


def ingest(client, credential, *reads):
    return client.post("/api/v1/reads", headers={"Authorization": f"Bearer {credential}"}, json={"reads": [
        {"read_id": rid, "plate": plate, "captured_at": utcnow().isoformat()} for rid, plate in reads]})


def every_text_in_the_database(app) -> str:
    """All stored text of every table, to search for a plate in clear."""
    with app.app_context():
        chunks = []
        for table in db.metadata.sorted_tables:
            for row in db.session.execute(select(table)):
                chunks.append(" ".join(str(v) for v in row))
        return "\n".join(chunks)


def test_request_destroys_past_and_drops_future_reads(app, client, camera_world, make, caplog):
    caplog.set_level(logging.DEBUG)
    make.user("rec", Role.RECORDS, trained=True, authorised=True)
    city = camera_world["city"]["credential"]
    ingest(client, city, ("a", PROTECTED), ("b", "OTHER1"))
    with app.app_context():
        from hub.ledger.services import record
        record("reads.searched", actor=None, private={"plate": PROTECTED})
        db.session.commit()
    sign_in(client, "rec")
    response = post_form(client, "/safe-at-home", {
        "plate": PROTECTED.lower(), "received_on": date.today().isoformat(), "reference": "ACP letter 2026-77",
        "document": (__import__("io").BytesIO(b"%PDF-1.4 request"), "request.pdf", "application/pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    later = ingest(app.test_client(), city, ("c", PROTECTED), ("d", "OTHER2"))
    assert sorted(later.get_json()["accepted"]) == ["c", "d"]  # the camera cannot tell
    with app.app_context():
        plates = sorted(stored_plates(db.session.scalars(select(Read)).all()))
        assert plates == ["OTHER1", "OTHER2"]
        request = services.list_requests(find_user("rec"))[0]
        assert request.reads_destroyed == 1 and len(request.plate_hash) == 64
    assert PROTECTED not in every_text_in_the_database(app)
    assert PROTECTED not in caplog.text and PROTECTED.lower() not in caplog.text


def test_investigation_hold_keeps_the_plate(app, client, camera_world):
    city = camera_world["city"]["credential"]
    ingest(client, city, ("a", PROTECTED))
    with app.app_context():
        sergeant = make_user("sgt", Role.ALPR_ADMIN, trained=True, authorised=True)
        place_hold(sergeant, kind=HoldKind.INVESTIGATION, plate=PROTECTED, case_number="ICR-9", reason="homicide",
                   review_on=date.today() + timedelta(days=30))
        request = services.record_request(make_user("rec", Role.RECORDS, trained=True, authorised=True), plate=PROTECTED, received_on=date.today(),
                                          document=b"%PDF-1.4", document_type="application/pdf", reference="ACP 1")
        db.session.commit()
        assert request.reads_destroyed == 0
    assert ingest(client, city, ("b", PROTECTED)).status_code == 200
    with app.app_context():
        assert sorted(db.session.scalars(select(Read.camera_read_id))) == ["a", "b"]


def test_only_records_staff_see_or_make_requests(app, make, client):
    make.user("ofc", Role.OFFICER)
    sign_in(client, "ofc")
    assert client.get("/safe-at-home").status_code == 403
    with app.app_context():
        with pytest.raises(Forbidden):
            services.list_requests(find_user("ofc"))


def test_bad_request_is_refused_whole(ctx):
    records = make_user("rec", Role.RECORDS, trained=True, authorised=True)
    from hub.errors import ValidationFailed
    with pytest.raises(ValidationFailed) as refused:
        services.record_request(records, plate="!!", received_on=date.today() + timedelta(days=2), document=b"",
                                document_type="text/plain", reference=" ")
    assert set(refused.value.errors) == {"plate", "received_on", "document", "reference"}


def test_a_destruction_request_spares_reads_that_any_hold_keeps(app, client, camera_world):
    city = camera_world["city"]["credential"]
    ingest(client, city, ("a", PROTECTED))
    with app.app_context():
        sergeant = make_user("sgt", Role.ALPR_ADMIN, trained=True, authorised=True)
        now = datetime.now(timezone.utc)
        place_hold(sergeant, kind=HoldKind.INVESTIGATION, case_number="ICR-10", reason="the whole hour of a robbery",
                   window_start=now - timedelta(hours=1), window_end=now + timedelta(minutes=1),
                   review_on=date.today() + timedelta(days=30))
        request = services.record_request(make_user("rec", Role.RECORDS, trained=True, authorised=True), plate=PROTECTED, received_on=date.today(),
                                          document=b"%PDF-1.4", document_type="application/pdf", reference="ACP 2")
        db.session.commit()
        assert request.reads_destroyed == 0
        assert list(db.session.scalars(select(Read.camera_read_id))) == ["a"]


def test_a_disguised_file_and_a_second_request_for_a_plate_are_refused(app):
    from hub.errors import ValidationFailed
    with app.app_context():
        clerk = make_user("rec", Role.RECORDS, trained=True, authorised=True)
        with pytest.raises(ValidationFailed) as disguised:
            services.record_request(clerk, plate="ABC123", received_on=date.today(), document=b"just text",
                                    document_type="application/pdf", reference="ACP 3")
        assert "document" in disguised.value.errors
        services.record_request(clerk, plate="ABC123", received_on=date.today(), document=b"%PDF-1.4 x",
                                document_type="application/pdf", reference="ACP 3")
        with pytest.raises(ValidationFailed) as again:
            services.record_request(clerk, plate="abc 123", received_on=date.today(), document=b"%PDF-1.4 y",
                                    document_type="application/pdf", reference="ACP 4")
        assert "already on file" in again.value.errors["plate"][0]
        db.session.rollback()
