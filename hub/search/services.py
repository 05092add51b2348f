"""Reasoned search (DESIGN.md 3.5): full or partial plates, over a window,
over the cameras the officer may see at this moment and nothing else.

Every search names a reason from the agency's list, a case or incident
number and a factual basis, and the policy engine decides it twice: before
any read is touched (the reason, the purpose, the window) and once the size
of the answer is known (a search that returns a vehicle's movements needs a
warrant or exigent circumstances on record). Each search, each export and
each refusal is in the ledger, in the transaction that answers it; the plate
goes beside the entry, committed by hash, and every camera searched is named
so that its owner sees the search in the camera's access log."""
from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from datetime import date, datetime, time, timedelta, timezone
from dataclasses import dataclass, field
from typing import Any, Mapping

from sqlalchemy import and_, false, func, select, union_all
from sqlalchemy.orm import aliased

from hub import policy
from hub.cameras.models import Camera
from hub.db import among
from hub.errors import Refusal
from hub.extensions import db
from hub.keys import services as data_keys
from hub.identity.models import Organisation
from hub.identity.permissions import require_capability
from hub.identity.roles import Capability
from hub.ledger.models import LedgerEntry, LedgerPrivateDetail
from hub.ledger.services import Receipt, record
from hub.policy import PolicyRefused
from hub.reads.models import Read
from hub.scope import Purpose, Scope, scope_for
from hub.search import query as queries
from hub.search.errors import SearchDetailsErased, SearchInvalid, SearchNotFound
from hub.search.patterns import PlatePattern
from hub.search.query import SearchQuery
from policies.vocabulary import BOOLEAN

SEARCH = policy.declare("data.search", {
    "reason": None, "purpose": None, "case_number": None, "factual_basis": None, "window_days": None,
    "warrant": BOOLEAN, "exigent_circumstances": BOOLEAN})
SEARCH_RESULTS = policy.declare("data.search_results", {
    "result_count": None, "warrant": BOOLEAN, "exigent_circumstances": BOOLEAN})

PAGE_SIZE = 50
# An exact plate is looked up by its hash under each live data key of the
# window; past this many hashes the plates in scope are opened and compared.
HASH_LOOKUP_LIMIT = 50_000
SCAN_CHUNK = 5_000
EXPORT_LIMIT = 5_000
RECENT_CASES = 10
# The facts a person types, and the search field each is given in.
INPUT_FACTS = {"reason": "reason", "case_number": "case_number", "factual_basis": "basis"}
MISSING = {"reason": "Choose the reason for the search from the agency's list.",
           "case_number": "Give the case or incident number.",
           "basis": "Write the factual basis: why these data are pertinent to the investigation."}


@dataclass
class SearchedCamera:
    id: int
    name: str
    owner: str
    granted: bool  # reached under a grant to this case, not a standing share


@dataclass
class SearchResult:
    query: SearchQuery
    entry_id: int
    reads: list[Read]
    total: int
    cameras_searched: list[SearchedCamera]
    cameras_hit: list[int]
    look_alike_ids: set[int] = field(default_factory=set)
    page_size: int = PAGE_SIZE
    scope: Scope | None = None  # the scope the reads were opened in (their images open in it too)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    def is_look_alike(self, read: Read) -> bool:
        return read.id in self.look_alike_ids


def reasons() -> list[dict]:
    """The agency pack's closed list of purposes, which searches choose from."""
    return [{"id": key, "label": label} for key, label in policy.engine().purposes.items()]


def recent_case_numbers(actor: Any, *, limit: int = RECENT_CASES) -> list[str]:
    """The case numbers this officer searched or asked partners about most
    recently, to pick from. Plates are never kept for this."""
    last = func.max(LedgerEntry.id)
    rows = db.session.execute(
        select(LedgerEntry.case_number, last).where(
            LedgerEntry.actor_id == getattr(actor, "id", None), LedgerEntry.case_number.is_not(None),
            LedgerEntry.action.in_(("reads.searched", "grant.requested")))
        .group_by(LedgerEntry.case_number).order_by(last.desc()).limit(limit))
    return [case_number for case_number, _ in rows]


def searchable_cameras(actor: Any) -> list[SearchedCamera]:
    """The cameras the actor may search now, to choose from: the agency's,
    shared ones and those under the actor's live grants (a grant's cameras
    are searched only for the grant's case)."""
    scope = scope_for(actor, Purpose.SEARCH)
    granted = {c for c, _, _ in scope.windows} - set(scope.cameras)
    return _cameras(scope.camera_ids, granted)


