"""Camera registry benchmark (PostgreSQL by default): 1,000 cameras in 300
organisations, 100,000 ledger entries touching one owner's cameras. Prints
p50/p95 latency of the camera list API (an officer sees all 1,000) and of
the owner's access-log page. Target: p95 under 100 ms for both.

    .venv/bin/python scripts/bench/cameras.py [--engine postgresql|sqlite] [--entries 100000]
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _support import bench_app, percentile, postgres_available  # noqa: E402

from hub.cameras.services import Location, register_camera  # noqa: E402
from hub.extensions import db  # noqa: E402
from hub.identity import services, tokens  # noqa: E402
from hub.identity.roles import OrganisationKind, Role  # noqa: E402
from hub.ledger.services import record  # noqa: E402
from hub.ledger.tree import seal_and_checkpoint  # noqa: E402
from hub.runtime import tune_garbage_collector  # noqa: E402
from hub.identity.actors import operator  # noqa: E402

BENCH = operator("bench")

PASSWORD = "benchmark password"


def build(app, entries: int) -> dict:
    with app.app_context():
        agency = services.create_organisation(BENCH, name="Corcoran Police Department", kind=OrganisationKind.AGENCY)
        officer = services.create_user(BENCH, organisation=agency, username="ofc", display_name="Officer",
                                       role=Role.OFFICER, password=PASSWORD)
        organisations = [agency] + [
            services.create_organisation(BENCH, name=f"Partner {n}",
                                         kind=OrganisationKind.HOA if n % 2 else OrganisationKind.BUSINESS)
            for n in range(299)]
        owner = services.create_user(BENCH, organisation=organisations[1], username="owner",
                                     display_name="Owner", role=Role.PARTNER_ADMIN, password=PASSWORD)
        cameras = []
        for n in range(1000):
            org = organisations[n % 300]
            cameras.append(register_camera(BENCH, org, name=f"Camera {n}",
                                           location=Location(45.0 + n / 10000, -93.5 - n / 10000, f"Site {n}"),
                                           direction="inbound", fixed=True, vendor="Flock Safety", model="Falcon",
                                           installed_on=date(2026, 1, 1)))
        db.session.commit()
        owned = [c.id for c in cameras if c.organisation_id == organisations[1].id]
        for n in range(entries):
            # 50 cases, each spread over every camera of the owner: a case's
            # filter finds hundreds of the camera's entries (full pages).
            record("reads.searched", actor=officer, purpose="stolen vehicle", case_number=f"ICR-{n % CASES}",
                   details={"reads": n % 40}, cameras=[owned[(n // CASES) % len(owned)]])
            if n % 5000 == 4999:
                db.session.commit()
        db.session.commit()
        seal_and_checkpoint()
        db.session.commit()
        secret = tokens.create_token(BENCH, officer, name="bench")[1]
        db.session.commit()
        return {"officer": secret, "owner_id": owner.id, "camera": owned[0]}


CASES = 50
TARGET_MS = 100


def timed(call, n: int) -> list[float]:
    call()  # warm up
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        response = call()
        samples.append(time.perf_counter() - start)
        assert response.status_code == 200, response.status_code
    return samples


def report(name: str, samples: list[float]) -> None:
    ms = [s * 1000 for s in samples]
    p95 = percentile(ms, 95)
    print(f"  {name}: p50 {percentile(ms, 50):.1f} ms, p95 {p95:.1f} ms (n={len(ms)}); target p95 < {TARGET_MS} ms: "
          f"{'met' if p95 < TARGET_MS else 'MISSED'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engine", default="postgresql")
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    if args.engine == "postgresql" and not postgres_available():
        sys.exit("PostgreSQL is not reachable: nothing measured")
    with bench_app(args.engine) as app:
        start = time.perf_counter()
        world = build(app, args.entries)
        print(f"== {args.engine}: 1,000 cameras in 300 organisations, {args.entries:,} ledger entries for one owner "
              f"(built in {time.perf_counter() - start:.0f} s)")
        tune_garbage_collector()  # as wsgi.py does for the served hub
        client = app.test_client()
        headers = {"Authorization": f"Bearer {world['officer']}"}
        report("camera list API, all 1,000 cameras",
               timed(lambda: client.get("/api/v1/cameras?limit=1000", headers=headers), args.requests))
        owner = app.test_client()
        with owner.session_transaction() as session:
            session["_user_id"] = str(world["owner_id"])
            session["_fresh"] = True
            session["seen_at"] = time.time()
        report("owner's access-log page (newest 100 of the camera's entries)",
               timed(lambda: owner.get(f"/cameras/{world['camera']}/access-log"), args.requests))
        filtered = f"/cameras/{world['camera']}/access-log?case_number=ICR-7"
        shown = owner.get(filtered).get_data(as_text=True).count("<tr") - 1  # the heading row
        report(f"owner's access-log page filtered by case number ({shown} rows on the page)",
               timed(lambda: owner.get(filtered), args.requests))


if __name__ == "__main__":
    main()
