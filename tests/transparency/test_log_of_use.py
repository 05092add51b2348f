"""The public log of use equals what an independent count of the generated
reads and hits gives, and the portal shows it to anyone without a name or a
plate it should not show."""
import csv
import io
import random
from collections import Counter
from datetime import datetime, timedelta, timezone

from hub.cameras.models import SharingMode
from hub.cameras.sharing import set_sharing_mode
from hub.clock import clock
from hub.extensions import db
from hub.hotlists.services import add_entry
from hub.identity.actors import operator
from hub.identity.roles import Role
from hub.reads.ingest import ingest_batch
from hub.transparency.log_of_use import aggregate_day
from hub.transparency.models import LogOfUseDay
from tests.conftest import make_camera, make_organisation, make_partner, make_user

DAY = datetime(2026, 11, 20, tzinfo=timezone.utc)
CATEGORIES = {"stolen_vehicle": "hits_stolen", "warrant": "hits_warrant",
              "suspended_revoked_license": "hits_suspended_revoked", "missing_person": "hits_active_investigation"}


def world(seed: int = 7):
    rnd = random.Random(seed)
    clock.freeze(DAY - timedelta(days=1))
    agency, hoa = make_organisation(), make_partner("Rush Creek HOA")
    owner = make_user("owner", Role.PARTNER_ADMIN, hoa)
    sergeant = make_user("sgt", Role.ALPR_ADMIN, agency, trained=True, authorised=True)
    city, gate, private = make_camera(agency, "CR 30"), make_camera(hoa, "Gate"), make_camera(hoa, "Back")
    set_sharing_mode(owner, gate, SharingMode.ALERTS_ONLY, reason="board")
    listed = {}
    for n, category in enumerate(CATEGORIES):
        plate = f"HIT{n}"
        add_entry(sergeant, plate=plate, reason_category=category, case_number=f"ICR-{n}", priority="high",
                  expires_at=DAY + timedelta(days=30))
        listed[plate] = category
    expected = {c.id: {"reads": 0, "hours": set(), **{col: 0 for col in CATEGORIES.values()}}
                for c in (city, gate, private)}
    for n in range(120):
        camera = rnd.choice([city, gate, private])
        at = DAY + timedelta(minutes=rnd.randrange(0, 24 * 60))
        plate = rnd.choice([*listed, "PLAIN1", "PLAIN2", "PLAIN3"])
        clock.freeze(at + timedelta(seconds=1))
        ingest_batch(camera, [{"read_id": f"r{n}", "plate": plate, "captured_at": at.isoformat()}])
        expected[camera.id]["reads"] += 1
        expected[camera.id]["hours"].add(at.hour)
        if plate in listed and camera is not private:
            expected[camera.id][CATEGORIES[listed[plate]]] += 1
    clock.freeze(DAY + timedelta(days=1, hours=1))
    return {"city": city.id, "gate": gate.id, "private": private.id}, expected


def test_the_log_equals_an_independent_count(ctx, frozen_clock):
    ids, expected = world()
    aggregate_day(operator("test"), DAY.date())
    rows = {r.camera_id: r for r in db.session.scalars(db.select(LogOfUseDay))}
    for camera_id, want in expected.items():
        row = rows[camera_id]
        assert row.reads == want["reads"]
        assert {h for h, on in enumerate(row.hours_active) if on == "1"} == want["hours"]
        for column in CATEGORIES.values():
            assert getattr(row, column) == want[column], (camera_id, column)
    assert "Manual entries" in rows[ids["city"]].databases_compared
    assert rows[ids["private"]].databases_compared.startswith("none")


def test_anyone_reads_the_portal_and_its_csv_without_names_or_plates(app, client, run, frozen_clock):
    def build():
        ids, _ = world()
        aggregate_day(operator("test"), DAY.date())
        return ids
    ids = run(build)
    home = client.get("/transparency").get_data(as_text=True)
    assert "Homeowners association" in home and "Rush Creek" not in home
    page = client.get("/transparency/log-of-use?month=2026-11")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Hits: warrants" in text and "HIT1" not in text and "Rush Creek" not in text
    rows = list(csv.DictReader(io.StringIO(client.get("/transparency/log-of-use?month=2026-11&format=csv")
                                           .get_data(as_text=True))))
    assert sum(int(r["reads_per_period"]) for r in rows) == 120
    assert client.get("/transparency/log-of-use?month=2026-13").status_code == 404
    assert client.get("/transparency/log-of-use?month=2999-01").status_code == 404
    assert client.get("/transparency/log-of-use?month=2026-11&page=2").status_code == 404  # one page of readers
    assert client.get("/transparency/log-of-use?month=2026-11&page=0").status_code == 400
    one = client.get(f"/transparency/log-of-use?month=2026-11&camera={ids['gate']}").get_data(as_text=True)
    assert f"Reader {ids['gate']}:" in one and f"Reader {ids['city']}:" not in one
    rules = client.get("/transparency/rules").get_data(as_text=True)
    assert "proposed default, not yet adopted" in rules and "Minn. Stat. 13.824 subd. 5" in rules
