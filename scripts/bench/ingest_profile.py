"""Where one ingest request's time goes: a camera's request with ONE read
(what most cameras send) through the Flask test client against PostgreSQL,
with every SQL statement it runs listed and counted, and a cProfile of many
such requests (cumulative time by function).

    .venv/bin/python scripts/bench/ingest_profile.py [--requests 500] [--top 40]
"""
from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from datetime import datetime, timezone

from sqlalchemy import event

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _support import bench_app, postgres_available  # noqa: E402

from hub.cameras.credentials import issue_credential  # noqa: E402
from hub.cameras.services import Location, register_camera  # noqa: E402
from hub.extensions import db  # noqa: E402
from hub.identity import services  # noqa: E402
from hub.identity.actors import operator  # noqa: E402
from hub.identity.roles import OrganisationKind  # noqa: E402

BENCH = operator("bench")


def camera_credential(app) -> str:
    with app.app_context():
        agency = services.create_organisation(BENCH, name="Corcoran Police Department", kind=OrganisationKind.AGENCY)
        camera = register_camera(BENCH, agency, name="Camera 1", location=Location(45.1, -93.5, "Site 1"),
                                 direction="inbound", fixed=True, vendor="Flock Safety", model="Falcon",
                                 installed_on=datetime.now(timezone.utc).date())
        credential = issue_credential(BENCH, camera)[1]
        db.session.commit()
        return credential


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()
    if not postgres_available():
        sys.exit("PostgreSQL is not reachable: nothing measured")
    with bench_app("postgresql") as app:
        credential = camera_credential(app)
        client = app.test_client()
        headers = {"Authorization": f"Bearer {credential}"}
        counter = iter(range(10**9))

        def one_read():
            body = {"reads": [{"read_id": f"r{next(counter)}", "plate": "ABC123", "confidence": 0.95,
                               "captured_at": datetime.now(timezone.utc).isoformat()}]}
            response = client.post("/api/v1/reads", json=body, headers=headers)
            assert response.status_code == 200, response.get_data(as_text=True)

        for _ in range(20):  # warm: imports, caches, the hotlist index
            one_read()
        statements: list[str] = []
        with app.app_context():
            engine = db.engine

        def log_statement(conn, cursor, statement, parameters, context, executemany):
            statements.append(" ".join(statement.split())[:140])

        event.listen(engine, "before_cursor_execute", log_statement)
        one_read()
        event.remove(engine, "before_cursor_execute", log_statement)
        print(f"== SQL of one request with one read ({len(statements)} statements through SQLAlchemy; "
              "the bulk insert goes through the driver's cursor and is not listed):")
        for text in statements:
            print(f"  {text}")
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(args.requests):
            one_read()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        print(f"== {args.requests} requests of one read each, without the profiler: {1000 * wall / args.requests:.2f} ms "
              f"per request, of which {1000 * cpu / args.requests:.2f} ms of the hub's own CPU (the rest is waiting "
              f"on PostgreSQL and on the machine's other work; load average {os.getloadavg()[0]:.2f})")
        profile = cProfile.Profile()
        start = time.perf_counter()
        profile.enable()
        for _ in range(args.requests):
            one_read()
        profile.disable()
        elapsed = time.perf_counter() - start
        print(f"== {args.requests} requests of one read each: {1000 * elapsed / args.requests:.2f} ms per request "
              f"under the profiler (load average {os.getloadavg()[0]:.2f})")
        stats = pstats.Stats(profile)
        # Load-independent measures on a shared machine: waits on the server
        # (psycopg waits once per round trip: statements, BEGIN/COMMIT/ROLLBACK,
        # pings) and Python function calls.
        trips = sum(calls for (path, _, name), (_, calls, *_) in stats.stats.items()
                    if path.endswith("psycopg/connection.py") and name == "wait")
        print(f"== per request: {trips / args.requests:.1f} round trips to PostgreSQL, "
              f"{stats.total_calls / args.requests:,.0f} Python function calls")
        stats.sort_stats("cumulative").print_stats(args.top)


if __name__ == "__main__":
    main()
