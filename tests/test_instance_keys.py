"""Keys the hub makes itself, and the data keys it makes by day: processes
starting together (gunicorn's workers, the scheduler) all end with the same
whole key, never an empty or half-written file, and the file is the hub's
user's alone."""
import multiprocessing
import os
import stat
import time
from datetime import date

from hub.instance_keys import read_or_create
from hub.keys.envelope import Kek, KeyStore


def _slow_key(path: str, queue) -> None:
    def generate() -> bytes:
        time.sleep(0.05)  # a slow writer: the others must not read its file half-made
        return os.urandom(32)
    queue.put(read_or_create(path, generate))


def racing(target, *args) -> list[bytes]:
    """What eight processes started at once on `target` each read back."""
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    processes = [context.Process(target=target, args=(*args, queue)) for _ in range(8)]
    for process in processes:
        process.start()
    keys = [queue.get(timeout=30) for _ in processes]
    for process in processes:
        process.join(timeout=30)
    return keys


def test_processes_racing_to_make_a_key_all_read_the_one_whole_key(tmp_path):
    path = str(tmp_path / "keys" / "signing.key")
    keys = racing(_slow_key, path)
    assert len(set(keys)) == 1 and len(keys[0]) == 32
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert os.listdir(tmp_path / "keys") == ["signing.key"]  # no draft left behind


def test_an_existing_key_is_read_not_replaced(tmp_path):
    path = tmp_path / "kept.key"
    path.write_bytes(b"k" * 32)
    assert read_or_create(path, lambda: b"x" * 32) == b"k" * 32


def _new_day_key(root: str, queue) -> None:
    store = KeyStore(root, Kek(b"k" * 32, "kek"))
    store.create(7, date(2026, 11, 30))
    queue.put(store.open(7, date(2026, 11, 30)))


def test_workers_making_the_same_days_data_key_all_open_the_one_key(tmp_path):
    """Two workers ingesting an organisation's first read of a day make its
    data key at once: the loser opens the winner's file, never a partial one."""
    keys = racing(_new_day_key, str(tmp_path))
    assert len(set(keys)) == 1 and len(keys[0]) == 32
