"""`python -m hub.keys.bootstrap` (what scripts/run calls first) makes a
key-encryption key for a new hub only, says so, and refuses when the hub
already holds data keys without it."""
import os
import subprocess
import sys


def bootstrap(env):
    return subprocess.run([sys.executable, "-m", "hub.keys.bootstrap"], env=env, capture_output=True, text=True,
                          timeout=60)


def test_a_new_hub_gets_a_key_once_and_a_hub_with_data_keys_never_a_new_one(tmp_path):
    env = {**os.environ, "HUB_INSTANCE_PATH": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path}/hub.sqlite3"}
    env.pop("HUB_DATA_KEK_FILE", None)
    first = bootstrap(env)
    assert first.returncode == 0 and "created its key-encryption key" in first.stdout
    kek = tmp_path / "data-kek"
    made = kek.read_bytes()
    assert oct(kek.stat().st_mode & 0o777) == "0o600"
    again = bootstrap(env)
    assert again.returncode == 0 and again.stdout == "" and kek.read_bytes() == made

    (tmp_path / "data-keys" / "1").mkdir(parents=True)
    (tmp_path / "data-keys" / "1" / "2026-11-01.key").write_bytes(b"wrapped")
    kek.unlink()
    refused = bootstrap(env)
    assert refused.returncode == 1 and "HUB_DATA_KEK_FILE" in refused.stderr and not kek.exists()
