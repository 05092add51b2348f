"""Manual hotlist entries (ALPR administrators only, with the fields the
policy requires) and the batch import of state/NCIC hot files, which
replaces the previous batch in one transaction or not at all.

Hot file layout (CSV, UTF-8, header row required):
    plate,state,reason,case_number,priority,expires,non_encounter,instructions
`plate` full or partial (`*`, `?`); `reason` one of REASON_CATEGORIES;
`priority` high|medium|low; `expires` ISO date or empty; `non_encounter`
yes|no or empty. Blank lines and lines starting with `#` are skipped."""
from __future__ import annotations

import csv
import hashlib
import io
import secrets
from datetime import datetime, time, timedelta, timezone
from typing import Any

from sqlalchemy import insert, select, update

from hub import paging, policy
from hub.clock import utcnow
from hub.extensions import db
from hub.hotlists.errors import HotFileInvalid, HotlistEntryInvalid
from hub.hotlists.models import (PRIORITIES, REASON_CATEGORIES, EntrySource, HotlistEntry, HotlistImport,
                                 HotlistVersion)
from hub.identity.access import require_data_access
from hub.identity.models import User
from hub.identity.permissions import can
from hub.identity.roles import Capability, Role
from hub.ledger.services import actor_ref, record
from hub.reads import plates

HOTLIST_ENTER = policy.declare("hotlist.enter", {
    "role": policy.ROLES, "plate": None, "reason_category": None, "case_number": None, "priority": None,
    "expires_at": None, "expires_in_days": None})
HOT_FILE_FRESHNESS = policy.declare("hotlist.import", {"hours_since_import": None})

HOT_FILE_COLUMNS = ["plate", "state", "reason", "case_number", "priority", "expires", "non_encounter",
                    "instructions"]


def bump_version() -> None:
    """A fresh random version, not a counter: a restored or reset database can
    never present an old number with different lists behind it."""
    db.session.execute(update(HotlistVersion).where(HotlistVersion.id == 1).values(version=secrets.randbits(62)))


def _pattern(raw: str) -> tuple[str, bool]:
    text = plates.normalise(raw)
    partial = "*" in text or "?" in text
    core = text.replace("*", "").replace("?", "")
    if not text or len(text) > 10 or (core and not core.isalnum()) or (partial and not core):
        raise ValueError("a plate is 1 to 10 letters and digits; a partial plate may use * and ?")
    return text, partial


def add_entry(actor: Any, *, plate: str, reason_category: str, case_number: str, priority: str,
              expires_at: datetime | None, non_encounter: bool = False, instructions: str = "",
              plate_state: str | None = None) -> HotlistEntry:
    try:
        pattern, partial = _pattern(plate)
    except ValueError as error:
        raise HotlistEntryInvalid(errors={"plate": [str(error).capitalize() + "."]}) from None
    now = utcnow()
    errors = {}
    if priority not in PRIORITIES:
        errors["priority"] = [f"One of {', '.join(PRIORITIES)}."]
    if expires_at is None or expires_at <= now:
        errors["expires_at"] = ["The entry must expire in the future."]
    if not (case_number or "").strip():
        errors["case_number"] = ["A manual entry names its case (ICR) number."]
    if non_encounter and not instructions.strip():
        errors["instructions"] = ["A non-encounter entry says what the officer should do instead."]
    if errors:
        raise HotlistEntryInvalid(errors=errors)
    context = {"role": _role(actor), "plate": pattern, "reason_category": reason_category,
               "case_number": case_number, "priority": priority, "expires_at": expires_at,
               "expires_in_days": (expires_at - now).days}
    if isinstance(actor, User):
        require_data_access(actor)  # entering ALPR data is reaching it (trained, authorised)
    policy.require(HOTLIST_ENTER, context, actor=actor)
    entry = HotlistEntry(source=EntrySource.MANUAL, plate=pattern, partial=partial, plate_state=plate_state,
                         reason_category=reason_category, case_number=case_number.strip(), priority=priority,
                         non_encounter=non_encounter, instructions=instructions.strip() or None,
                         expires_at=expires_at, created_by_id=getattr(actor, "id", None), created_at=now)
    db.session.add(entry)
    db.session.flush()
    bump_version()
    record("hotlist.entry_added", actor=actor, subject=entry, case_number=entry.case_number,
           purpose=reason_category, details={"priority": priority, "partial": partial,
                                             "non_encounter": non_encounter, "expires_at": expires_at.isoformat()},
           private={"plate": pattern})
    return entry


