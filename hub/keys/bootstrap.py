"""`python -m hub.keys.bootstrap`: make the key-encryption key of a NEW hub.

`scripts/run` calls it before anything else. It writes a key only when none
is configured AND no data key exists yet (none in the database, none in the
key store); otherwise it says what is wrong and fails, because a new key
would strand every read already stored. The hub itself never makes one."""
from __future__ import annotations

import os
import sys
from pathlib import Path

from sqlalchemy import create_engine, func, inspect, select

from hub.config import build_config, database_url
from hub.keys.envelope import SETTING, new_kek_text
from hub.keys.models import DataKey


def _data_keys_exist(config: dict) -> bool:
    store = Path(config["DATA_KEY_STORE_PATH"])
    if store.exists() and any(store.rglob("*.key")):
        return True
    engine = create_engine(database_url(config["SQLALCHEMY_DATABASE_URI"]))
    try:
        if not inspect(engine).has_table(DataKey.__tablename__):
            return False
        with engine.connect() as connection:
            return bool(connection.scalar(select(func.count()).select_from(DataKey.__table__)))
    finally:
        engine.dispose()


def main() -> int:
    instance = Path(os.environ.get("HUB_INSTANCE_PATH") or Path(__file__).resolve().parents[2] / "instance")
    config = build_config(instance, dict(os.environ))
    path = Path(config["DATA_KEK_PATH"])
    if path.exists():
        return 0
    if _data_keys_exist(config):
        print(f"{SETTING}: no key-encryption key at {path}, but this hub already holds data keys. Restore the key "
              "it was started with; a new one would leave every stored read unreadable.", file=sys.stderr)
        return 1
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(new_kek_text())
    print(f"A new hub: created its key-encryption key at {path} ({SETTING}). Keep a copy somewhere safe and apart "
          "from the database's backups: without it no stored read can be opened.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
