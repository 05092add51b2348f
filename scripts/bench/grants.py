"""Grant benchmark on PostgreSQL with 10,000 active grants. Prints p50/p99 of
the token validation a data request adds (lookup by hash, revocation and
expiry of token and grant, cameras and window), the whole request beside it,
and whether the first request after a revocation is refused. The granted
camera holds `--reads` reads in the grants' window, which every request
returns (opened under the owner's data keys). With `--encryption both` (the
default) the whole request is measured with owner-keyed encryption and with
plates kept in clear (a switch of this benchmark only, `_plaintext`).
Targets: validation under 2 ms p50; refused on the next request; encryption
at most 15 % slower.

    .venv/bin/python scripts/bench/grants.py [--grants 10000] [--requests 2000] [--reads 500]
                                             [--encryption both|on|off]
"""
from __future__ import annotations

import argparse
import os
import random
import secrets
import sys
import time
from datetime import datetime, timedelta, timezone

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _plaintext import store_plates_in_clear  # noqa: E402
from _support import bench_app, each_encryption_mode, encryption_ratio, percentile, postgres_available  # noqa: E402,E501

from sqlalchemy import insert  # noqa: E402

from hub import secret_tokens  # noqa: E402
from hub.cameras.services import Location, register_camera  # noqa: E402
from hub.extensions import db  # noqa: E402
from hub.grants.access import check_token  # noqa: E402
from hub.grants.models import AccessRequest, Grant, OAuthToken, RequestStatus  # noqa: E402
from hub.grants.revocation import revoke_grant  # noqa: E402
from hub.identity import access, services  # noqa: E402
from hub.identity.roles import OrganisationKind, Role  # noqa: E402
from hub.identity.actors import operator  # noqa: E402
from hub.reads.ingest import ingest_batch  # noqa: E402

BENCH = operator("bench")


def build(app, count: int, reads: int) -> list[tuple[int, str]]:
    """`count` consented grants with one access token each, inserted in bulk,
    and `reads` reads of the granted camera inside their window."""
    with app.app_context():
        agency = services.create_organisation(BENCH, name="Corcoran PD", kind=OrganisationKind.AGENCY)
        hoa = services.create_organisation(BENCH, name="Bench HOA", kind=OrganisationKind.HOA)
        officer = services.create_user(BENCH, organisation=agency, username="ofc", display_name="O",
                                       role=Role.OFFICER, password="benchmark password")
        owner = services.create_user(BENCH, organisation=hoa, username="owner", display_name="P",
                                     role=Role.PARTNER_ADMIN, password="benchmark password")
        chief = services.create_user(BENCH, organisation=agency, username="chief", display_name="C",
                                     role=Role.CHIEF, password="benchmark password")
        today = datetime.now(timezone.utc).date()
        access.record_training(BENCH, officer, completed_on=today, course="ALPR")
        access.authorise_officer(BENCH, officer, text="Authorised.", signed_on=today, signed_by=chief)
        camera = register_camera(BENCH, hoa, name="Gate", location=Location(45, -93, "Gate"), direction="inbound",
                                 fixed=True, vendor="", model="", installed_on=datetime.now(timezone.utc).date())
        now = datetime.now(timezone.utc)
        for first in range(0, reads, 1000):
            ingest_batch(camera, [{"read_id": f"r{n}", "plate": f"B{n:05d}", "confidence": 0.95,
                                   "captured_at": (now - timedelta(days=2) + timedelta(seconds=60 * n)).isoformat()}
                                  for n in range(first, min(reads, first + 1000))])
        requests = [{"officer_id": officer.id, "organisation_id": hoa.id, "camera_ids": str(camera.id),
                     "case_number": f"ICR-{n}", "offense_type": "theft", "factual_basis": "bench",
                     "window_start": now - timedelta(days=2), "window_end": now - timedelta(days=1),
                     "access_hours": 48, "status": RequestStatus.GRANTED, "created_at": now} for n in range(count)]
        request_ids = list(db.session.execute(insert(AccessRequest).returning(AccessRequest.id), requests).scalars())
        grants = [{"request_id": rid, "client_id": "bench", "organisation_id": hoa.id, "camera_ids": str(camera.id),
                   "window_start": now - timedelta(days=2), "window_end": now - timedelta(days=1),
                   "expires_at": now + timedelta(hours=48), "granted_by_id": owner.id, "granted_at": now}
                  for rid in request_ids]
        grant_ids = list(db.session.execute(insert(Grant).returning(Grant.id), grants).scalars())
        issued = [(gid, "hubat_" + secrets.token_urlsafe(36)) for gid in grant_ids]
        db.session.execute(insert(OAuthToken), [
            {"client_id": "bench", "grant_id": gid, "user_id": owner.id, "access_token_hash": secret_tokens.digest(t),
             "issued_at": now, "expires_at": now + timedelta(hours=1), "scope": ""} for gid, t in issued])
        db.session.commit()
        return issued


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--grants", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--reads", type=int, default=500)
    parser.add_argument("--encryption", choices=("both", "on", "off"), default="both")
    args = parser.parse_args()
    if not postgres_available():
        sys.exit("PostgreSQL is not reachable: nothing measured")
    if args.encryption == "both":
        p50 = each_encryption_mode([__file__, "--grants", str(args.grants), "--requests", str(args.requests),
                                    "--reads", str(args.reads)])
        encryption_ratio("whole data request p50", p50["on"], p50["off"], higher_is_better=False, unit="ms")
        return
    if args.encryption == "off":
        store_plates_in_clear()
    print(f"FIGURE {run(args, encrypted=args.encryption == 'on')}")


