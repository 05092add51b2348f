"""The plate formats states issue, kept as data (`packs/plate_formats.yaml`).

A format never rewrites a reading. It is asked two things only: which of the
recogniser's own candidate readings fit some state's format (so the reader
may prefer one of them), and whether the reading it settled on fits any
(when it does not, the confidence is lowered and a person confirms the read).
It also knows the words printed on plates that are not the plate number:
state names and slogans."""
from __future__ import annotations

import re
from difflib import SequenceMatcher
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

PACK = Path(__file__).with_name("packs") / "plate_formats.yaml"
_CLASS = {"L": "[A-Z]", "D": "[0-9]", "A": "[A-Z0-9]"}


@dataclass(frozen=True)
class StateFormats:
    code: str
    name: str
    formats: tuple[str, ...]
    words: tuple[str, ...]
    pattern: re.Pattern


@lru_cache(maxsize=1)
def pack() -> dict[str, StateFormats]:
    raw = yaml.safe_load(PACK.read_text(encoding="utf-8"))["states"]
    states = {}
    for code, entry in raw.items():
        formats = tuple(entry["formats"])
        for fmt in formats:
            if not fmt or set(fmt) - set(_CLASS):
                raise ValueError(f"{PACK.name}: state {code}: format {fmt!r} uses letters other than L, D, A.")
        pattern = re.compile("|".join("".join(_CLASS[c] for c in fmt) for fmt in formats))
        states[code] = StateFormats(code, entry["name"], formats, tuple(entry.get("words") or ()), pattern)
    return states


def fitting_states(text: str) -> list[str]:
    """The states whose formats `text` fits exactly, as read."""
    return [code for code, state in pack().items() if state.pattern.fullmatch(text)]


def fits(text: str, state: str | None = None) -> bool:
    if state and state in pack():
        return bool(pack()[state].pattern.fullmatch(text))
    return bool(fitting_states(text))


@lru_cache(maxsize=1)
def _names() -> dict[str, str]:
    return {re.sub(r"[^A-Z]", "", s.name): code for code, s in pack().items()}


def state_named(text: str) -> str | None:
    """The state whose name `text` holds (letters only, any case; a misread
    letter or two allowed in a long name), or None."""
    letters = re.sub(r"[^A-Z]", "", text.upper())
    if len(letters) < 4:
        return None
    for name, code in _names().items():
        if name in letters:
            return code
    scored = [(SequenceMatcher(None, letters, name).ratio(), code) for name, code in _names().items()
              if len(name) >= 6 and abs(len(name) - len(letters)) <= 3]
    ratio, code = max(scored, default=(0.0, None))
    return code if ratio >= 0.8 else None


@lru_cache(maxsize=1)
def _plate_words() -> frozenset[str]:
    words = set()
    for state in pack().values():
        for phrase in (state.name, *state.words):
            words.add(re.sub(r"[^A-Z0-9]", "", phrase.upper()))
            words.update(re.sub(r"[^A-Z0-9]", "", w) for w in phrase.upper().split())
    return frozenset(w for w in words if len(w) >= 3)


def is_plate_word(text: str) -> bool:
    """A state's name or slogan (or a word of one): printed on plates, never a plate number."""
    return re.sub(r"[^A-Z0-9]", "", text.upper()) in _plate_words()