def _cameras(ids, granted) -> list[SearchedCamera]:
    if not ids:
        return []
    rows = db.session.execute(select(Camera.id, Camera.name, Organisation.name)
                              .join(Organisation, Organisation.id == Camera.organisation_id)
                              .where(among(Camera.id, sorted(ids))).order_by(Organisation.name, Camera.name))
    return [SearchedCamera(i, name, owner, i in granted) for i, name, owner in rows]


def _refusal(action: str, actor: Any, values: dict, decision=None, cameras=()) -> Refusal:
    details = {"case_number": values.get("case_number") or None, "reason": values.get("reason") or None}
    if decision is not None:
        details["policy"] = decision.on_record()
    return Refusal(action, actor, None, details, tuple(sorted(set(cameras))))


def _checked_query(actor: Any, raw: Mapping[str, Any], *, action: str) -> SearchQuery:
    """The query, once its fields are sound and the engine allows it: bad
    input is a 400 naming each field, a refusal by the rules a 403 citing
    them; both are ledgered as refused attempts."""
    values, errors = queries.parse(raw)
    return _decided(actor, values, errors, action=action)


def _decided(actor: Any, values: dict, errors: dict, *, action: str) -> SearchQuery:
    window_known = values["start"] is not None
    decision = policy.decide(SEARCH, {
        "reason": values["reason"] or None, "purpose": values["reason"] or None,
        "case_number": values["case_number"] or None, "factual_basis": values["basis"] or None,
        "window_days": (values["end"] - values["start"]).total_seconds() / 86400 if window_known else None,
        "warrant": bool(values["warrant"]), "exigent_circumstances": values["exigent"]})
    for reason in decision.reasons:
        name = INPUT_FACTS.get(reason.field)
        if name and name not in errors:
            errors[name] = [f"{MISSING[name]} ({reason.cite})"]
    if errors:
        raise SearchInvalid(errors=errors, refusal=_refusal(action, actor, values, decision))
    if not decision.allowed:
        raise PolicyRefused(decision, actor=actor, details=_refusal(action, actor, values).details)
    purposes = policy.engine().purposes
    if values["reason"] not in purposes:
        raise SearchInvalid(errors={"reason": [f"Choose one of the agency's reasons: {', '.join(purposes)}."]},
                            refusal=_refusal(action, actor, values, decision))
    return SearchQuery(**values)


def _searched_cameras(scope: Scope, query: SearchQuery) -> list[SearchedCamera]:
    granted = {c for c, start, end in scope.windows if start <= query.end and end >= query.start}
    ids = set(scope.cameras) | granted
    if query.cameras:
        ids &= set(query.cameras)
    return _cameras(ids, granted - set(scope.cameras))


def plate_lookup(query: SearchQuery) -> dict[date, list[str]] | None:
    """The hashes an exact plate (or its few look-alike spellings) has under
    every live data key of the window, by the day the keys seal; None when
    the pattern is partial or the hashes too many, and the plates in scope
    must be opened and compared instead."""
    spellings = query.pattern.spellings() if query.look_alikes else [query.pattern.text]
    if not query.pattern.exact or spellings is None:
        return None
    keys = data_keys.live_keys(since=query.start, until=query.end)
    if len(keys) * len(spellings) > HASH_LOOKUP_LIMIT:
        return None
    by_day = defaultdict(list)
    for key in keys:
        by_day[key.day].append(key)
    return {day: data_keys.plate_hashes(spellings, day_keys) for day, day_keys in sorted(by_day.items())}


def _by_hash(query: SearchQuery, hashes: dict[date, list[str]]):
    """The reads of the window with one of the plate's hashes. A read is
    sealed and hashed under its organisation's key of the UTC day it was
    captured (`hub.reads.ingest`), so each day's reads are looked up by
    that day's hashes only: a few hundred probes into each daily partition,
    not the whole window's thousands into every one."""
    days = []
    for day, day_hashes in hashes.items():
        midnight = datetime.combine(day, time.min, tzinfo=timezone.utc)
        days.append(select(Read).where(*_found(query), Read.captured_at >= midnight,
                                       Read.captured_at < midnight + timedelta(days=1), among(Read.plate_hash, day_hashes)))
    if not days:
        return select(Read).where(false())
    return days[0] if len(days) == 1 else union_all(*days)


