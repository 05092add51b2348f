"""An exact plate is looked up by its hashes under each day's keys, each
day's reads by that day's hashes only: a read on either side of midnight,
under either organisation's key, at either end of the window, is found
exactly as the partial search (which opens every plate in scope) finds it."""
from datetime import datetime, time, timedelta, timezone

from sqlalchemy import select

from hub.cameras.models import SharingMode
from hub.cameras.sharing import set_sharing_mode
from hub.clock import utcnow
from hub.extensions import db
from hub.identity.models import User
from hub.identity.roles import OrganisationKind, Role
from hub.reads.ingest import ingest_batch
from hub.search.services import search
from tests.conftest import make_camera, make_organisation, make_user

PLATE = "ABC123"


def _search(officer, typed, start, end):
    return search(officer, {"plate": typed, "reason": "theft", "case_number": "CPD-26-000001", "basis": "test",
                            "from": start.isoformat(), "to": end.isoformat(), "exigent": "1"})


def test_an_exact_plate_is_found_on_every_day_of_its_window_and_nowhere_else(app):
    with app.app_context():
        agency = make_organisation()
        hoa = make_organisation("Test HOA", OrganisationKind.HOA)
        own, shared = make_camera(agency, "CR 30"), make_camera(hoa, "Gate")
        partner_admin = make_user("hoa-admin", Role.PARTNER_ADMIN, hoa)
        set_sharing_mode(partner_admin, shared, SharingMode.SHARED, reason="Standing share")
        make_user("officer", Role.OFFICER, agency, trained=True, authorised=True)
        midnight = datetime.combine(utcnow().date() - timedelta(days=2), time.min, tzinfo=timezone.utc)
        start, end = midnight - timedelta(hours=20), midnight + timedelta(days=1, hours=3)
        moments = {"first moment": start, "before midnight": midnight - timedelta(microseconds=1),
                   "at midnight": midnight, "next midnight": midnight + timedelta(days=1), "last moment": end,
                   "too early": start - timedelta(seconds=1), "too late": end + timedelta(seconds=1)}
        for camera in (own, shared):
            ingest_batch(camera, [{"read_id": f"{camera.id}-{n}", "plate": plate, "captured_at": at.isoformat()}
                                  for n, (plate, at) in enumerate([(PLATE, at) for at in moments.values()]
                                                                  + [("ABC124", midnight)])])
        db.session.commit()
        officer = db.session.scalar(select(User).where(User.username == "officer"))
        exact = _search(officer, PLATE, start, end)
        partial = _search(officer, PLATE[:5] + "*", start, end)
        found = sorted((r.camera_id, r.captured_at) for r in exact.reads)
        compared = sorted((r.camera_id, r.captured_at) for r in partial.reads if r.plate == PLATE)
        cameras = (own.id, shared.id)
        db.session.rollback()
    inside = [at for label, at in moments.items() if not label.startswith("too")]
    assert found == sorted((camera, at) for camera in cameras for at in inside)
    assert exact.total == 10
    assert found == compared
