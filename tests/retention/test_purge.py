"""The retention purge destroys exactly what is overdue and unheld, with
everything that derives from it, and proves it."""
import itertools
import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from sqlalchemy import delete, func, select

from hub.alerts.models import Alert
from hub.cameras.models import SharingMode
from hub.cameras.sharing import set_sharing_mode
from hub.clock import clock, utcnow
from hub.extensions import db
from hub.hotlists.services import add_entry
from hub.identity.roles import Role
from hub.ledger.models import LedgerEntry, LedgerPrivateDetail
from hub.ledger.services import record
from hub.ledger.tree import seal_and_checkpoint
from hub.ledger.verification import verify_ledger
from hub.reads.ingest import ingest_batch
from hub.reads.models import Read
from hub.retention import proof
from hub.keys.models import DataKey
from hub.retention.models import Hold, HoldCamera, HoldKind, HoldPlateHash, ImageTombstone, PurgeCount, PurgeRun
from hub.retention.purge import preview, run_purge
from hub.retention.services import HoldInvalid, place_hold, release_hold
from hub.identity.actors import operator
from hub.identity.services import find_user
from tests.conftest import make_camera, make_organisation, make_partner, make_user, render_plate

T = datetime(2026, 11, 30, 12, 0, tzinfo=timezone.utc)
EXAMPLES = itertools.count()
AGENCY_DAYS = 30  # the Corcoran pack


def read_at(camera, read_id: str, plate: str, captured_at: datetime, **extra) -> None:
    """Ingest a read as its camera would have sent it at the time."""
    clock.freeze(captured_at + timedelta(seconds=1))
    result = ingest_batch(camera, [{"read_id": read_id, "plate": plate, "captured_at": captured_at.isoformat(),
                                    **extra}])
    assert result.accepted == [read_id], result.rejected


def _forget_example() -> None:
    for model in (PurgeCount, PurgeRun, HoldCamera, HoldPlateHash, Hold, Alert, Read, ImageTombstone, DataKey):
        db.session.execute(delete(model))


partner_limits = st.lists(st.one_of(st.none(), st.integers(1, 40)), min_size=1, max_size=3)
reads = st.lists(st.tuples(st.integers(0, 3), st.floats(0.01, 75, allow_nan=False), st.sampled_from("ABC")),
                 min_size=1, max_size=14)
holds = st.lists(st.tuples(st.one_of(st.none(), st.sampled_from("ABC")),
                           st.one_of(st.none(), st.tuples(st.floats(0.5, 75), st.floats(0, 30))),
                           st.booleans(), st.booleans()), max_size=3)


