"""Leaving the network, the owner's right. In one unit of work: every live
grant is revoked, every open access request declined, standing shares end, the cameras' ingest credentials and
the administrators' API tokens are revoked and the cameras retired, their
reads are destroyed (except those a documented hold keeps: the owner is told
how many, on which cameras and until which review date, never the hold's
case), the data keys of what is destroyed are destroyed, and a destruction
receipt is kept with the ledger entries that prove each step. The
organisation's record and the ledger stay.

A live grant is access the partner consented to, for an officer's case.
Leaving ends it, but only when the administrator says so explicitly: a board
that votes to leave expects police access to end, and must not find out
afterwards that a grant it had forgotten was cut without its knowing, nor
that one it remembered survived. Leaving with live grants and without that
confirmation is refused, naming them."""
from __future__ import annotations

import json
from collections import defaultdict
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from hub.alerts.models import Alert
from hub.cameras.credentials import active_credential, revoke_credential
from hub.cameras.models import Camera, CameraStatus, SharingMode
from hub.cameras.services import retire_camera
from hub.cameras.sharing import set_sharing_mode
from hub.clock import utcnow
from hub.errors import Forbidden, Refusal, ValidationFailed
from hub.extensions import db
from hub.grants.consent import decline_open_requests
from hub.grants.models import Grant
from hub.grants.revocation import revoke_grant
from hub.identity.actors import SystemActor
from hub.identity.models import ApiToken, Organisation, User
from hub.identity.roles import Capability, Role
from hub.identity.tokens import revoke_token
from hub.keys import services as data_keys
from hub.keys.models import DataKey
from hub.ledger.models import LedgerEntry
from hub.ledger.services import record
from hub.reads.models import Read
from hub.retention import purge
from hub.retention.models import Hold, HoldKind
from partners.models import Departure

REASON = "the partner left the network"
# The hub revokes the departing administrators' API tokens on the partner's behalf.
DEPARTURE = SystemActor("partner-departure", frozenset({Capability.MANAGE_USERS}))


class LeaveInvalid(ValidationFailed):
    code = "leave_invalid"


def _require_owner(actor: Any, organisation: Organisation) -> None:
    if not (isinstance(actor, User) and actor.role is Role.PARTNER_ADMIN
            and actor.organisation_id == organisation.id):
        raise Forbidden("Only the partner's administrators take it out of the network.",
                        refusal=Refusal("partner.leave", actor, organisation))


def live_grants(organisation: Organisation) -> list[Grant]:
    now = utcnow()
    return list(db.session.scalars(select(Grant).where(Grant.organisation_id == organisation.id,
                                                       Grant.revoked_at.is_(None), Grant.expires_at > now)
                                   .order_by(Grant.id)))


def departure_of(organisation: Organisation) -> Departure | None:
    return db.session.scalar(select(Departure).where(Departure.organisation_id == organisation.id))


def held_by_holds(camera_ids: list[int]) -> list[dict]:
    """The reads of these cameras that holds keep, per hold: its kind, review
    date, cameras and count; never its case number or reason."""
    if not camera_ids:
        return []
    rows = db.session.execute(select(Hold.id, Hold.kind, Hold.review_on, Read.camera_id, func.count(Read.id))
                              .where(Read.camera_id.in_(camera_ids), *purge.hold_matches())
                              .group_by(Hold.id, Hold.kind, Hold.review_on, Read.camera_id)).all()
    holds: dict[int, dict] = {}
    for hold_id, kind, review_on, camera_id, n in rows:
        entry = holds.setdefault(hold_id, {"kind": kind.value, "review_on": review_on.isoformat(), "cameras": {},
                                           "until": "the review date" if kind is HoldKind.INVESTIGATION
                                           else "the criminal matter is resolved"})
        entry["cameras"][str(camera_id)] = n
    return [holds[h] for h in sorted(holds)]


