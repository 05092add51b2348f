"""The usage figures equal what an independent count of generated activity
gives (a figure off by one fails), the portal shows them as tables, SVG
charts and CSV, and the public record of searches carries no plate and no
officer's name unless the agency's pack publishes names."""
import csv
import io
import random
import shutil
from collections import Counter
from datetime import date, datetime, timedelta, timezone

from hub.clock import clock
from hub.extensions import db
from hub.identity.roles import Role
from hub.ledger.services import record
from hub.reads.ingest import ingest_batch
from hub.retention.purge import run_purge
from hub.search.services import search
from hub.transparency import metrics
from hub.transparency.metrics import compute_month
from hub.transparency.models import UsageFigure
from policies.loading import PACKS_DIR
from tests.conftest import OPERATOR, build_app, make_camera, make_organisation, make_user

MONTHS = [date(2026, 5, 1), date(2026, 6, 1)]
REASONS = ["theft", "burglary", "robbery"]
PURGES = [datetime(2026, 6, 5, 0, 30, tzinfo=timezone.utc), datetime(2026, 6, 14, tzinfo=timezone.utc)]


# The outside-agency request workflow's ledger actions and the step each counts as.
REQUEST_STEPS = {"data_request.submitted": "received", "data_request.letter_received": "received",
                 "data_request.approved": "approved", "data_request.approved_in_part": "approved",
                 "data_request.denied": "denied"}


def generate(seed: int = 11):
    """Searches (some opened at a second page) and outside-agency requests
    over two months, and a month of reads purged partly on time, partly late."""
    rnd = random.Random(seed)
    clock.freeze(datetime(2026, 4, 1, tzinfo=timezone.utc))
    agency = make_organisation()
    officers = [make_user(f"ofc{i}", Role.OFFICER, agency, trained=True, authorised=True) for i in range(3)]
    camera = make_camera(agency, "CR 30")
    want, captured = {m: Counter() for m in MONTHS}, []
    for n in range(40):
        month = rnd.choice(MONTHS)
        at = datetime(month.year, month.month, rnd.randrange(1, 28), rnd.randrange(24), tzinfo=timezone.utc)
        clock.freeze(at)
        ingest_batch(camera, [{"read_id": f"s{n}", "plate": f"PLT{n:03d}", "captured_at": at.isoformat()}])
        captured.append(at)
        reason = rnd.choice(REASONS)
        query = {"plate": f"PLT{n:03d}", "reason": reason, "case_number": f"CPD-26-{n:06d}", "basis": "seen"}
        search(rnd.choice(officers), query)
        want[month][("searches", reason)] += 1
        if rnd.random() < 0.3:
            search(officers[0], {**query, "page": "2"})  # the same search, its next page: not a new one
        action = rnd.choice(sorted(REQUEST_STEPS))
        record(action, actor=None, details={"request": n})
        want[month][("outside_agency_requests", REQUEST_STEPS[action])] += 1
    db.session.commit()
    # May's first ten days: days 1-5 purged on time (30 days), days 6-10 purged late.
    for day in range(1, 11):
        at = datetime(2026, 5, day, 9, tzinfo=timezone.utc)
        clock.freeze(at)
        ingest_batch(camera, [{"read_id": f"d{day}-{i}", "plate": f"DST{day}{i}", "captured_at": at.isoformat()}
                              for i in range(day)])
        captured += [at] * day
    for run_at in PURGES:
        clock.freeze(run_at)
        run_purge(OPERATOR)
    return want, captured


def test_the_figures_equal_an_independent_count(ctx, frozen_clock):
    want, _ = generate()
    clock.freeze(datetime(2026, 7, 1, tzinfo=timezone.utc))
    for month in MONTHS:
        compute_month(OPERATOR, month)
    for month in MONTHS:
        got = {(f.figure, f.category): f.value for f in db.session.scalars(
            db.select(UsageFigure).where(UsageFigure.month == month)) if f.figure in ("searches",
                                                                                      "outside_agency_requests")}
        assert {k: v for k, v in got.items() if v} == dict(want[month]), month
    searches = metrics.public_searches(MONTHS[0], date(2026, 7, 1))
    assert len(searches) == sum(v for m in want.values() for (f, _), v in m.items() if f == "searches")
    assert all(s.officer is None and s.case_number_present for s in searches)


