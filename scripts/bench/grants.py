"""Grant benchmark on PostgreSQL with 10,000 active grants. Prints p50/p99 of
the token validation a data request adds (lookup by hash, revocation and
expiry of token and grant, cameras and window), the whole request beside it,
and whether the first request after a revocation is refused.
Targets: validation under 2 ms p50; refused on the next request.

    .venv/bin/python scripts/bench/grants.py [--grants 10000] [--requests 2000]
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
from _support import bench_app, percentile, postgres_available  # noqa: E402

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

BENCH = operator("bench")


def build(app, count: int) -> list[tuple[int, str]]:
    """`count` consented grants with one access token each, inserted in bulk."""
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
    args = parser.parse_args()
    if not postgres_available():
        sys.exit("PostgreSQL is not reachable: nothing measured")
    with bench_app("postgresql") as app:
        issued = build(app, args.grants)
        print(f"== postgresql, {args.grants:,} active grants")
        with app.app_context():
            validation = []
            for grant_id, token in random.sample(issued, min(args.requests, len(issued))):
                start = time.perf_counter()
                check_token(token, grant_id, camera_ids=[], since=None, until=None)
                validation.append((time.perf_counter() - start) * 1000)
                db.session.rollback()
        client = app.test_client()
        whole = []
        for grant_id, token in random.sample(issued, min(args.requests // 4, len(issued))):
            start = time.perf_counter()
            response = client.get(f"/api/v1/grants/{grant_id}/reads", headers={"Authorization": f"Bearer {token}"})
            whole.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, response.get_json()
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


if __name__ == "__main__":
    main()