@pytest.mark.filterwarnings("ignore")
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(limits=partner_limits, generated=reads, generated_holds=holds)
def test_after_a_purge_nothing_overdue_survives_unless_held_and_nothing_else_is_gone(
        ctx, frozen_clock, limits, generated, generated_holds):
    _forget_example()
    clock.freeze(T - timedelta(days=80))
    agency, hoa = make_organisation(), make_partner()
    owner = find_user("owner") or make_user("owner", Role.PARTNER_ADMIN, hoa)
    example = next(EXAMPLES)
    cameras = [make_camera(agency, f"City {example}")]
    for n, limit in enumerate(limits):
        camera = make_camera(hoa, f"Gate {example}-{n}")
        set_sharing_mode(owner, camera, SharingMode.SHARED, reason="test", retention_days=limit if limit and limit < AGENCY_DAYS else None)
        cameras.append(camera)
    limit_of = {c.id: min(filter(None, [AGENCY_DAYS, c.retention_days])) for c in cameras}
    placed = []
    for n, (camera_index, age, letter) in sorted(enumerate(generated), key=lambda item: -item[1][1]):
        camera = cameras[camera_index % len(cameras)]
        captured = T - timedelta(days=age)
        if age >= limit_of[camera.id]:
            continue  # the camera could not have sent it: it would be past retention when it arrived
        placed.append((f"r{n}", camera.id, captured, f"PL{letter}1"))
    # Reads arrive in time order; then time moves on to T.
    for read_id, camera_id, captured, plate in sorted(placed, key=lambda p: p[2]):
        read_at(next(c for c in cameras if c.id == camera_id), read_id, plate, captured)
    clock.freeze(T)
    sergeant = find_user("sgt") or make_user("sgt", Role.ALPR_ADMIN, agency, trained=True, authorised=True)
    active = []
    for letter, window, on_cameras, released in generated_holds:
        start, end = (T - timedelta(days=window[0]), T - timedelta(days=max(0.0, window[0] - window[1] - 0.01))) \
            if window else (None, None)
        if letter is None and window is None:
            continue
        try:
            with db.session.begin_nested():
                hold = place_hold(sergeant, kind=HoldKind.INVESTIGATION, case_number="ICR-1", reason="case",
                                  review_on=T.date() + timedelta(days=10), plate=f"PL{letter}1" if letter else None,
                                  window_start=start, window_end=end,
                                  camera_ids=[c.id for c in cameras[:2]] if on_cameras else [])
        except HoldInvalid:
            continue  # a window whose reads were all destroyed already: refused, rightly
        if released:
            release_hold(sergeant, hold, reason="closed")
        else:
            active.append(hold)
    db.session.commit()

    def kept_by_hold(camera_id, captured, plate):
        return any((h.plate is None or h.plate == plate) and (h.window_start is None or captured >= h.window_start)
                   and (h.window_end is None or captured <= h.window_end)
                   and (not h.cameras or camera_id in h.camera_ids) for h in active)

    run_purge(operator("test"))
    surviving = set(db.session.scalars(select(Read.camera_read_id).where(Read.camera_id.in_([c.id for c in cameras]))))
    for read_id, camera_id, captured, plate in placed:
        overdue = captured < T - timedelta(days=limit_of[camera_id])
        should_survive = not overdue or kept_by_hold(camera_id, captured, plate)
        assert (read_id in surviving) == should_survive, (read_id, camera_id, captured, plate, limit_of[camera_id])


def test_destruction_takes_images_alerts_and_private_details_and_the_ledger_still_verifies(
        app, ctx, frozen_clock):
    clock.freeze(T - timedelta(days=40))
    agency = make_organisation()
    sergeant = make_user("sgt", Role.ALPR_ADMIN, agency, trained=True, authorised=True)
    camera = make_camera(agency, "CR 30")
    add_entry(sergeant, plate="OLD123", reason_category="stolen_vehicle", case_number="ICR-1", priority="high",
              expires_at=utcnow() + timedelta(days=60))
    image = render_plate("OLD123")
    import base64
    read_at(camera, "old", "OLD123", utcnow() - timedelta(minutes=1), plate_image=base64.b64encode(image).decode())
    confirmed = record("read.confirmed", actor=sergeant, private={"plate": "OLD123"}, cameras=[camera.id]).entry_id
    old_digest = db.session.scalar(select(Read.plate_image))
    image_path = Path(app.config["IMAGE_STORE_PATH"]) / old_digest[:2] / old_digest[2:4] / old_digest
    assert image_path.exists() and db.session.scalar(select(func.count()).select_from(Alert)) == 1
    clock.freeze(T - timedelta(hours=1))
    read_at(camera, "new", "NEW123", utcnow() - timedelta(minutes=1))
    clock.freeze(T)
    db.session.commit()
    report = run_purge(operator("test"))
    assert report.reads_destroyed == 1 and report.alerts == 1 and report.images == 1
    assert list(db.session.scalars(select(Read.camera_read_id))) == ["new"]
    assert not image_path.exists() and db.session.scalar(select(func.count()).select_from(Alert)) == 0
    assert db.session.get(LedgerPrivateDetail, confirmed) is None  # the plate's reads are gone, and so is this
    kept = db.session.scalars(select(LedgerEntry.action).join(LedgerPrivateDetail)).all()
    assert kept == ["hotlist.entry_added"]  # the listing is not a read: it stays while the entry does
    entries = {e.action: json.loads(e.details) for e in db.session.scalars(select(LedgerEntry))}
    assert entries["retention.reads_destroyed"]["destroyed"] == {str(camera.id): {(T - timedelta(days=40)).date().isoformat(): 1}}
    assert "OLD123" not in json.dumps(entries)
    seal_and_checkpoint()
    db.session.commit()
    assert verify_ledger() == []
    day = proof.destruction_record(sergeant)
    assert [(d.day, d.collected, d.destroyed, d.held) for d in day if d.destroyed] == [
        ((T - timedelta(days=40)).date(), 1, 1, 0)]


