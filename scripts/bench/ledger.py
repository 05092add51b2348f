"""Ledger benchmark: prints, for PostgreSQL and SQLite,
(a) the cost of a small transaction with and without its ledger entry,
(b) appends per second with 1 and with 8 concurrent writers,
(c) seconds to verify 1,000,000 entries (and to checkpoint them),
(d) inclusion-proof size and time at that size,
(e) consistency proofs between random sizes (target p95 < 20 ms),
(f) verifying a full export with proofs against a saved checkpoint, offline
    with verifier.py (target < 10 s),
(g) a witness cosigning a new checkpoint over HTTP on localhost (target < 50 ms),
each figure printed beside its target.

    .venv/bin/python scripts/bench/ledger.py [--entries 1000000] [--engines postgresql,sqlite]
"""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import threading
import time
from datetime import datetime, timedelta, timezone

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _support import bench_app, postgres_available, summary_ms  # noqa: E402

from sqlalchemy import func, insert, select  # noqa: E402

from hub.extensions import db  # noqa: E402
from hub.identity import services  # noqa: E402
from hub.identity.actors import operator  # noqa: E402
from hub.identity.roles import OrganisationKind, Role  # noqa: E402
from hub.ledger import verifier  # noqa: E402
from hub.ledger.models import LedgerEntry  # noqa: E402
from hub.ledger.services import format_time, record  # noqa: E402
from hub.ledger import signing, witness  # noqa: E402
from hub.ledger.tree import (consistency_proof, inclusion_proof, latest_checkpoint,  # noqa: E402
                             seal_and_checkpoint)
from hub.ledger.verification import export_lines  # noqa: E402
from hub.ledger.verification import verify_ledger  # noqa: E402
from hub.identity.actors import operator  # noqa: E402

BENCH = operator("bench")


def small_transactions(app, n: int) -> None:
    with app.app_context():
        org = services.create_organisation(BENCH, name="Bench PD", kind=OrganisationKind.AGENCY)
        user = services.create_user(BENCH, organisation=org, username="bench-user", display_name="B",
                                    role=Role.RECORDS, password="bench password long")
        db.session.commit()
        plain, ledgered = [], []
        for i in range(n):
            for with_entry, samples in ((False, plain), (True, ledgered)):
                start = time.perf_counter()
                user.display_name = f"name {i} {with_entry}"
                db.session.flush()
                if with_entry:
                    record("user.renamed", actor="bench", subject=user, details={"i": i})
                db.session.commit()
                samples.append(time.perf_counter() - start)
        base, with_ledger = statistics.median(plain), statistics.median(ledgered)
        print(f"  (a) small transaction without entry: {summary_ms(plain)}")
        print(f"      with its ledger entry:           {summary_ms(ledgered)}")
        print(f"      ledger adds {100 * (with_ledger - base) / base:.1f} % (median to median)")


def appends_per_second(app, writers: int, per_writer: int) -> float:
    barrier = threading.Barrier(writers + 1)

    def writer(n):
        with app.app_context():
            barrier.wait()
            for i in range(per_writer):
                record("bench.append", actor=f"w{n}", details={"i": i})
                db.session.commit()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(writers)]
    for t in threads:
        t.start()
    barrier.wait()
    start = time.perf_counter()
    for t in threads:
        t.join()
    return writers * per_writer / (time.perf_counter() - start)


