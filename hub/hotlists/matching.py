"""The in-memory index every ingest matches against: exact plates in a dict,
partial plates (`*` for any run, `?` for one character) compiled once.
Each process keeps one and rebuilds it when the lists' version moves; the
version row changes in the same transaction as the lists themselves."""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field

from sqlalchemy import select

from hub.clock import utcnow
from hub.extensions import db
from hub.hotlists.models import HotlistEntry, HotlistVersion


@dataclass
class HotlistIndex:
    version: int = -1
    exact: dict[str, int] = field(default_factory=dict)
    more: dict[str, list[int]] = field(default_factory=dict)  # plates listed more than once
    partial: list[tuple[re.Pattern, int]] = field(default_factory=list)

    def add(self, plate: str, entry_id: int, partial: bool) -> None:
        if partial:
            self.partial.append((compile_pattern(plate), entry_id))
        elif plate in self.exact:
            self.more.setdefault(plate, []).append(entry_id)
        else:
            self.exact[plate] = entry_id

    def match(self, plate: str) -> list[int]:
        hits = []
        if plate in self.exact:
            hits.append(self.exact[plate])
            hits.extend(self.more.get(plate, ()))
        hits.extend(entry_id for pattern, entry_id in self.partial if pattern.fullmatch(plate))
        return hits


def compile_pattern(plate: str) -> re.Pattern:
    return re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in plate))


_index = HotlistIndex()
_lock = threading.Lock()


def current_version() -> int:
    return db.session.scalar(select(HotlistVersion.version).where(HotlistVersion.id == 1))


def index() -> HotlistIndex:
    """This process's index, rebuilt first if the lists changed."""
    global _index
    version = current_version()
    if version != _index.version:
        with _lock:
            if version != _index.version:
                _index = build(version)
    return _index


def build(version: int) -> HotlistIndex:
    fresh = HotlistIndex(version=version)
    now = utcnow()
    rows = db.session.execute(
        select(HotlistEntry.plate, HotlistEntry.id, HotlistEntry.partial).where(
            HotlistEntry.removed_at.is_(None),
            (HotlistEntry.expires_at.is_(None)) | (HotlistEntry.expires_at > now))
        .execution_options(yield_per=50000))
    for plate, entry_id, partial in rows:
        fresh.add(plate, entry_id, partial)
    return fresh
