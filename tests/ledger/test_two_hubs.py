"""Two hubs on localhost witness each other: each runs as a live server
(gunicorn), each follows the other's log with `hub ledger witness`, polls its
`/ledger/checkpoint` and consistency proofs, cosigns, and hands the
cosignature back; each then serves its checkpoint with both signatures."""
import os
import subprocess
import sys
from pathlib import Path

import requests

from sqlalchemy import update

from hub.extensions import db
from hub.ledger import signing, verifier
from hub.ledger.models import LedgerWitness
from hub.ledger.services import record
from hub.ledger.tree import seal_and_checkpoint
from tests.conftest import free_port
from tests.reads.test_durability import ROOT, start_server

HUB = str(Path(sys.executable).with_name("hub"))
NEIGHBOUR = "maple-grove-mn.alpr-hub"


def neighbour_env(folder: Path) -> dict:
    return {**os.environ, "DATABASE_URL": f"sqlite:///{folder}/hub.sqlite3", "HUB_INSTANCE_PATH": str(folder),
            "SECRET_KEY": "neighbour", "HUB_LEDGER_ORIGIN": NEIGHBOUR, "HUB_PASSWORD_HASH_PROFILE": "fast",
            "HUB_LEDGER_KEY": str(folder / "ledger-signing-key.pem"), "HUB_ENV": "development"}


def neighbour(env: dict, *args: str) -> str:
    done = subprocess.run([HUB, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"hub {' '.join(args)}: {done.stdout}\n{done.stderr}"
    return done.stdout


def new_neighbour(env: dict) -> None:
    """A new hub: its key-encryption key made as for any new hub, its database migrated."""
    subprocess.run([sys.executable, "-m", "hub.keys.bootstrap"], env=env, check=True, capture_output=True)
    neighbour(env, "db", "upgrade")


def start_neighbour(env: dict, port: int) -> subprocess.Popen:
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", "1", "-b", f"127.0.0.1:{port}", "wsgi:app"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    for _ in range(150):
        try:
            requests.get(f"http://127.0.0.1:{port}/login", timeout=5)
            return server
        except requests.RequestException:
            import time
            time.sleep(0.2)
    server.kill()
    raise AssertionError("the neighbouring hub did not start")


def stop(server: subprocess.Popen) -> None:
    import signal
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=30)


def add_entries(n: int) -> None:
    for i in range(n):
        record("test.action", actor=None, details={"i": i})
    db.session.commit()
    seal_and_checkpoint()
    db.session.commit()


def test_two_hubs_witness_each_other(app, app_config, tmp_path):
    env = neighbour_env(tmp_path)
    new_neighbour(env)
    ours_port, theirs_port = free_port(), free_port()
    ours_url, theirs_url = f"http://127.0.0.1:{ours_port}", f"http://127.0.0.1:{theirs_port}"
    runner = app.test_cli_runner()
    with app.app_context():
        add_entries(5)
        our_log_key = signing.current_verifier_key()
        our_witness_key = signing.witness_verifier_key()
    their_log_key = verifier.parse_vkey(neighbour(env, "ledger", "public-key").strip().splitlines()[-1])
    their_witness_key = verifier.parse_vkey(neighbour(env, "ledger", "witness", "key").strip().splitlines()[-1])
    # Each follows the other's log and trusts the other's witness key.
    neighbour(env, "ledger", "witness", "follow", our_log_key.name, "--key", our_log_key.vkey, "--url", ours_url)
    neighbour(env, "ledger", "trust-witness", our_witness_key.vkey)
    neighbour(env, "ledger", "checkpoint")
    with app.app_context():
        assert runner.invoke(args=["ledger", "witness", "follow", NEIGHBOUR, "--key", their_log_key.vkey,
                                   "--url", theirs_url]).exit_code == 0
        assert runner.invoke(args=["ledger", "trust-witness", their_witness_key.vkey,
                                   "--url", theirs_url]).exit_code == 0
        add_entries(1)
    ours, theirs = start_server(app_config, ours_port), start_neighbour(env, theirs_port)
    try:
        first = neighbour(env, "ledger", "witness", "poll")
        assert "cosigned size" in first and "did not take" not in first, first
        assert "nothing new since size" in neighbour(env, "ledger", "witness", "poll")
        with app.app_context():
            polled = runner.invoke(args=["ledger", "witness", "poll"])
            assert polled.exit_code == 0 and "cosigned size" in polled.output, polled.output
            db.session.remove()
        keys = [our_log_key, their_log_key, our_witness_key, their_witness_key]
        for url, log_name, witness_name in ((ours_url, our_log_key.name, their_witness_key.name),
                                            (theirs_url, NEIGHBOUR, our_witness_key.name)):
            note = requests.get(f"{url}/ledger/checkpoint", timeout=10).text
            _, signers = verifier.open_checkpoint(note, keys, log_name)
            assert {k.name for k in signers} == {log_name, witness_name}
        # Our log grows; the neighbour checks consistency from what it cosigned.
        with app.app_context():
            add_entries(4)
        again = neighbour(env, "ledger", "witness", "poll")
        assert "cosigned size" in again, again
        note = requests.get(f"{ours_url}/ledger/checkpoint", timeout=10).text
        checkpoint, signers = verifier.open_checkpoint(note, keys, our_log_key.name)
        assert their_witness_key in signers and checkpoint.size >= 10
        # Our log pushes its next checkpoint to the neighbour (tlog-witness
        # add-checkpoint); told the size it last cosigned (409), it resends.
        with app.app_context():
            add_entries(3)
            db.session.execute(update(LedgerWitness).values(cosigned_size=0))
            db.session.commit()
            pushed = runner.invoke(args=["ledger", "push-checkpoint"])
            assert pushed.exit_code == 0 and f"{NEIGHBOUR}/witness: cosigned size" in pushed.output, pushed.output
            db.session.remove()
        note = requests.get(f"{ours_url}/ledger/checkpoint", timeout=10).text
        pushed_checkpoint, signers = verifier.open_checkpoint(note, keys, our_log_key.name)
        assert their_witness_key in signers and pushed_checkpoint.size > checkpoint.size
    finally:
        stop(ours)
        stop(theirs)
