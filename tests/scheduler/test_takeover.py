"""Two real scheduler processes on one database: only one runs jobs; kill
it, and the standby takes over."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import hub_process_env

ROOT = Path(__file__).resolve().parents[2]


def start_scheduler(app_config, log: Path) -> subprocess.Popen:
    env = hub_process_env(app_config, HUB_SCHEDULER_STANDBY_SECONDS="0.5")
    hub = os.path.join(os.path.dirname(sys.executable), "hub")
    return subprocess.Popen([hub, "scheduler"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=log.open("w"), start_new_session=True)


def holds_lock(log: Path) -> bool:
    return "scheduler holds the lock" in log.read_text()


def wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_one_scheduler_runs_and_the_standby_takes_over(app, app_config, tmp_path):
    first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"
    first = start_scheduler(app_config, first_log)
    second = None
    try:
        assert wait_for(lambda: holds_lock(first_log), 60), first_log.read_text()
        second = start_scheduler(app_config, second_log)
        time.sleep(3)  # the standby polls every half second: it must keep waiting
        assert not holds_lock(second_log), second_log.read_text()
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        started = time.monotonic()
        assert wait_for(lambda: holds_lock(second_log), 60), second_log.read_text()
        assert time.monotonic() - started < 60
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
