"""When the database fails under the hub: every request answers 503
`database_unavailable` with Retry-After (the API in the one error body, pages
with a plain page), nothing is half-written, and the hub recovers by itself
when the database is back. Deadlocks are retried. The faults are real: a
connection to a closed port, a relay to PostgreSQL cut and restored, server
sessions ended with pg_terminate_backend, a deadlock PostgreSQL detects."""
from __future__ import annotations

import socket
import subprocess
import threading
import time
from contextlib import suppress
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from sqlalchemy import func, select, text

from hub.clock import utcnow
from hub.db_faults import DatabaseBusy, with_conflict_retries
from hub.extensions import db
from hub.ledger.models import LedgerEntry
from hub.ledger.tree import seal_and_checkpoint
from hub.ledger.verification import verify_ledger
from hub.reads.models import Read
from tests.conftest import build_app, free_port, hub_process_env, is_postgres, make_organisation

PUBLIC_PAGE = "/transparency/log-of-use"  # a page anyone opens, read from the database


def ingest(client, credential, read_id):
    return client.post("/api/v1/reads", headers={"Authorization": f"Bearer {credential}"}, json={"reads": [
        {"read_id": read_id, "plate": "ABC123", "captured_at": utcnow().isoformat(), "confidence": 0.97}]})


def assert_unavailable(response, *, page: bool = False):
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    if page:
        assert response.mimetype == "text/html"
        assert "Temporarily unavailable" in response.get_data(as_text=True)
        assert "database_unavailable" in response.get_data(as_text=True)
    else:
        assert response.get_json() == {"code": "database_unavailable", "message": response.get_json()["message"],
                                       "errors": {}}


class Relay:
    """A TCP relay in front of PostgreSQL that the test cuts (every open
    connection reset, nobody listening) and restores, on the same port."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target, self.port = target, free_port()
        self._listener: socket.socket | None = None
        self._open: list[socket.socket] = []
        self._lock = threading.Lock()

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        with self._lock:
            sockets, self._open = self._open, []
        if self._listener is not None:
            with suppress(OSError):
                self._listener.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread, stops listening
            self._listener.close()
            self._listener = None
        for sock in sockets:
            with suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                sock.close()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            with self._lock:
                self._open += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        with suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        with suppress(OSError):
            sink.shutdown(socket.SHUT_WR)


def test_an_unreachable_database_answers_503_with_retry_after(app_config):
    """Nobody listens where the database should be: the API answers the
    error body, a page the plain error page, and neither is a 500."""
    hub = build_app({**app_config, "PROPAGATE_EXCEPTIONS": False,
                     "SQLALCHEMY_DATABASE_URI": f"postgresql://postgres@127.0.0.1:{free_port()}/hub"})
    client = hub.test_client()
    assert_unavailable(ingest(client, "hubcam_anything", "r1"))
    assert_unavailable(client.get("/api/v1/cameras", headers={"Authorization": "Bearer hubtok_anything"}))
    assert_unavailable(client.get(PUBLIC_PAGE, headers={"Accept": "text/html"}), page=True)
    health = client.get("/health")  # the load balancer's check takes the instance out
    assert health.status_code == 503 and int(health.headers["Retry-After"]) > 0
    token = client.post("/oauth/token", data={"grant_type": "client_credentials"},
                        headers={"Authorization": "Basic YTpi"})
    assert token.status_code == 503 and token.get_json()["error"] == "database_unavailable"


def test_a_command_the_database_fails_says_so_and_exits_3(app_config):
    """No traceback: the command names what happened and how to go on."""
    url = f"postgresql://postgres@127.0.0.1:{free_port()}/hub"
    done = subprocess.run(["hub", "retention", "purge"], env=hub_process_env(app_config, DATABASE_URL=url),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 3, done.stderr
    assert "database became unavailable" in done.stderr and "Traceback" not in done.stderr


@pytest.fixture
def relayed(app, app_config):
    """The hub on the suite's PostgreSQL database, through a relay."""
    if not is_postgres(app):
        pytest.skip("a relay to a database server: PostgreSQL only")
    parts = urlsplit(app_config["SQLALCHEMY_DATABASE_URI"])
    relay = Relay((parts.hostname, parts.port or 5432))
    relay.start()
    netloc = f"{parts.username}@127.0.0.1:{relay.port}" if parts.username else f"127.0.0.1:{relay.port}"
    hub = build_app({**app_config, "PROPAGATE_EXCEPTIONS": False,
                     "SQLALCHEMY_DATABASE_URI": urlunsplit(parts._replace(netloc=netloc))})
    yield hub, relay
    relay.cut()
    with hub.app_context():
        db.engine.dispose()


def ingest_entries(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(LedgerEntry)
                                 .where(LedgerEntry.action == "reads.ingested"))