def _found(query: SearchQuery) -> list:
    """The window, the plate's state and the area, as conditions on reads."""
    found = [Read.captured_at >= query.start, Read.captured_at <= query.end]
    if query.plate_state:
        found.append(Read.plate_state == query.plate_state)
    if query.area:
        south, west, north, east = query.area
        found.append(and_(Read.latitude.between(south, north), Read.longitude.between(west, east)))
    return found


def statements(scope: Scope, query: SearchQuery, camera_ids: list[int], hashes: dict[date, list[str]] | None = None):
    """The two statements of a search: the count of reads by camera, and the
    reads newest first (to page). Reads matching the plate (by its hashes of
    each day), the window, the state and the area are found first through
    the indexes, then kept only when in scope: a scope lists up to thousands
    of cameras, and planned into each daily partition that list would cost
    many times the search. Without hashes, every read of the window in scope."""
    found = select(Read).where(*_found(query)) if hashes is None else _by_hash(query, hashes)
    hit = aliased(Read, found.cte("found").prefix_with("MATERIALIZED"))
    in_scope = [scope.clause(hit.camera_id, hit.captured_at)]
    if query.cameras:
        in_scope.append(among(hit.camera_id, camera_ids))
    count = select(hit.camera_id, func.count()).where(*in_scope).group_by(hit.camera_id)
    reads = select(hit).where(*in_scope).order_by(hit.captured_at.desc(), hit.id.desc())
    return count, reads


def _scan(scope: Scope, query: SearchQuery, camera_ids: list[int]) -> list[tuple[int, int]]:
    """A partial plate: the reads in scope over the window, opened through
    the scope and compared with the pattern; (id, camera) newest first."""
    cameras = [among(Read.camera_id, camera_ids)] if query.cameras else []
    rows = db.session.execute(select(Read.id, Read.camera_id, Read.captured_at, Read.key_id, Read.plate_sealed)
                              .where(*_found(query), scope.clause(Read.camera_id, Read.captured_at), *cameras)
                              .order_by(Read.captured_at.desc(), Read.id.desc())
                              .execution_options(yield_per=SCAN_CHUNK))
    matched = []
    for chunk in rows.partitions():
        texts = scope.plates(chunk)
        matched += [(row.id, row.camera_id) for row, plate in zip(chunk, texts)
                    if query.pattern.matches(plate, look_alikes=query.look_alikes)]
    return matched


def _run(actor: Any, query: SearchQuery, *, action: str, offset: int, limit: int,
         standing_only: bool = False) -> SearchResult:
    """The search itself, inside the scope of this moment: only cameras the
    actor may see now, grant cameras only under grants to this case, and
    none at all when `standing_only` (a partner's grant is its consent to
    one investigation of the agency's, never to another agency's)."""
    scope = scope_for(actor, Purpose.SEARCH, case_number=query.case_number)
    if standing_only:
        scope = Scope(cameras=scope.cameras)
    cameras = _searched_cameras(scope, query)
    outside = sorted(set(query.cameras) - {c.id for c in cameras})
    if outside:
        raise SearchInvalid(errors={"cameras": [
            f"You may not search cameras {outside} now: they are neither the agency's, nor shared, nor under "
            "a live grant to this case whose data window meets the search window."]},
                            refusal=_refusal(action, actor, {"case_number": query.case_number,
                                                             "reason": query.reason}, cameras=outside))
    camera_ids = [c.id for c in cameras]
    hashes = plate_lookup(query) if camera_ids else None
    matched = None
    if not camera_ids:
        hits = {}
    elif hashes is not None:
        count, newest_first = statements(scope, query, camera_ids, hashes)
        hits = dict(db.session.execute(count).all())
    else:
        matched = _scan(scope, query, camera_ids)
        hits = dict(Counter(camera for _, camera in matched))
    total = sum(hits.values())
    decision = policy.decide(SEARCH_RESULTS, {"result_count": total, "warrant": bool(query.warrant),
                                              "exigent_circumstances": query.exigent})
    if not decision.allowed:
        raise PolicyRefused(decision, actor=actor, details={"case_number": query.case_number, "reason": query.reason,
                                                            "reads": total}, cameras=camera_ids)
    if not total:
        reads = []
    elif matched is None:
        reads = scope.open(db.session.scalars(newest_first.offset(offset).limit(limit)))
    else:
        page = [read_id for read_id, _ in matched[offset:offset + limit]]
        reads = scope.open(db.session.scalars(select(Read).where(
            Read.id.in_(page), Read.captured_at >= query.start, Read.captured_at <= query.end)
            .order_by(Read.captured_at.desc(), Read.id.desc())))
    look_alikes = {r.id for r in reads if query.look_alikes and not query.pattern.matches(r.plate)}
    return SearchResult(query, 0, reads, total, cameras, sorted(hits), look_alikes, scope=scope)


