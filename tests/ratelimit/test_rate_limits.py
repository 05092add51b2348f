"""Rate limits on failed attempts (sign-in, OAuth token, consent link,
ingest), a 429 in the hub's error shape with Retry-After, and floods that
leave a couple of ledger entries, not one per attempt."""
import json
import socket
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from hub.cameras.credentials import issue_credential
from hub.extensions import db
from hub.ledger.models import LedgerEntry
from hub.ratelimit.failures import tidy_failure_windows
from hub.ratelimit.storage import DatabaseStorage
from hub.identity.roles import Role
from tests.conftest import PASSWORD, build_app, csrf_from, make_camera, make_organisation, make_user
from tests.conftest import OPERATOR


def limited_app(app_config, **limits):
    return build_app({**app_config, **limits})


def entries(application, after: int = 0) -> list[LedgerEntry]:
    with application.app_context():
        return list(db.session.scalars(select(LedgerEntry).where(LedgerEntry.id > after).order_by(LedgerEntry.id)))


def last_entry_id(application) -> int:
    with application.app_context():
        return db.session.scalar(select(func.max(LedgerEntry.id))) or 0


def test_fifty_failed_sign_ins_hit_the_limit_and_leave_a_couple_of_entries(app, app_config, frozen_clock):
    limited = limited_app(app_config, RATELIMIT_SIGN_IN="5 per minute")
    with limited.app_context():
        make_user("ofc", Role.OFFICER)
        db.session.commit()
    client = limited.test_client()
    token = csrf_from(client.get("/login").get_data(as_text=True))
    before = last_entry_id(limited)
    answers = [client.post("/login", data={"username": f"guess{n}", "password": "guess", "csrf_token": token})
               for n in range(50)]
    assert [a.status_code for a in answers[:5]] == [200] * 5
    assert {a.status_code for a in answers[5:]} == {429}
    assert int(answers[-1].headers["Retry-After"]) > 0
    as_json = client.post("/login", data={"username": "ofc", "password": PASSWORD, "csrf_token": token},
                          headers={"Accept": "application/json"})
    assert as_json.status_code == 429 and as_json.headers["Retry-After"]
    assert set(as_json.get_json()) == {"code", "message", "errors"}
    assert as_json.get_json()["code"] == "too_many_requests"
    during = entries(limited, before)
    assert [e.action for e in during] == ["login.failed", "rate_limit.exceeded"]

    frozen_clock.advance(timedelta(seconds=limited.config["FAILURE_WINDOW_SECONDS"]))
    with limited.app_context():
        assert tidy_failure_windows() == 2
        db.session.commit()
    summaries = [json.loads(e.details) for e in entries(limited, before) if e.action == "failures.summarised"]
    assert sorted((s["action"], s["attempts"]) for s in summaries) == [("login.failed", 5),
                                                                       ("rate_limit.exceeded", 46)]
    with limited.app_context():
        assert tidy_failure_windows() == 0


def test_successful_sign_ins_do_not_count(app, app_config):
    limited = limited_app(app_config, RATELIMIT_SIGN_IN="2 per minute")
    with limited.app_context():
        make_user("ofc", Role.OFFICER)
        db.session.commit()
    for _ in range(4):
        client = limited.test_client()
        token = csrf_from(client.get("/login").get_data(as_text=True))
        assert client.post("/login", data={"username": "ofc", "password": PASSWORD, "csrf_token": token}) \
            .status_code == 302


def test_oauth_token_endpoint_is_limited(app, app_config):
    limited = limited_app(app_config, RATELIMIT_OAUTH_TOKEN="3 per minute")
    client = limited.test_client()
    body = {"grant_type": "authorization_code", "code": "x"}
    statuses = [client.post("/oauth/token", data=body, auth=("nobody", "guess")).status_code for _ in range(5)]
    assert all(400 <= s < 500 and s != 429 for s in statuses[:3]) and set(statuses[3:]) == {429}
    refused = client.post("/oauth/token", data=body, auth=("nobody", "guess"))
    assert refused.status_code == 429 and refused.headers["Retry-After"]
    assert refused.get_json()["code"] == "too_many_requests"