def test_the_hub_recovers_by_itself_when_the_database_returns(app, relayed, camera_world):
    hub, relay = relayed
    client = hub.test_client()
    credential = camera_world["city"]["credential"]
    assert ingest(client, credential, "before").status_code == 200
    relay.cut()
    assert_unavailable(ingest(client, credential, "during"))
    assert_unavailable(client.get(PUBLIC_PAGE, headers={"Accept": "text/html"}), page=True)
    health = client.get("/health")  # the load balancer's check takes the instance out
    assert health.status_code == 503 and int(health.headers["Retry-After"]) > 0
    relay.start()
    assert ingest(client, credential, "after").status_code == 200  # no restart of the hub
    assert client.get(PUBLIC_PAGE).status_code == 200
    with app.app_context():
        stored = set(db.session.scalars(select(Read.camera_read_id)))
        assert stored == {"before", "after"}
        seal_and_checkpoint()
        db.session.commit()
        assert verify_ledger() == []
    assert ingest_entries(app) == 2  # one entry per stored batch, none for the refused one


def test_a_hub_started_while_the_database_is_away_serves_once_it_is_back(app, app_config, relayed, camera_world):
    """A worker (re)started during the outage: it starts, answers 503, and
    checks its key-encryption key on the first request that finds the
    database back."""
    hub, relay = relayed
    relay.cut()
    late = build_app({**app_config, "PROPAGATE_EXCEPTIONS": False,
                      "SQLALCHEMY_DATABASE_URI": hub.config["SQLALCHEMY_DATABASE_URI"]})
    client = late.test_client()
    assert_unavailable(ingest(client, camera_world["city"]["credential"], "away"))
    relay.start()
    assert ingest(client, camera_world["city"]["credential"], "back").status_code == 200
    with late.app_context():
        db.engine.dispose()


def test_server_sessions_ended_under_the_hub_are_replaced(app, relayed, camera_world):
    """pg_terminate_backend on every session of the hub: the pool notices on
    its pre-ping and connects again; nobody sees an error."""
    hub, _ = relayed
    client = hub.test_client()
    credential = camera_world["city"]["credential"]
    assert ingest(client, credential, "one").status_code == 200
    with app.app_context():
        ended = db.session.scalar(text(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
    assert ended >= 1
    assert ingest(client, credential, "two").status_code == 200
    assert ingest_entries(app) == 2


def _hold_then_want(url: str, first: int, second: int, blocked: threading.Event, done: threading.Event) -> None:
    """Another session: lock `first`, and once the hub holds `second`'s
    partner, ask for `second` (slow to give up: the hub is the victim)."""
    with psycopg.connect(url) as connection:
        connection.execute("SET deadlock_timeout = '10s'")
        connection.execute("SELECT id FROM organisations WHERE id = %s FOR UPDATE", (first,))
        blocked.wait(10)
        connection.execute("SELECT id FROM organisations WHERE id = %s FOR UPDATE", (second,))
        connection.commit()
    done.set()


def test_a_deadlock_is_retried_and_the_work_done_once(app, app_config, ctx):
    if not is_postgres(app):
        pytest.skip("PostgreSQL's deadlock detection")
    a, b = make_organisation("Alpha PD").id, make_organisation("Beta HOA").id
    db.session.commit()
    url = app_config["SQLALCHEMY_DATABASE_URI"]
    holds_a, done = threading.Event(), threading.Event()
    attempts = []

    def work():
        attempts.append(1)
        db.session.execute(text("SET LOCAL deadlock_timeout = '100ms'"))
        db.session.execute(text("SELECT id FROM organisations WHERE id = :id FOR UPDATE"), {"id": a})
        if len(attempts) == 1:
            other = threading.Thread(target=_hold_then_want, args=(url, b, a, holds_a, done))
            other.start()
            time.sleep(0.5)  # the other session holds b
            holds_a.set()
            time.sleep(0.5)  # and waits for a
        db.session.execute(text("SELECT id FROM organisations WHERE id = :id FOR UPDATE"), {"id": b})
        return "done"

    assert with_conflict_retries(work, what="test") == "done"
    db.session.commit()
    assert len(attempts) == 2 and done.wait(15)


def test_a_conflict_that_outlasts_the_retries_answers_503(app, ctx):
    if not is_postgres(app):
        pytest.skip("PostgreSQL's serialization failures")

    def always_loses():
        db.session.execute(text("DO $$ BEGIN RAISE EXCEPTION 'lost' USING ERRCODE = '40001'; END $$"))

    with pytest.raises(DatabaseBusy) as raised:
        with_conflict_retries(always_loses, what="test", attempts=2)
    assert raised.value.status == 503 and raised.value.headers["Retry-After"]
    assert db.session.scalar(text("SELECT 1")) == 1  # the caller's transaction is still usable
