"""The plate formats a state issues, used to settle characters that look
alike to a reader (O and 0, I and 1, …): a reading that fits no format as
read is tried with look-alikes swapped, and kept only if exactly one
variant fits. Formats are patterns of L (letter) and D (digit)."""
from __future__ import annotations

# Minnesota's standard passenger plates (ABC123, and the older 123ABC). A
# reading of any other shape (a vanity plate, a truck) is kept as read but
# marked for a person to confirm: guessing there would do more harm than good.
FORMATS = ("LLLDDD", "DDDLLL")
AS_DIGIT = {"O": "0", "Q": "0", "D": "0", "I": "1", "L": "1", "Z": "2", "S": "5", "B": "8", "G": "6", "T": "7"}
AS_LETTER = {"0": "O", "1": "I", "2": "Z", "5": "S", "8": "B", "6": "G", "7": "T", "4": "A"}


def _kind(ch: str) -> str:
    return "D" if ch.isdigit() else "L"


def fits(text: str) -> bool:
    return "".join(map(_kind, text)) in FORMATS


LOOK_ALIKES = [set("O0QD"), set("I1JL"), set("Z2"), set("S5"), set("B8"), set("G6"), set("T7")]


def _alike(a: str, b: str) -> bool:
    return any(a in group and b in group for group in LOOK_ALIKES)


def fit(text: str) -> str | None:
    """`text` when it fits a format; else the single variant that does, with
    look-alikes swapped, or with one of two adjacent look-alikes dropped (a
    reader unsure of a character sometimes gives both readings); else None."""
    if not text:
        return None
    if fits(text):
        return text
    found = _swapped(text)
    if found is None:
        dropped = {text[:i] + text[i + 1:] for i in range(len(text) - 1) if _alike(text[i], text[i + 1])}
        dropped |= {text[:i + 1] + text[i + 2:] for i in range(len(text) - 1) if _alike(text[i], text[i + 1])}
        fitted = {f for f in map(_swapped, dropped) if f is not None}
        found = fitted.pop() if len(fitted) == 1 else None
    return found


def _swapped(text: str) -> str | None:
    if fits(text):
        return text
    candidates = set()
    for fmt in FORMATS:
        if len(fmt) != len(text):
            continue
        chars = []
        for ch, want in zip(text, fmt):
            if _kind(ch) == want:
                chars.append(ch)
            else:
                swapped = (AS_DIGIT if want == "D" else AS_LETTER).get(ch)
                if swapped is None:
                    break
                chars.append(swapped)
        else:
            candidates.add("".join(chars))
    return candidates.pop() if len(candidates) == 1 else None