def bulk_fill(app, total: int) -> None:
    """Inserts entries the way `record` builds them (same leaf hashing), in
    bulk, to reach a large ledger quickly; the real sealer seals them."""
    with app.app_context():
        at = datetime.now(timezone.utc)
        engine = db.engine.dialect.name
        raw = db.session.connection().connection.driver_connection if engine == "postgresql" else None
        columns = ("created_at", "actor_id", "actor", "actor_org_id", "action", "subject_type", "subject_id",
                   "purpose", "case_number", "details", "private_digest", "leaf_hash")
        rows = []

        def flush():
            if raw is not None:
                with raw.cursor().copy(f"COPY ledger_entries ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                db.session.execute(insert(LedgerEntry), [dict(zip(columns, row)) for row in rows])
            rows.clear()

        for n in range(total):
            when = at + timedelta(microseconds=n)
            fields = {"at": format_time(when), "actor_id": 7, "actor": "demo-officer", "actor_org_id": 1,
                      "action": "search.performed", "subject_type": "camera", "subject_id": str(n % 1000),
                      "purpose": "stolen vehicle", "case_number": f"ICR-{n % 9000}", "details": '{"results":3}',
                      "private_digest": None}
            leaf = verifier.leaf_hash(verifier.leaf_body(fields)).hex()
            rows.append((when if raw is None else when.replace(tzinfo=None), 7, "demo-officer", 1,
                         "search.performed", "camera", fields["subject_id"], "stolen vehicle",
                         fields["case_number"], '{"results":3}', None, leaf))
            if len(rows) >= 50000:
                flush()
        if rows:
            flush()
        db.session.commit()


def run(engine: str, entries: int, small: int) -> None:
    print(f"\n== {engine}")
    with bench_app(engine) as app:
        small_transactions(app, small)
        print(f"  (b) appends/s, 1 writer:  {appends_per_second(app, 1, 2000):,.0f}")
        print(f"      appends/s, 8 writers: {appends_per_second(app, 8, 500):,.0f}")
        start = time.perf_counter()
        with app.app_context():
            existing = db.session.scalar(select(func.count()).select_from(LedgerEntry))
        bulk_fill(app, entries - existing)
        print(f"      (bulk-filled to {entries:,} entries in {time.perf_counter() - start:.1f} s)")
        with app.app_context():
            start = time.perf_counter()
            seal_and_checkpoint()
            db.session.commit()
            print(f"  sealing a backlog of {entries:,} entries and signing its checkpoint: "
                  f"{time.perf_counter() - start:.1f} s")
            start = time.perf_counter()
            problems = verify_ledger()
            elapsed = time.perf_counter() - start
            print(f"  (c) verify {entries:,} entries: {elapsed:.1f} s ({'intact' if not problems else problems[0]})")
            timings, sizes, lengths = [], [], []
            for entry_id in random.sample(range(1, entries + 1), 200):  # ids run 1..n in a fresh database
                start = time.perf_counter()
                proof = inclusion_proof(entry_id)
                timings.append(time.perf_counter() - start)
                lengths.append(len(proof["audit_path"]))
                sizes.append(len(json.dumps(proof)))
            print(f"  (d) inclusion proof at {entries:,}: {summary_ms(timings)}; "
                  f"{statistics.mean(lengths):.1f} hashes, {statistics.mean(sizes):,.0f} bytes of JSON")
        consistency(app, entries)
        offline_export(app, entries)
        witness_cosigning(app)


def consistency(app, entries: int) -> None:
    with app.app_context():
        timings = []
        for _ in range(200):
            first, second = sorted(random.sample(range(1, entries + 1), 2))
            start = time.perf_counter()
            consistency_proof(first, second)
            timings.append(time.perf_counter() - start)
        timings.sort()
        p95 = timings[int(len(timings) * 0.95) - 1] * 1000
        print(f"  (e) consistency proof between random sizes of {entries:,}: {summary_ms(timings)}; "
              f"p95 {p95:.1f} ms (target < 20 ms)")


def write_export(export: str, keys: str) -> float:
    """The ledger's export and the verifier keys, as an auditor receives
    them; the seconds the export took to write."""
    with open(keys, "w") as f:
        f.writelines(k.vkey + "\n" for k in signing.verifier_keys())
    start = time.perf_counter()
    with open(export, "w") as f:
        for line in export_lines():
            f.write(line + "\n")
    return time.perf_counter() - start


def offline_export(app, entries: int) -> None:
    import tempfile

    with app.app_context(), tempfile.TemporaryDirectory() as folder:
        export, keys, saved = (os.path.join(folder, name) for name in ("ledger.jsonl", "keys.txt", "saved.txt"))
        with open(saved, "w") as f:
            f.write(latest_checkpoint().note)
        written = write_export(export, keys)
        start = time.perf_counter()
        status = verifier.main(["export", export, "--keys", keys, "--against", saved])
        print(f"  (f) offline verification of the {entries:,}-entry export against a saved checkpoint: "
              f"{time.perf_counter() - start:.1f} s (target < 10 s), {'ok' if status == 0 else 'FAILED'}; "
              f"writing the export took {written:.1f} s")


def witness_cosigning(app) -> None:
    """This hub witnesses a second, in-memory log over its own HTTP endpoint."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    origin = "bench.example/log"
    with app.app_context():
        witness.follow_log(operator("bench"), origin, [verifier.verifier_key(origin, key.public_key()).vkey])
        db.session.commit()
        leaves = [verifier.leaf_hash(str(i).encode()) for i in range(2000)]
        stack, notes = verifier.MerkleStack(), {}
        for i, leaf in enumerate(leaves, 1):
            stack.append(leaf)
            if i % 20 == 0:
                body = verifier.Checkpoint(origin, i, stack.root()).body
                notes[i] = body + "\n" + verifier.sign_note(body, origin, key).line
    client, timings, old = app.test_client(), [], 0
    for size, note in notes.items():
        proof = _proof(leaves, old, size)
        start = time.perf_counter()
        response = client.post("/ledger/witness/add-checkpoint", data=witness.request_body(old, proof, note).encode())
        timings.append(time.perf_counter() - start)
        assert response.status_code == 200, response.get_data(as_text=True)
        old = size
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1] * 1000
    print(f"  (g) witness cosigning a new checkpoint (add-checkpoint, in-process HTTP): {summary_ms(timings)}; "
          f"p95 {p95:.1f} ms (target < 50 ms)")


def _proof(leaves, first, second):
    def mth(hs):
        if len(hs) == 1:
            return hs[0]
        k = 1 << ((len(hs) - 1).bit_length() - 1)
        return verifier.node_hash(mth(hs[:k]), mth(hs[k:]))

    def sub(m, hs, whole):
        n = len(hs)
        if m == n:
            return [] if whole else [mth(hs)]
        k = 1 << ((n - 1).bit_length() - 1)
        if m <= k:
            return sub(m, hs[:k], whole) + [mth(hs[k:])]
        return sub(m - k, hs[k:], False) + [mth(hs[:k])]
    return sub(first, leaves[:second], True) if 0 < first < second else []


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=1000, help="small transactions of each kind in (a)")
    parser.add_argument("--engines", default="postgresql,sqlite")
    args = parser.parse_args()
    for engine in args.engines.split(","):
        if engine == "postgresql" and not postgres_available():
            print("\n== postgresql: not reachable, skipped")
            continue
        run(engine, args.entries, args.small)


if __name__ == "__main__":
    main()