def leave_network(actor: Any, organisation: Organisation, *, confirm_name: str,
                  revoke_live_grants: bool) -> Departure:
    _require_owner(actor, organisation)
    if departure_of(organisation) is not None:
        raise LeaveInvalid("The organisation has already left the network.",
                           errors={"confirm_name": ["The organisation has already left the network."]})
    grants = live_grants(organisation)
    errors: dict[str, list[str]] = {}
    if (confirm_name or "").strip() != organisation.name:
        errors["confirm_name"] = [f"Type the organisation's name, {organisation.name}, to confirm."]
    if grants and not revoke_live_grants:
        errors["revoke_live_grants"] = [
            f"{len(grants)} grant(s) of police access are live (request "
            + ", ".join(f"#{g.request_id} until {g.expires_at:%Y-%m-%d %H:%M} UTC" for g in grants)
            + "). Leaving revokes them: tick the box to confirm."]
    if errors:
        raise LeaveInvalid(errors=errors)
    first_entry = db.session.scalar(select(func.max(LedgerEntry.id))) or 0
    cameras = list(db.session.scalars(select(Camera).where(Camera.organisation_id == organisation.id)
                                      .order_by(Camera.id)))
    receipt = {"organisation": organisation.name, "left_at": utcnow().isoformat(), "by": actor.display_name,
               "grants_revoked": [g.id for g in grants], "shares_ended": [], "credentials_revoked": [],
               "cameras_retired": [], "api_tokens_revoked": 0}
    for grant in grants:
        revoke_grant(actor, grant, reason=REASON)
    receipt["requests_declined"] = decline_open_requests(actor, message=REASON)
    for camera in cameras:
        if camera.status is CameraStatus.ACTIVE and camera.sharing_mode is not SharingMode.PRIVATE:
            set_sharing_mode(actor, camera, SharingMode.PRIVATE, reason=REASON)
            receipt["shares_ended"].append(camera.name)
        if active_credential(camera) is not None:
            revoke_credential(actor, camera, reason=REASON)
            receipt["credentials_revoked"].append(camera.name)
        if camera.status is CameraStatus.ACTIVE:
            retire_camera(actor, camera, reason=REASON)
            receipt["cameras_retired"].append(camera.name)
    for token in db.session.scalars(select(ApiToken).join(User, User.id == ApiToken.user_id).where(
            User.organisation_id == organisation.id, ApiToken.revoked_at.is_(None))):
        revoke_token(DEPARTURE, token)
        receipt["api_tokens_revoked"] += 1
    receipt.update(_destroy_reads(actor, organisation, [c.id for c in cameras], {c.id: c.name for c in cameras}))
    organisation.left_at = utcnow()
    db.session.flush()
    receipt["ledger_entries"] = [{"entry_id": i, "action": a} for i, a in db.session.execute(
        select(LedgerEntry.id, LedgerEntry.action).where(LedgerEntry.id > first_entry).order_by(LedgerEntry.id))]
    summary = {k: receipt[k] for k in ("reads_destroyed", "alerts_destroyed", "keys_destroyed", "reads_held")}
    done = record("partner.left", actor=actor, subject=organisation, cameras=[c.id for c in cameras],
                  details={**summary, "grants_revoked": len(grants), "cameras_retired": len(receipt["cameras_retired"]),
                           "entries": [e["entry_id"] for e in receipt["ledger_entries"]]})
    receipt["departure_entry"] = {"entry_id": done.entry_id, "leaf_hash": done.leaf_hash}
    departure = Departure(organisation_id=organisation.id, user_id=actor.id, left_at=organisation.left_at,
                          receipt=json.dumps(receipt, sort_keys=True))
    db.session.add(departure)
    db.session.flush()
    return departure


def _destroy_reads(actor: Any, organisation: Organisation, camera_ids: list[int], names: dict[int, str]) -> dict:
    """Every read of the cameras that no hold keeps, as a purge run does (so
    the proof of destruction shows it), then the keys nothing kept needs."""
    run = purge.start_run(actor)
    report = purge.PurgeReport(run_id=run.id)
    everything = {camera_id: utcnow() + timedelta(days=1) for camera_id in camera_ids}
    while camera_ids and purge.destroy_batch(actor, run, everything, report):
        pass
    purge.erase_private_details_of(actor, run, report.hashes)
    held = held_by_holds(camera_ids)
    in_use = set(db.session.scalars(select(Read.key_id).where(Read.organisation_id == organisation.id).distinct()))
    if camera_ids:
        in_use |= set(db.session.scalars(select(Alert.key_id).where(Alert.camera_id.in_(camera_ids)).distinct()))
    keys = list(db.session.scalars(select(DataKey).where(DataKey.organisation_id == organisation.id,
                                                         DataKey.destroyed_at.is_(None))))
    spent = [k for k in keys if k.id not in in_use]
    data_keys.destroy(actor, spent, reason=REASON)
    run.keys_destroyed, run.reads_held, run.finished_at = len(spent), sum(
        n for h in held for n in h["cameras"].values()), utcnow()
    by_camera: dict[str, int] = defaultdict(int)
    for (camera_id, _), n in report.destroyed.items():
        by_camera[names[camera_id]] += n
    return {"reads_destroyed": report.reads_destroyed, "reads_destroyed_by_camera": dict(by_camera),
            "alerts_destroyed": report.alerts, "purge_run": run.id,
            "keys_destroyed": {"count": len(spent), "days": sorted(k.day.isoformat() for k in spent)},
            "keys_kept_for_held_reads": len(keys) - len(spent), "reads_held": run.reads_held,
            "held": [{**h, "cameras": {names[int(c)]: n for c, n in h["cameras"].items()}} for h in held]}


def receipt_of(departure: Departure) -> dict:
    return json.loads(departure.receipt)


def departures() -> list[tuple[Organisation, Departure]]:
    """Partners that left, newest first: the chief's view."""
    return list(db.session.execute(select(Organisation, Departure).join(
        Departure, Departure.organisation_id == Organisation.id).order_by(Departure.left_at.desc())).tuples())
