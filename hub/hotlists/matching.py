"""The in-memory index every ingest matches against, small enough that each
worker holds a million-entry list in a few tens of megabytes: full plates and
their look-alike keys as keyed 64-bit hashes in sorted arrays searched by
bisection, the entry ids beside them; partial plates (`*` for any run, `?`
for one character) compiled once. A hash found in the index only makes an
entry a candidate: each is confirmed against the stored entry (its plate,
still listed, not expired, lawful to match) before it counts, so a hash
collision never raises an alert and the entry's details are read only on a
hit. Each process keeps one index and rebuilds it when the lists' version
moves; the version row changes in the same transaction as the lists."""
from __future__ import annotations

import hashlib
import re
import secrets
import threading
from array import array
from dataclasses import dataclass
from typing import Callable, Iterable

import numpy as np
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


@dataclass(frozen=True)
class Hit:
    """A listed entry a read matches: exactly (no differences), or possibly,
    differing from the listed plate only by look-alike characters."""
    entry_id: int
    differences: tuple[Difference, ...] = ()

    @property
    def possible(self) -> bool:
        return bool(self.differences)


Hasher = Callable[[list[str]], np.ndarray]


def keyed_hasher(key: bytes) -> Hasher:
    """64-bit BLAKE2b under a key drawn per process, so nobody can craft
    reads that collide with listed plates (a collision costs a lookup in
    the database, never a false alert)."""
    def hashes(texts: list[str]) -> np.ndarray:
        digests = b"".join(hashlib.blake2b(t.encode(), key=key, digest_size=8).digest() for t in texts)
        return np.frombuffer(digests, dtype="<u8")
    return hashes


class _Sorted:
    """Hashes in ascending order with the entry id of each beside it."""

    def __init__(self, keys: np.ndarray, ids: np.ndarray):
        order = np.argsort(keys, kind="stable")
        self.keys, self.ids = keys[order], ids[order]

    def find(self, keys: np.ndarray) -> list[np.ndarray]:
        """For each key asked, the ids stored under it (most often none)."""
        lo = np.searchsorted(self.keys, keys, side="left")
        hi = np.searchsorted(self.keys, keys, side="right")
        found = [self.ids[:0]] * len(keys)
        for i in np.flatnonzero(hi > lo):
            found[i] = self.ids[lo[i]:hi[i]]
        return found

    @property
    def nbytes(self) -> int:
        return self.keys.nbytes + self.ids.nbytes


class HotlistIndex:
    """Candidates for each read: full plates under the same hash, full plates
    under the same look-alike hash, and partial plates whose pattern fits."""

    def __init__(self, version: int = -1, hasher: Hasher | None = None):
        self.version = version
        self.hasher = hasher or keyed_hasher(secrets.token_bytes(16))
        empty = (np.empty(0, np.uint64), np.empty(0, np.int64))
        self.plates, self.alike = _Sorted(*empty), _Sorted(*empty)
        self.partial: list[tuple[re.Pattern, int]] = []

    @classmethod
    def of(cls, rows: Iterable[tuple[str, int, bool]], *, version: int = -1, hasher: Hasher | None = None,
           chunk: int = 10000) -> HotlistIndex:
        """An index of (plate, entry id, partial) rows, hashed a chunk at a
        time into flat buffers, so that building never holds the rows as
        Python objects."""
        fresh = cls(version, hasher)
        keys, alike_keys, ids = bytearray(), bytearray(), array("q")
        plates: list[str] = []

        def flush() -> None:
            keys.extend(fresh.hasher(plates).astype("<u8").tobytes())
            alike_keys.extend(fresh.hasher([look_alike_key(p) for p in plates]).astype("<u8").tobytes())
            plates.clear()

        for plate, entry_id, partial in rows:
            if partial:
                fresh.partial.append((compile_pattern(plate), entry_id))
                continue
            plates.append(plate)
            ids.append(entry_id)
            if len(plates) >= chunk:
                flush()
        flush()
        all_ids = np.frombuffer(ids, dtype=np.int64)
        fresh.plates = _Sorted(np.frombuffer(keys, dtype="<u8"), all_ids)
        fresh.alike = _Sorted(np.frombuffer(alike_keys, dtype="<u8"), all_ids)
        return fresh

    def __len__(self) -> int:
        return len(self.plates.ids) + len(self.partial)

    @property
    def nbytes(self) -> int:
        """The arrays' size (the few partial patterns aside)."""
        return self.plates.nbytes + self.alike.nbytes

    def candidates(self, plates: list[str]) -> list[set[int]]:
        """For each read plate, the entries it may match; confirm() decides."""
        exact = self.plates.find(self.hasher(plates))
        alike = self.alike.find(self.hasher([look_alike_key(p) for p in plates]))
        found = []
        for plate, same, similar in zip(plates, exact, alike):
            ids = set(same.tolist()) | set(similar.tolist())
            ids.update(entry_id for pattern, entry_id in self.partial if pattern.fullmatch(plate))
            found.append(ids)
        return found


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


def _listed_now():
    """Entries that are listed: not removed, not expired."""
    now = utcnow()
    return (HotlistEntry.removed_at.is_(None),
            (HotlistEntry.expires_at.is_(None)) | (HotlistEntry.expires_at > now))


def build(version: int) -> HotlistIndex:
    rows = db.session.execute(select(HotlistEntry.plate, HotlistEntry.id, HotlistEntry.partial)
                              .where(*_listed_now()).execution_options(yield_per=10000))
    return HotlistIndex.of(rows, version=version)


def find(plates: list[str]) -> list[list[Hit]]:
    """For each read plate, the listed entries it lawfully matches: exact hits
    first, then possible ones. Candidates from the index are confirmed
    against the stored entries in one query."""
    candidates = index().candidates(plates)
    wanted = set().union(*candidates) if candidates else set()
    if not wanted:
        return [[] for _ in plates]
    stored = {row.id: row for row in db.session.execute(
        select(HotlistEntry.id, HotlistEntry.plate, HotlistEntry.partial, HotlistEntry.source,
               HotlistEntry.case_number).where(HotlistEntry.id.in_(wanted), *_listed_now()))}
    lawful = _lawful(stored.values())
    found = []
    for plate, ids in zip(plates, candidates):
        hits = sorted((hit for hit in (confirm(plate, stored[i]) for i in ids if i in lawful) if hit),
                      key=lambda hit: (hit.possible, hit.entry_id))
        found.append(hits)
    return found


def confirm(plate: str, entry) -> Hit | None:
    """Whether the read plate matches the stored entry, and how; None for a
    candidate that only shared a hash."""
    if entry.partial:
        return Hit(entry.id) if compile_pattern(entry.plate).fullmatch(plate) else None
    if entry.plate == plate:
        return Hit(entry.id)
    if look_alike_key(entry.plate) == look_alike_key(plate):
        return Hit(entry.id, tuple(differences(plate, entry.plate)))
    return None


def _lawful(entries: Iterable) -> set[int]:
    """The entries a read may lawfully be compared against, as the matching
    rule decides from each entry's source: the state's plate data file, or
    a manual entry tied to an investigation by its case number."""
    answers: dict[tuple[str, bool], bool] = {}
    lawful = set()
    for entry in entries:
        key = (STATE_FILE_SOURCE if entry.source is EntrySource.STATE_FILE else "manual_entry",
               bool((entry.case_number or "").strip()))
        if key not in answers:
            answers[key] = policy.decide(READ_MATCH, {"source": key[0], "active_investigation": key[1]}).allowed
        if answers[key]:
            lawful.add(entry.id)
    return lawful
