"""Keys and secrets the hub generates itself and keeps in files under
`instance/`, never in the database or the code: made once, readable by the
hub's user only, and the same for every process that reads them (the first
writer wins a race; the others read its file, which appears whole: it is
written aside and linked into place)."""
from __future__ import annotations

import os
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Callable


def read_or_create(location: str | Path, generate: Callable[[], bytes]) -> bytes:
    path = Path(location)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        write_once(path, generate)
    return path.read_bytes()


def write_once(path: Path, generate: Callable[[], bytes]) -> bool:
    """Write the file unless it exists, whole or not at all: the bytes go to
    a draft beside it (mode 0600), then are linked into place, so a reader
    never finds it half-written. False when another process got there first
    (its file stands)."""
    fd, draft = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(generate())
            f.flush()
            os.fsync(f.fileno())
        os.link(draft, path)
        return True
    except FileExistsError:
        return False
    finally:
        os.unlink(draft)


@lru_cache(maxsize=16)
def random_key(location: str) -> bytes:
    """32 random bytes from the file at `location`, kept for the process."""
    return read_or_create(location, lambda: os.urandom(32))