def test_consent_link_failures_are_limited_and_ledgered_once(app, app_config):
    limited = limited_app(app_config, RATELIMIT_CONSENT_LINK="3 per minute")
    client = limited.test_client()
    before = last_entry_id(limited)
    statuses = [client.post("/api/v1/access-requests/1/consent-link", json={"authorization_url": "/oauth/authorize"},
                            auth=("nobody", f"guess-{n}")).status_code for n in range(20)]
    assert statuses[:3] == [401] * 3 and set(statuses[3:]) == {429}
    assert [e.action for e in entries(limited, before)] == ["authentication.failed", "rate_limit.exceeded"]


def test_ingest_failures_are_limited_but_good_batches_are_not(app, app_config):
    from hub.clock import utcnow
    limited = limited_app(app_config, RATELIMIT_INGEST_FAILURES="3 per minute")
    with limited.app_context():
        make_organisation()
        credential = issue_credential(OPERATOR, make_camera(make_organisation(), "CR 30"))[1]
        db.session.commit()
    client = limited.test_client()
    for n in range(6):
        rejected = client.post("/api/v1/reads", headers={"Authorization": f"Bearer {credential}"},
                               json={"reads": [{"read_id": f"bad{n}", "plate": "!!", "captured_at": "never"}]})
        assert rejected.status_code == 422
        good = client.post("/api/v1/reads", headers={"Authorization": f"Bearer {credential}"}, json={"reads": [
            {"read_id": f"r{n}", "plate": "ABC123", "captured_at": utcnow().isoformat()}]})
        assert good.status_code == 200
    before = last_entry_id(limited)
    bad = [client.post("/api/v1/reads", headers={"Authorization": "Bearer hubcam_x_y"}, json={"reads": []}).status_code
           for _ in range(10)]
    assert bad[:3] == [401] * 3 and set(bad[3:]) == {429}
    blocked = client.post("/api/v1/reads", headers={"Authorization": f"Bearer {credential}"}, json={"reads": []})
    assert blocked.status_code == 429 and blocked.get_json()["code"] == "too_many_requests"
    assert [e.action for e in entries(limited, before)] == ["authentication.failed", "rate_limit.exceeded"]


def test_database_storage_is_shared_between_instances(ctx):
    first, second = DatabaseStorage("hubdb://"), DatabaseStorage("hubdb://")
    assert first.incr("k", 60) == 1 and second.incr("k", 60) == 2 and first.get("k") == 2
    assert second.get_expiry("k") > 0 and first.check()
    second.clear("k")
    assert first.get("k") == 0
    first.incr("gone", 0)
    assert first.get("gone") == 0 and first.incr("gone", 60) == 1


def _redis_reachable() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
        return True
    except OSError:
        return False


@pytest.mark.skipif(not _redis_reachable(), reason="no Redis at 127.0.0.1:6379")
def test_redis_storage_when_configured(app, app_config):
    limited = limited_app(app_config, RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/15",
                          RATELIMIT_KEY_PREFIX=f"hub-test-{uuid.uuid4().hex}", RATELIMIT_OAUTH_TOKEN="2 per minute")
    client = limited.test_client()
    statuses = [client.post("/oauth/token", data={"grant_type": "x"}, auth=("nobody", "guess")).status_code
                for _ in range(3)]
    assert statuses[-1] == 429


def test_limits_count_per_client_address_behind_a_trusted_proxy(app, app_config):
    limited = limited_app(app_config, RATELIMIT_OAUTH_TOKEN="2 per minute", TRUSTED_PROXIES=1)
    client = limited.test_client()

    def attempt(address):
        return client.post("/oauth/token", data={"grant_type": "x"}, auth=("nobody", "guess"),
                           headers={"X-Forwarded-For": address}).status_code
    assert [attempt("203.0.113.7") for _ in range(3)][-1] == 429
    assert attempt("198.51.100.9") != 429
