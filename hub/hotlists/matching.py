"""The in-memory index every ingest matches against: exact plates in a dict,
partial plates (`*` for any run, `?` for one character) compiled once.
Each process keeps one and rebuilds it when the lists' version moves; the
version row changes in the same transaction as the lists themselves."""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field

from sqlalchemy import select

from hub import policy
from hub.clock import utcnow
from hub.extensions import db
from hub.hotlists.models import EntrySource, HotlistEntry, HotlistVersion
from policies.vocabulary import BOOLEAN

STATE_FILE_SOURCE = "mn_license_plate_data_file"
READ_MATCH = policy.declare("read.match", {"source": (STATE_FILE_SOURCE, "manual_entry"),
                                           "active_investigation": BOOLEAN})


# Characters plates print alike (O/0, D/0, I/1, B/8, S/5, Z/2, G/6): a read
# and a listed plate that differ only in these are a possible hit, never an
# exact one. Each character maps to one representative of its group.
LOOK_ALIKE_GROUPS = ("O0D", "I1", "B8", "S5", "Z2", "G6")
_ALIKE = str.maketrans({ch: group[0] for group in LOOK_ALIKE_GROUPS for ch in group})


def look_alike_key(plate: str) -> str:
    return plate.translate(_ALIKE)


@dataclass(frozen=True)
class Difference:
    """One place where a read and a listed plate differ by characters printed alike."""
    position: int  # 1-based
    read: str
    listed: str

    def __str__(self) -> str:
        return f"character {self.position}: read {self.read}, listed {self.listed}"


def differences(read: str, listed: str) -> list[Difference]:
    return [Difference(i + 1, a, b) for i, (a, b) in enumerate(zip(read, listed)) if a != b]


@dataclass
class HotlistIndex:
    version: int = -1
    exact: dict[str, int] = field(default_factory=dict)
    more: dict[str, list[int]] = field(default_factory=dict)  # plates listed more than once
    partial: list[tuple[re.Pattern, int]] = field(default_factory=list)
    alike: dict[str, list[tuple[str, int]]] = field(default_factory=dict)  # look-alike key -> (plate, entry)

    def add(self, plate: str, entry_id: int, partial: bool) -> None:
        if partial:
            self.partial.append((compile_pattern(plate), entry_id))
            return
        if plate in self.exact:
            self.more.setdefault(plate, []).append(entry_id)
        else:
            self.exact[plate] = entry_id
        self.alike.setdefault(look_alike_key(plate), []).append((plate, entry_id))

    def possible(self, plate: str) -> list[tuple[int, list[Difference]]]:
        """Listed plates (full plates only) that differ from `plate` only by
        look-alike characters, each with the differing characters."""
        return [(entry_id, differences(plate, listed)) for listed, entry_id in self.alike.get(look_alike_key(plate), ())
                if listed != plate]

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


def lawful_matches(entry_ids: list[int]) -> set[int]:
    """The matched entries a read may lawfully be compared against, as the
    matching rule decides from each entry's source: the state's plate data
    file, or a manual entry tied to an investigation by its case number."""
    if not entry_ids:
        return set()
    rows = db.session.execute(select(HotlistEntry.id, HotlistEntry.source, HotlistEntry.case_number)
                              .where(HotlistEntry.id.in_(set(entry_ids)))).all()
    answers: dict[tuple[str, bool], bool] = {}
    lawful = set()
    for entry_id, source, case_number in rows:
        key = (STATE_FILE_SOURCE if source is EntrySource.STATE_FILE else "manual_entry",
               bool((case_number or "").strip()))
        if key not in answers:
            answers[key] = policy.decide(READ_MATCH, {"source": key[0], "active_investigation": key[1]}).allowed
        if answers[key]:
            lawful.add(entry_id)
    return lawful
