"""A month of ledger: 1,000,000 entries under 259,200 signed checkpoints (30
days of a checkpoint every 10 seconds), built in bulk, then verified the two
ways an operator and an auditor do, each time printed beside its target:

(a) `hub ledger verify` on the hub's database (target < 10 s),
(b) `verifier.py export` over the ledger's export, run as its own process the
    way an auditor runs the copied file (target < 10 s),
(c) the same two with `--sign-sample`, the documented option that checks
    only some checkpoints' signatures (the trade-off is printed with it).

    .venv/bin/python scripts/bench/ledger_month.py [--entries 1000000] [--checkpoints 259200]
        [--engines sqlite,postgresql]
"""
from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _support import bench_app, postgres_available  # noqa: E402
from ledger import bulk_fill, write_export  # noqa: E402

from sqlalchemy import delete, insert, select  # noqa: E402

from hub.extensions import db  # noqa: E402
from hub.ledger import signing, verifier  # noqa: E402
from hub.ledger.models import LedgerCheckpoint, LedgerEntry  # noqa: E402
from hub.ledger.services import format_time  # noqa: E402
from hub.ledger.tree import seal_and_checkpoint  # noqa: E402

VERIFIER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "hub", "ledger", "verifier.py")
TARGET = 10.0


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def cpu_seconds() -> float:
    """CPU time of this process and of its children that have ended (the
    verifier's worker processes, the offline verifier's process): on a
    shared, loaded machine this says what the wall-clock time cannot."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def sizes(entries: int, checkpoints: int) -> list[int]:
    """Checkpoint sizes spread evenly over the entries, the last covering all."""
    return [max(1, (i + 1) * entries // checkpoints) for i in range(checkpoints)]


def sign_month(entries: int, checkpoints: int) -> None:
    """Replace the sealer's one checkpoint by a month of them: walk the sealed
    leaves once, and at each size sign the tree's root and chain head as the
    sealer would have, 10 s after the previous one."""
    key, origin = signing.signing_key(), signing.origin()
    wanted = sizes(entries, checkpoints)
    start = datetime.now(timezone.utc) - timedelta(seconds=10 * checkpoints)
    stack, rows, at = verifier.MerkleStack(), [], 0
    result = db.session.execute(select(LedgerEntry.leaf_hash, LedgerEntry.chain_hash)
                                .where(LedgerEntry.position.is_not(None)).order_by(LedgerEntry.position))
    for position, (leaf, chain) in enumerate(result, 1):
        stack.append(bytes.fromhex(leaf))
        while at < len(wanted) and wanted[at] == position:
            when = start + timedelta(seconds=10 * at)
            created = format_time(when)
            body = verifier.Checkpoint(origin, position, stack.root(), (f"chain {chain}", f"time {created}")).body
            line = verifier.sign_note(body, origin, key)
            rows.append({"origin": origin, "tree_size": position, "root_hash": stack.root().hex(),
                         "chain_hash": chain, "created_at": when, "created_at_text": created,
                         "key_id": line.key_id.hex(), "signature": line.line.split(" ")[-1].strip(),
                         "note": body + "\n" + line.line})
            at += 1
    db.session.execute(delete(LedgerCheckpoint))
    for first in range(0, len(rows), 20000):
        db.session.execute(insert(LedgerCheckpoint), rows[first:first + 20000])
    db.session.commit()


def timed_cli(app, *args: str) -> tuple[float, float, str]:
    start, cpu = time.perf_counter(), cpu_seconds()
    result = app.test_cli_runner().invoke(args=["ledger", "verify", *args])
    elapsed, cpu = time.perf_counter() - start, cpu_seconds() - cpu
    return elapsed, cpu, " / ".join(result.output.strip().splitlines()[:2]) or "(no output)"


def timed_offline(export: str, keys: str, *args: str) -> tuple[float, float, str]:
    start, cpu = time.perf_counter(), cpu_seconds()
    done = subprocess.run([sys.executable, VERIFIER, "export", export, "--keys", keys, *args],
                          capture_output=True, text=True)
    elapsed, cpu = time.perf_counter() - start, cpu_seconds() - cpu
    return elapsed, cpu, " / ".join(done.stdout.strip().splitlines()) or done.stderr.strip()[-200:]


def verdict(seconds: float, cpu: float, said: str) -> str:
    return (f"{seconds:.1f} s (target < {TARGET:.0f} s; {'within' if seconds < TARGET else 'OVER'}), "
            f"{cpu:.1f} CPU-s on {os.cpu_count()} cores; {load()}\n      said: {said}")


def run(engine: str, entries: int, checkpoints: int, sample: int, keep: str | None) -> None:
    print(f"\n== {engine}: {entries:,} entries, {checkpoints:,} checkpoints")
    with bench_app(engine) as app:
        start = time.perf_counter()
        bulk_fill(app, entries)
        with app.app_context():
            seal_and_checkpoint()
            db.session.commit()
            sign_month(entries, checkpoints)
            print(f"  (built in {time.perf_counter() - start:.1f} s: bulk insert, sealing, "
                  f"{checkpoints:,} checkpoints signed)")
        with app.app_context(), tempfile.TemporaryDirectory() as temporary:
            folder = keep or temporary
            print(f"  (a) hub ledger verify: {verdict(*timed_cli(app))}")
            export, keys = os.path.join(folder, "ledger.jsonl"), os.path.join(folder, "keys.txt")
            written = write_export(export, keys)
            print(f"      (writing the export took {written:.1f} s)")
            print(f"  (b) verifier.py export (own process): {verdict(*timed_offline(export, keys))}")
            if sample:
                print(f"  (c) hub ledger verify --sign-sample {sample}: "
                      f"{verdict(*timed_cli(app, '--sign-sample', str(sample)))}")
                print(f"      verifier.py export --sign-sample {sample}: "
                      f"{verdict(*timed_offline(export, keys, '--sign-sample', str(sample)))}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--checkpoints", type=int, default=30 * 24 * 360)
    parser.add_argument("--sign-sample", type=int, default=0,
                        help="also time verification checking this many sampled signatures")
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--keep-export", metavar="DIR",
                        help="write the export and keys file into DIR and keep them, to run verifier.py on later")
    args = parser.parse_args()
    for engine in args.engines.split(","):
        if engine == "postgresql" and not postgres_available():
            print("\n== postgresql: not reachable, skipped")
            continue
        run(engine, args.entries, args.checkpoints, args.sign_sample, args.keep_export)


if __name__ == "__main__":
    main()
