"""Plate patterns an officer types: a full plate, or a partial one with `?`
(exactly one character) and `*` (any run of characters, none included).
A pattern must hold at least three known characters, so that a search is
about a vehicle, not a sweep of every plate.

Look-alike characters are those plates print so alike that a reader (or a
witness) confuses them: O/0, I/1, B/8, S/5, Z/2. With look-alikes asked for,
the pattern matches readings that differ only in those; each such reading
is marked, so the officer sees it is not what was typed."""
from __future__ import annotations

import functools
import itertools
import re
from dataclasses import dataclass

from hub.reads.plates import normalise

MIN_KNOWN = 3
MAX_LENGTH = 10  # a stored plate is at most 10 characters (hub.reads.plates.PLATE)
LOOK_ALIKES = (("O", "0"), ("I", "1"), ("B", "8"), ("S", "5"), ("Z", "2"))
_CANONICAL = {b: a for a, b in LOOK_ALIKES}
_CLASS = {c: pair for pair in LOOK_ALIKES for c in pair}
_SHAPE = re.compile(r"^[A-Z0-9?*]+$")
# Exact plates with look-alikes are searched as their list of spellings,
# each looked up by its hashes; beyond this many the pattern is used.
MAX_SPELLINGS = 256


class PatternError(ValueError):
    """What is wrong with a typed pattern, in words for the officer."""


@dataclass(frozen=True)
class PlatePattern:
    text: str  # normalised: upper case, no spaces or dashes, runs of '*' collapsed

    @classmethod
    def parse(cls, typed: str | None) -> "PlatePattern":
        text = re.sub(r"\*+", "*", normalise(typed or ""))
        if not text:
            raise PatternError("Type a plate, or part of one with ? and *.")
        if not _SHAPE.match(text):
            bad = sorted({c for c in text if not re.match(r"[A-Z0-9?*]", c)})
            raise PatternError(f"A plate pattern holds letters, digits, ? and * only (not {' '.join(bad)}).")
        known = sum(c.isalnum() for c in text)
        if known < MIN_KNOWN:
            raise PatternError(f"Give at least {MIN_KNOWN} known characters; this pattern has {known}.")
        if len(text.replace("*", "")) > MAX_LENGTH:
            raise PatternError(f"A plate has at most {MAX_LENGTH} characters.")
        return cls(text)

    @property
    def exact(self) -> bool:
        return "?" not in self.text and "*" not in self.text

    def regex(self, *, look_alikes: bool = False) -> str:
        """An anchored regular expression for the pattern."""
        parts = []
        for c in self.text:
            if c == "?":
                parts.append(".")
            elif c == "*":
                parts.append(".*")
            elif look_alikes and c in _CLASS:
                parts.append("[" + "".join(_CLASS[c]) + "]")
            else:
                parts.append(c)
        return "^" + "".join(parts) + "$"

    def spellings(self) -> list[str] | None:
        """Every spelling of an exact plate under look-alikes, or None when
        there are too many to list."""
        choices = [_CLASS.get(c, (c,)) for c in self.text]
        count = 1
        for choice in choices:
            count *= len(choice)
        if count > MAX_SPELLINGS:
            return None
        return ["".join(p) for p in itertools.product(*choices)]

    def matches(self, plate: str, *, look_alikes: bool = False) -> bool:
        return _compiled(self, look_alikes).match(plate) is not None


@functools.lru_cache(maxsize=256)
def _compiled(pattern: PlatePattern, look_alikes: bool) -> re.Pattern:
    """The pattern's expression, compiled once: a partial search compares it
    with every plate of its window in scope, tens of thousands of them."""
    return re.compile(pattern.regex(look_alikes=look_alikes))


def canonical(plate: str) -> str:
    """The plate with each look-alike character replaced by one
    representative: two readings are look-alikes when these are equal."""
    return "".join(_CANONICAL.get(c, c) for c in plate)

