"""The in-memory index every ingest matches against: exact plates in a dict,
partial plates (`*` for any run, `?` for one character) compiled once.
Each process keeps one and rebuilds it when the lists' version moves; the
version row changes in the same transaction as the lists themselves."""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass

import numpy

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


_ALIKE_BYTES = bytes.maketrans("".join(LOOK_ALIKE_GROUPS).encode(),
                               "".join(group[0] * len(group) for group in LOOK_ALIKE_GROUPS).encode())


def _sorted_plates(plates: numpy.ndarray, ids: numpy.ndarray) -> tuple[numpy.ndarray, numpy.ndarray]:
    order = numpy.argsort(plates, kind="stable")  # stable: a plate listed twice keeps its entries' order
    return plates[order], ids[order]


def _span(keys: numpy.ndarray, key: str) -> tuple[int, int]:
    """Where `key` sits in the sorted array; empty when it cannot be there
    (not ASCII, or longer than any listed plate: numpy would cut it short)."""
    if not key.isascii() or len(key) > keys.dtype.itemsize:
        return 0, 0
    raw = key.encode()
    return int(numpy.searchsorted(keys, raw, "left")), int(numpy.searchsorted(keys, raw, "right"))


class HotlistIndex:
    """Full plates in sorted arrays of bytes beside their entry ids (and their
    look-alike keys, sorted too): a lookup is a binary search, and a
    1,000,000-entry list takes some 25 MB in each worker where dicts of
    Python strings took hundreds. Partial plates are compiled patterns."""

    def __init__(self, version: int = -1, plates: numpy.ndarray | None = None, ids: numpy.ndarray | None = None,
                 partial: list[tuple[re.Pattern, int]] | None = None):
        self.version = version
        plates = plates if plates is not None and len(plates) else numpy.array([], dtype="S1")
        ids = ids if ids is not None and len(ids) else numpy.array([], dtype=numpy.int64)
        self._plates, self._ids = _sorted_plates(plates, ids)
        keys = numpy.char.translate(self._plates, _ALIKE_BYTES) if len(self._plates) else self._plates
        self._alike_order = numpy.argsort(keys, kind="stable").astype(numpy.int32)
        self._alike_keys = keys[self._alike_order]
        self.partial = partial or []

    @classmethod
    def of(cls, entries, version: int = -1, chunk: int = 50_000) -> HotlistIndex:
        """From (plate, entry id, partial) rows, taken in chunks so that no
        list of a million Python strings is ever held."""
        plates, ids, partial, full, full_ids = [], [], [], [], []

        def flush():
            if full:
                plates.append(numpy.array(full, dtype="S"))
                ids.append(numpy.array(full_ids, dtype=numpy.int64))
                full.clear()
                full_ids.clear()

        for plate, entry_id, is_partial in entries:
            if is_partial:
                partial.append((compile_pattern(plate), entry_id))
                continue
            full.append(plate.encode())
            full_ids.append(entry_id)
            if len(full) >= chunk:
                flush()
        flush()
        width = max((p.dtype.itemsize for p in plates), default=1)
        return cls(version, numpy.concatenate([p.astype(f"S{width}") for p in plates]) if plates else None,
                   numpy.concatenate(ids) if ids else None, partial)

    def plates(self) -> list[str]:
        """The full plates listed, in order."""
        return [plate.decode() for plate in self._plates]

    def possible(self, plate: str) -> list[tuple[int, list[Difference]]]:
        """Listed plates (full plates only) that differ from `plate` only by
        look-alike characters, each with the differing characters."""
        low, high = _span(self._alike_keys, look_alike_key(plate))
        found = []
        for row in self._alike_order[low:high]:
            listed = self._plates[row].decode()
            if listed != plate:
                found.append((int(self._ids[row]), differences(plate, listed)))
        return found

    def match(self, plate: str) -> list[int]:
        low, high = _span(self._plates, plate)
        hits = [int(entry_id) for entry_id in self._ids[low:high]]
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
    now = utcnow()
    rows = db.session.execute(
        select(HotlistEntry.plate, HotlistEntry.id, HotlistEntry.partial).where(
            HotlistEntry.removed_at.is_(None),
            (HotlistEntry.expires_at.is_(None)) | (HotlistEntry.expires_at > now))
        .execution_options(yield_per=50000))
    return HotlistIndex.of(rows, version)


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