def _role(actor: Any) -> str | None:
    """The role the entry rule weighs: a user's own; the operator at the
    command line acts as the ALPR administrator it may stand in for."""
    if isinstance(actor, User):
        return actor.role.value
    return Role.ALPR_ADMIN.value if can(actor, Capability.MANAGE_HOTLISTS) else None


def remove_entry(actor: Any, entry: HotlistEntry, *, reason: str) -> HotlistEntry:
    """Removing an entry is a change to the list: only those who may enter
    one may remove it. The rule sees the entry as it stands, its own case
    number and expiry included."""
    now = utcnow()
    policy.require(HOTLIST_ENTER, {"role": _role(actor), "plate": entry.plate,
                                   "reason_category": entry.reason_category, "case_number": entry.case_number,
                                   "priority": entry.priority, "expires_at": entry.expires_at,
                                   "expires_in_days": (entry.expires_at - now).days if entry.expires_at else None},
                   actor=actor, subject=entry)
    if isinstance(actor, User):
        require_data_access(actor, subject=entry)
    if not reason.strip():
        raise HotlistEntryInvalid(errors={"reason": ["Say why the entry is no longer justified."]})
    if entry.removed_at is None:
        entry.removed_at, entry.removal_reason = utcnow(), reason.strip()
        db.session.flush()
        bump_version()
        record("hotlist.entry_removed", actor=actor, subject=entry, case_number=entry.case_number,
               purpose=reason.strip())
    return entry


def manual_entries() -> list[HotlistEntry]:
    return list(db.session.scalars(select(HotlistEntry).where(HotlistEntry.source == EntrySource.MANUAL)
                                   .order_by(HotlistEntry.removed_at.is_not(None), HotlistEntry.created_at.desc())))


# The columns the entries page sorts by.
ENTRY_SORTS = {"added": paging.Sort("Added", (HotlistEntry.created_at,)),
               "plate": paging.Sort("Plate", (HotlistEntry.plate,)),
               "reason": paging.Sort("Reason", (HotlistEntry.reason_category,)),
               "priority": paging.Sort("Priority", (HotlistEntry.priority,)),
               "expires": paging.Sort("Expires", (HotlistEntry.expires_at,))}


def entries_page(asked: paging.PageRequest, *, source: EntrySource | None = None,
                 include_removed: bool = False) -> paging.Page:
    """Manual and imported entries, one page, sorted as asked."""
    query = select(HotlistEntry)
    if source is not None:
        query = query.where(HotlistEntry.source == source)
    if not include_removed:
        query = query.where(HotlistEntry.removed_at.is_(None))
    return paging.paginate(query, asked, ENTRY_SORTS, HotlistEntry.id)


def imports() -> list[HotlistImport]:
    return list(db.session.scalars(select(HotlistImport).order_by(HotlistImport.imported_at.desc()).limit(50)))