def run(args, *, encrypted: bool) -> float:
    with bench_app("postgresql") as app:
        issued = build(app, args.grants, args.reads)
        print(f"== postgresql, encryption {'on' if encrypted else 'off'}, {args.grants:,} active grants, "
              f"{args.reads:,} reads returned by each request")
        with app.app_context():
            validation = []
            for grant_id, token in random.sample(issued, min(args.requests, len(issued))):
                start = time.perf_counter()
                check_token(token, grant_id, camera_ids=[], since=None, until=None)
                validation.append((time.perf_counter() - start) * 1000)
                db.session.rollback()
        client = app.test_client()
        for grant_id, token in issued[-10:]:  # warm: compiled statements, the key cache, the server's buffers
            client.get(f"/api/v1/grants/{grant_id}/reads", headers={"Authorization": f"Bearer {token}"})
        whole = []
        for grant_id, token in random.sample(issued, min(args.requests // 4, len(issued))):
            start = time.perf_counter()
            response = client.get(f"/api/v1/grants/{grant_id}/reads", headers={"Authorization": f"Bearer {token}"})
            whole.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200 and len(response.get_json()) == min(args.reads, 1000), \
                response.get_json()
        print(f"  token validation with revocation check: p50 {percentile(validation, 50):.2f} ms, "
              f"p99 {percentile(validation, 99):.2f} ms (n={len(validation)})")
        print(f"  whole data request (validation, query, ledger entry, commit): p50 {percentile(whole, 50):.1f} ms, "
              f"p99 {percentile(whole, 99):.1f} ms (n={len(whole)})")
        grant_id, token = issued[0]
        before = client.get(f"/api/v1/grants/{grant_id}/reads", headers={"Authorization": f"Bearer {token}"})
        with app.app_context():
            start = time.perf_counter()
            revoke_grant(BENCH, db.session.get(Grant, grant_id), reason="bench")
            db.session.commit()
        after = client.get(f"/api/v1/grants/{grant_id}/reads", headers={"Authorization": f"Bearer {token}"})
        elapsed = (time.perf_counter() - start) * 1000
        print(f"  revocation: request before {before.status_code}, the very next request {after.status_code} "
              f"({after.get_json()['code']}), {elapsed:.1f} ms from revoking to the refusal")
        return percentile(whole, 50)


if __name__ == "__main__":
    main()