def test_a_partner_shorter_choice_and_a_hold_and_its_release(app, ctx, frozen_clock):
    clock.freeze(T - timedelta(days=12))
    agency, hoa = make_organisation(), make_partner()
    owner = make_user("owner", Role.PARTNER_ADMIN, hoa)
    sergeant = make_user("sgt", Role.ALPR_ADMIN, agency, trained=True, authorised=True)
    gate = make_camera(hoa, "Gate")
    set_sharing_mode(owner, gate, SharingMode.SHARED, reason="board", retention_days=7)
    read_at(gate, "a", "KEEP1", utcnow() - timedelta(minutes=5))
    read_at(gate, "b", "GONE1", utcnow() - timedelta(minutes=5))
    clock.freeze(T)
    hold = place_hold(sergeant, kind=HoldKind.INVESTIGATION, plate="KEEP1", case_number="ICR-4",
                      reason="burglary series", review_on=T.date() + timedelta(days=14))
    db.session.commit()
    assert (preview(sergeant).reads_destroyed, preview(sergeant).reads_held) == (1, 1)
    run_purge(operator("test"))
    assert list(db.session.scalars(select(Read.camera_read_id))) == ["a"]
    counts = db.session.scalars(select(PurgeCount).where(PurgeCount.held > 0)).all()
    assert [(c.camera_id, c.held, c.holds) for c in counts] == [(gate.id, 1, str(hold.id))]
    assert release_hold(sergeant, hold, reason="arrest made") == 1
    assert db.session.scalar(select(func.count()).select_from(Read)) == 0


@pytest.mark.postgres_only
def test_whole_days_go_by_dropping_their_partition_unless_something_in_them_is_held(app, ctx, frozen_clock):
    from sqlalchemy import text
    from hub.reads.partitions import partition_name
    if db.engine.dialect.name != "postgresql":
        pytest.skip("day partitions exist on PostgreSQL only")
    sergeant = make_user("sgt", Role.ALPR_ADMIN, make_organisation(), trained=True, authorised=True)
    camera = make_camera(make_organisation(), "CR 30")
    days = [(T - timedelta(days=d)).date() for d in (45, 44)]
    for day in days:
        db.session.execute(text(f"CREATE TABLE {partition_name(day)} PARTITION OF reads FOR VALUES FROM "
                                f"('{day}') TO ('{day + timedelta(days=1)}')"))
    for n, day in enumerate(days):
        noon = datetime(day.year, day.month, day.day, 12, tzinfo=timezone.utc)
        read_at(camera, f"a{n}", f"DAY{n}A", noon)
        read_at(camera, f"b{n}", f"DAY{n}B", noon + timedelta(minutes=5))
    clock.freeze(T)
    place_hold(sergeant, kind=HoldKind.INVESTIGATION, plate="DAY1A", case_number="ICR-2", reason="robbery",
               review_on=T.date() + timedelta(days=10))
    db.session.commit()
    report = run_purge(operator("test"))
    assert report.partitions == [partition_name(days[0])]
    assert db.session.scalar(text("SELECT to_regclass(:n)"), {"n": partition_name(days[0])}) is None
    assert list(db.session.scalars(select(Read.camera_read_id))) == ["a1"]
    assert report.reads_destroyed == 3