def test_reads_destroyed_on_time_and_late_are_counted_by_their_deadline(ctx, frozen_clock):
    _, captured = generate()
    clock.freeze(datetime(2026, 7, 1, tzinfo=timezone.utc))
    compute_month(OPERATOR, date(2026, 6, 1))
    destruction = {f.category: f.value for f in db.session.scalars(
        db.select(UsageFigure).where(UsageFigure.figure == "destruction"))}
    # Independently: the first run past a read's 30 days destroys it; it is
    # late past the end of its day plus 30 days, plus the purge's hour.
    want = Counter()
    for at in captured:
        run = next((r for r in PURGES if at < r - timedelta(days=30)), None)
        if run is not None:
            due = datetime.combine(at.date() + timedelta(days=31), datetime.min.time(), timezone.utc)
            want["late" if run > due + timedelta(hours=1) else "on time"] += 1
    assert want["late"] and want["on time"]
    assert destruction == dict(want)


def test_the_portal_shows_the_figures_as_tables_charts_and_csv(app, client, run, frozen_clock):
    def build():
        want, _ = generate()
        clock.freeze(datetime(2026, 7, 1, tzinfo=timezone.utc))
        for month in MONTHS:
            compute_month(OPERATOR, month)
        return want
    want = run(build)
    page = client.get("/transparency/usage?year=2026")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and text.count("<svg") >= 4 and 'role="img"' in text
    assert "Theft or stolen property recovery" in text and "PLT0" not in text and "ofc1" not in text
    rows = list(csv.DictReader(io.StringIO(client.get("/transparency/usage?year=2026&table=searches&format=csv")
                                           .get_data(as_text=True))))
    total = sum(int(r["total"]) for r in rows)
    assert total == sum(v for m in want.values() for (f, _), v in m.items() if f == "searches")
    assert client.get("/transparency/usage?year=2026&table=nothing&format=csv").status_code == 404
    assert client.get("/transparency/usage?year=2999").status_code == 404
    assert client.get("/transparency/usage?year=twenty").status_code == 404
    assert client.get("/transparency/usage?year=2026&format=xml").status_code == 404

    searches = client.get("/transparency/searches?year=2026")
    assert searches.status_code == 200 and "PLT0" not in searches.get_data(as_text=True)
    exported = list(csv.DictReader(io.StringIO(client.get("/transparency/searches?year=2026&format=csv")
                                               .get_data(as_text=True))))
    assert len(exported) == total and set(exported[0]) == {"date", "reason", "case_number_given",
                                                           "cameras_searched"}
    assert client.get("/transparency/searches?year=2026&page=2").status_code == 404
    assert client.get("/transparency/searches?year=2026&page=0").status_code == 400
    assert client.get("/transparency/searches?year=2026&page=99999999999999999999999").status_code in (400, 404, 422)


def test_a_pack_that_publishes_officer_names_names_them(app_config, tmp_path, frozen_clock):
    packs = tmp_path / "packs"
    shutil.copytree(PACKS_DIR, packs)
    agency_pack = packs / "agencies" / "corcoran.yaml"
    agency_pack.write_text(agency_pack.read_text().replace("officer_names: false", "officer_names: true"))
    named = build_app({**app_config, "POLICY_PACKS_DIR": str(packs)})
    with named.app_context():
        generate()
        clock.freeze(datetime(2026, 7, 1, tzinfo=timezone.utc))
        compute_month(OPERATOR, MONTHS[0])
        db.session.commit()
        assert {s.officer for s in metrics.public_searches(MONTHS[0], MONTHS[1])} <= {"ofc0", "ofc1", "ofc2"}
        assert "officer" in named.test_client().get("/transparency/searches?year=2026&format=csv") \
            .get_data(as_text=True).splitlines()[0]
        db.session.rollback()