def _details(result: SearchResult) -> dict:
    return {**result.query.on_record(), "reads": result.total, "returned": len(result.reads),
            "cameras_hit": result.cameras_hit, "granted_cameras": [c.id for c in result.cameras_searched if c.granted]}


def search(actor: Any, raw: Mapping[str, Any]) -> SearchResult:
    """One page of a search, ledgered with the query, the reason, the case
    number, the cameras searched and a summary of the answer."""
    require_capability(actor, Capability.SEARCH_READS, action="reads.search")
    query = _checked_query(actor, raw, action="reads.search")
    result = _run(actor, query, action="reads.search", offset=(query.page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    receipt = record("reads.searched", actor=actor, purpose=query.reason, case_number=query.case_number,
                     details={**_details(result), "page": query.page}, private={"plate": query.pattern.text},
                     cameras=[c.id for c in result.cameras_searched])
    result.entry_id = receipt.entry_id
    return result


@dataclass
class Export:
    search_entry_id: int
    receipt: Receipt
    result: SearchResult


def export(actor: Any, search_entry_id: int) -> Export:
    """Run a recorded search again, in the scope of this moment, for export:
    a dissemination, ledgered against the search it repeats. Only the
    officer who searched exports it; the plate is read from beside the
    search's entry, so a search whose plate was lawfully destroyed cannot
    be exported again."""
    require_capability(actor, Capability.SEARCH_READS, action="reads.export")
    entry = db.session.get(LedgerEntry, search_entry_id)
    if entry is None or entry.action != "reads.searched" or entry.actor_id != getattr(actor, "id", None):
        raise SearchNotFound(refusal=Refusal("reads.export", actor, ("ledger_entry", search_entry_id), {}))
    private = db.session.get(LedgerPrivateDetail, entry.id)
    if private is None:
        raise SearchDetailsErased(refusal=Refusal("reads.export", actor, ("ledger_entry", entry.id), {}))
    plate = json.loads(private.content)["plate"]
    raw = queries.arguments_from_record(plate, entry.case_number, entry.purpose, json.loads(entry.details))
    query = _checked_query(actor, raw, action="reads.export")
    result = _run(actor, query, action="reads.export", offset=0, limit=EXPORT_LIMIT)
    ids = ",".join(str(r.id) for r in result.reads)
    receipt = record("reads.exported", actor=actor, subject=("ledger_entry", entry.id), purpose=query.reason,
                     case_number=query.case_number,
                     details={**_details(result), "search_entry_id": entry.id, "exported": len(result.reads),
                              "read_ids_sha256": hashlib.sha256(ids.encode()).hexdigest()},
                     private={"plate": plate}, cameras=result.cameras_hit)
    result.entry_id = entry.id
    return Export(entry.id, receipt, result)


def disseminate(actor: Any, *, plates: list[str], start, end, cameras: list[int], reason: str, case_number: str,
                basis: str, action: str, limit: int) -> list[SearchResult]:
    """The searches an approved outside-agency request releases, one a plate,
    run and decided like any search (`data.search`, `data.search_results`),
    over the agency's own cameras and standing shares only. The case number
    is the requesting agency's, so the agency's own format does not apply.
    The caller ledgers the dissemination."""
    results = []
    for plate in plates:
        values = {"pattern": PlatePattern.parse(plate), "plate_state": None, "start": start, "end": end,
                  "cameras": tuple(cameras), "area": None, "reason": reason, "case_number": case_number,
                  "basis": basis, "look_alikes": False, "warrant": "", "exigent": False, "page": 1}
        query = _decided(actor, values, {}, action=action)
        results.append(_run(actor, query, action=action, offset=0, limit=limit, standing_only=True))
    return results
