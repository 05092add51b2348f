"""Shared by the benchmarks: a hub app on a throw-away database (PostgreSQL
or SQLite), migrated with the real migrations, and small timing helpers."""
from __future__ import annotations

import os
import statistics
import tempfile
import time
from contextlib import contextmanager
from typing import Iterator

import psycopg
from flask_migrate import upgrade

from hub import create_app

PG_SERVER = os.environ.get("HUB_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432")


@contextmanager
def bench_app(engine: str) -> Iterator:
    """A migrated hub app on a fresh database that is removed afterwards."""
    instance = tempfile.mkdtemp(prefix="hub-bench-")
    if engine == "postgresql":
        name = f"hub_bench_{os.getpid()}_{int(time.time())}"
        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
            admin.execute(f"CREATE DATABASE {name}")
        url = f"{PG_SERVER}/{name}"
    else:
        name, url = None, f"sqlite:///{instance}/bench.sqlite3"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "PASSWORD_HASH_PROFILE": "fast",
                      "BASE_URL": "http://127.0.0.1", "LEDGER_SIGNING_KEY_PATH": f"{instance}/ledger-key.pem"})
    app.instance_path = instance
    try:
        with app.app_context():
            upgrade()
        yield app
    finally:
        if name:
            from hub.extensions import db
            with app.app_context():
                db.engine.dispose()
            with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
                admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def postgres_available() -> bool:
    try:
        psycopg.connect(f"{PG_SERVER}/postgres", connect_timeout=3).close()
        return True
    except psycopg.OperationalError:
        return False


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def summary_ms(samples: list[float]) -> str:
    ms = [s * 1000 for s in samples]
    return (f"mean {statistics.mean(ms):.3f} ms, p50 {percentile(ms, 50):.3f} ms, "
            f"p95 {percentile(ms, 95):.3f} ms (n={len(ms)})")
