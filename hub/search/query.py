"""What an officer asks a search: read from the query string (or from the
ledger entry of an earlier search, for its export), each field checked and
each mistake named, in words the officer uses."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Mapping

from hub import policy
from hub.clock import utcnow
from hub.search.patterns import PatternError, PlatePattern

CLOCK_SKEW = timedelta(minutes=2)  # a camera's or a browser's clock a little ahead is not "the future"
DEFAULT_WINDOW = timedelta(days=1)
MAX_PAGE = 10_000
TRUE, FALSE = {"1", "true", "on", "yes"}, {"", "0", "false", "off", "no"}


@dataclass(frozen=True)
class SearchQuery:
    pattern: PlatePattern
    plate_state: str | None
    start: datetime
    end: datetime
    cameras: tuple[int, ...]
    area: tuple[float, float, float, float] | None  # south, west, north, east
    reason: str
    case_number: str
    basis: str
    look_alikes: bool
    warrant: str  # the warrant's reference, when there is one
    exigent: bool
    page: int = 1

    @property
    def window_days(self) -> float:
        return (self.end - self.start) / timedelta(days=1)

    def on_record(self) -> dict:
        """What the ledger keeps in the clear (the plate goes beside the entry,
        committed by hash): enough to run the same search again."""
        return {"from": self.start.isoformat(), "to": self.end.isoformat(), "plate_state": self.plate_state,
                "cameras_requested": list(self.cameras), "area": list(self.area) if self.area else None,
                "pattern": "exact" if self.pattern.exact else "partial", "look_alikes": self.look_alikes,
                "factual_basis": self.basis, "warrant": self.warrant or None, "exigent_circumstances": self.exigent,
                "window_days": round(self.window_days, 3)}


def arguments_from_record(plate: str, case_number: str | None, reason: str | None, details: dict) -> dict:
    """The arguments of a recorded search (the ledger entry's details)."""
    area = details.get("area")
    return {"plate": plate, "state": details.get("plate_state") or "", "from": details.get("from", ""),
            "to": details.get("to", ""), "cameras": [str(c) for c in details.get("cameras_requested") or []],
            "area": ",".join(str(v) for v in area) if area else "", "reason": reason or "",
            "case_number": case_number or "", "basis": details.get("factual_basis") or "",
            "look_alikes": "1" if details.get("look_alikes") else "", "warrant": details.get("warrant") or "",
            "exigent": "1" if details.get("exigent_circumstances") else ""}


def _text(raw: Mapping[str, Any], name: str, limit: int, errors: dict) -> str:
    value = raw.get(name)
    if isinstance(value, (list, tuple)):
        value = value[0] if value else ""
    value = value.strip() if isinstance(value, str) else ""
    if len(value) > limit:
        errors[name] = [f"At most {limit} characters."]
        return ""
    return value


def _flag(raw: Mapping[str, Any], name: str, errors: dict) -> bool:
    value = _text(raw, name, 10, errors).lower()
    if value in TRUE:
        return True
    if value not in FALSE:
        errors[name] = ["Say yes (1, true, on) or no (0, false, off)."]
    return False


def _time(raw: Mapping[str, Any], name: str, errors: dict) -> datetime | None:
    value = _text(raw, name, 40, errors)
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace(" ", "T", 1))
    except ValueError:
        errors[name] = ["Give a date and time such as 2026-11-30T08:00 (UTC) or 2026-11-30T08:00:00Z."]
        return None
    return parsed.replace(tzinfo=timezone.utc) if parsed.tzinfo is None else parsed.astimezone(timezone.utc)


def _cameras(raw: Mapping[str, Any], errors: dict) -> tuple[int, ...]:
    values = raw.get("cameras") or []
    if isinstance(values, str):
        values = [values]
    ids = []
    for value in values:
        for part in str(value).split(","):
            part = part.strip()
            if not part:
                continue
            if not (part.isascii() and part.isdigit()) or len(part) > 9:
                errors["cameras"] = [f"Camera ids are whole numbers ('{part[:20]}' is not)."]
                return ()
            ids.append(int(part))
    if len(ids) > 2000:
        errors["cameras"] = ["Name at most 2,000 cameras, or none to search them all."]
    return tuple(sorted(set(ids)))


def _area(raw: Mapping[str, Any], errors: dict) -> tuple[float, float, float, float] | None:
    value = _text(raw, "area", 100, errors)
    if not value:
        return None
    try:
        south, west, north, east = (float(v) for v in value.split(","))
    except ValueError:
        errors["area"] = ["Give the area as south,west,north,east in degrees, e.g. 45.08,-93.60,45.12,-93.50."]
        return None
    if not all(math.isfinite(v) for v in (south, west, north, east)) or not (-90 <= south < north <= 90) \
            or not (-180 <= west < east <= 180):
        errors["area"] = ["The area's south must be below its north, and its west left of its east."]
        return None
    return south, west, north, east


def _window(raw: Mapping[str, Any], errors: dict) -> tuple[datetime | None, datetime | None]:
    now = utcnow()
    end = _time(raw, "to", errors) or (None if "to" in errors else now)
    start = _time(raw, "from", errors) or (None if "from" in errors or end is None else end - DEFAULT_WINDOW)
    if start is None or end is None:
        return None, None
    retention = policy.engine().obligation("read.retain", "retention_days")
    if end > now + CLOCK_SKEW:
        errors["to"] = ["The window cannot reach into the future."]
    elif start >= end:
        errors["from"] = ["The window must start before it ends."]
    elif retention and start < now - timedelta(days=retention):
        errors["from"] = [f"Reads are kept {retention} days at most: start the window after "
                          f"{(now - timedelta(days=retention)):%Y-%m-%d %H:%M} UTC."]
    return (start, end) if not {"from", "to"} & set(errors) else (None, None)


def _case_number(raw: Mapping[str, Any], errors: dict) -> str:
    case_number = _text(raw, "case_number", 40, errors).upper()
    form = policy.engine().case_number_format
    if case_number and form and not re.fullmatch(form["pattern"], case_number):
        errors["case_number"] = [f"Write the case number as the agency does, e.g. {form['example']}."]
    return case_number


def parse(raw: Mapping[str, Any]) -> tuple[dict, dict[str, list[str]]]:
    """The fields of a search and the mistakes in them. Whether the reason,
    case number and basis are given at all is the policy engine's to say."""
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    try:
        values["pattern"] = PlatePattern.parse(_text(raw, "plate", 40, errors))
    except PatternError as error:
        errors["plate"] = [str(error)]
    state = _text(raw, "state", 2, errors).upper()
    if state and not re.fullmatch(r"[A-Z]{2}", state):
        errors["state"] = ["A plate's state is two letters, e.g. MN."]
    values["plate_state"] = state or None
    values["start"], values["end"] = _window(raw, errors)
    values["cameras"] = _cameras(raw, errors)
    values["area"] = _area(raw, errors)
    values["reason"] = _text(raw, "reason", 64, errors)
    values["case_number"] = _case_number(raw, errors)
    values["basis"] = _text(raw, "basis", 1000, errors)
    values["look_alikes"] = _flag(raw, "look_alikes", errors)
    values["warrant"] = _text(raw, "warrant", 60, errors)
    values["exigent"] = _flag(raw, "exigent", errors)
    page = _text(raw, "page", 6, errors) or "1"
    numeric = page.isascii() and page.isdigit()
    if not numeric or not 1 <= int(page) <= MAX_PAGE:
        errors["page"] = [f"A page is a number from 1 to {MAX_PAGE:,}."]
    values["page"] = int(page) if numeric else 1
    return values, errors
