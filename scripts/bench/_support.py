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
from hub.keys.envelope import new_kek_text

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
    with open(f"{instance}/data-kek", "wb") as kek:
        kek.write(new_kek_text())
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "PASSWORD_HASH_PROFILE": "fast",
                      "BASE_URL": "http://127.0.0.1", "LEDGER_SIGNING_KEY_PATH": f"{instance}/ledger-key.pem",
                      "DATA_KEK_PATH": f"{instance}/data-kek", "DATA_KEY_STORE_PATH": f"{instance}/data-keys",
                      "IMAGE_STORE_PATH": f"{instance}/images", "IMAGE_KEY_PATH": f"{instance}/image-key",
                      "PLATE_HASH_KEY_PATH": f"{instance}/plate-hash-key"})
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


def each_encryption_mode(argv: list[str]) -> dict[str, float]:
    """Run this benchmark once with encryption on and once off, each in its
    own process (a fresh database, nothing warmed by the other run), showing
    their output; the figure each printed last (`FIGURE <number>`)."""
    import subprocess
    import sys

    figures = {}
    for mode in ("on", "off"):
        done = subprocess.run([sys.executable, *argv, "--encryption", mode], capture_output=True, text=True,
                              check=True)
        lines = done.stdout.splitlines()
        print("\n".join(line for line in lines if not line.startswith("FIGURE ")))
        figures[mode] = float(next(line for line in reversed(lines) if line.startswith("FIGURE "))[7:])
    return figures


def encryption_ratio(label: str, on: float, off: float, *, higher_is_better: bool, unit: str) -> None:
    """The figure with owner-keyed encryption beside the same without it,
    and how much slower encryption makes it (target: at most 15 %)."""
    slower = (off / on - 1) if higher_is_better else (on / off - 1)
    verdict = "within" if slower <= 0.15 else "OVER"
    print(f"  {label}: encryption on {on:,.1f} {unit}, off {off:,.1f} {unit}: {100 * slower:+.1f} % "
          f"(target: at most 15 % slower; {verdict})")


def summary_ms(samples: list[float]) -> str:
    ms = [s * 1000 for s in samples]
    return (f"mean {statistics.mean(ms):.3f} ms, p50 {percentile(ms, 50):.3f} ms, "
            f"p95 {percentile(ms, 95):.3f} ms (n={len(ms)})")