def _parse_line(number: int, row: dict, now: datetime) -> dict:
    problems = []
    try:
        pattern, partial = _pattern(row.get("plate") or "")
    except ValueError as error:
        problems.append(str(error))
        pattern, partial = "", False
    reason = (row.get("reason") or "").strip().lower()
    if reason not in REASON_CATEGORIES:
        problems.append(f"reason '{reason}' is not one of {', '.join(REASON_CATEGORIES)}")
    priority = (row.get("priority") or "medium").strip().lower()
    if priority not in PRIORITIES:
        problems.append(f"priority '{priority}' is not one of {', '.join(PRIORITIES)}")
    expires = (row.get("expires") or "").strip()
    expires_at = None
    if expires:
        try:
            expires_at = datetime.combine(datetime.fromisoformat(expires).date() + timedelta(days=1), time.min,
                                          tzinfo=timezone.utc)
        except ValueError:
            problems.append(f"expires '{expires}' is not a date (YYYY-MM-DD)")
    flag = (row.get("non_encounter") or "").strip().lower()
    if flag not in ("", "yes", "no"):
        problems.append("non_encounter is yes, no or empty")
    state = (row.get("state") or "").strip().upper() or None
    if state and not (len(state) == 2 and state.isalpha()):
        problems.append(f"state '{state}' is not a two-letter code")
    if problems:
        raise HotFileInvalid(f"Line {number}: {'; '.join(problems)}.", errors={"line": number, "problems": problems})
    return {"source": EntrySource.STATE_FILE, "plate": pattern, "partial": partial, "plate_state": state,
            "reason_category": reason, "case_number": (row.get("case_number") or "").strip() or None,
            "priority": priority, "non_encounter": flag == "yes",
            "instructions": (row.get("instructions") or "").strip() or None, "expires_at": expires_at,
            "created_at": now}


def import_hot_file(actor: Any, data: bytes, *, file_name: str) -> HotlistImport:
    """Parse the whole file first; only a clean file replaces the current
    state batch, and it does so in this one transaction."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise HotFileInvalid("The hot file is not UTF-8 text; the current list is unchanged.") from None
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    reader = csv.DictReader(io.StringIO("\n".join(lines)))
    if reader.fieldnames is None or [c.strip() for c in reader.fieldnames] != HOT_FILE_COLUMNS:
        raise HotFileInvalid(f"Line 1: the header must be {','.join(HOT_FILE_COLUMNS)}.",
                             errors={"line": 1, "problems": ["unexpected header"]})
    now = utcnow()
    rows = []
    for number, row in enumerate(reader, start=2):
        if None in row or any(v is None for v in row.values()):
            raise HotFileInvalid(f"Line {number}: expected {len(HOT_FILE_COLUMNS)} columns.",
                                 errors={"line": number, "problems": ["wrong number of columns"]})
        rows.append(_parse_line(number, row, now))
    previous = db.session.scalar(select(HotlistImport.id).order_by(HotlistImport.imported_at.desc(),
                                                                   HotlistImport.id.desc()).limit(1))
    batch = HotlistImport(file_name=file_name, sha256=hashlib.sha256(data).hexdigest(), entries=len(rows),
                          imported_at=now, imported_by=actor_ref(actor)[1],
                          replaced_import_id=previous)
    db.session.add(batch)
    db.session.flush()
    db.session.execute(update(HotlistEntry).where(HotlistEntry.source == EntrySource.STATE_FILE,
                                                  HotlistEntry.removed_at.is_(None))
                       .values(removed_at=now, removal_reason=f"replaced by import {batch.id}"))
    for start in range(0, len(rows), 10000):
        db.session.execute(insert(HotlistEntry), [{**r, "import_id": batch.id} for r in rows[start:start + 10000]])
    bump_version()
    record("hotlist.imported", actor=actor, subject=batch,
           details={"file_name": file_name, "sha256": batch.sha256, "entries": len(rows), "replaced": previous})
    return batch


def hours_since_import() -> float | None:
    """Hours since the state hot file was last imported; None when never."""
    last = db.session.scalar(select(HotlistImport.imported_at).order_by(HotlistImport.imported_at.desc()).limit(1))
    return None if last is None else (utcnow() - last).total_seconds() / 3600


def hot_file_is_fresh() -> bool:
    """Whether the state hot file is as recent as the rule requires; a match
    against an older list is marked stale wherever it is shown."""
    return policy.decide(HOT_FILE_FRESHNESS, {"hours_since_import": hours_since_import()}).allowed


def freshness() -> dict:
    """For the alert board's banner: the age of the list and the rule's limit."""
    hours = hours_since_import()
    decision = policy.decide(HOT_FILE_FRESHNESS, {"hours_since_import": hours}, advisory=True)
    return {"fresh": decision.allowed, "hours_since_import": None if hours is None else round(hours, 1),
            "limit_hours": policy.engine().obligation(HOT_FILE_FRESHNESS, "max_hours_between_imports"),
            "cite": decision.reasons[0].cite if decision.reasons else None}
