"""A small network with every kind of actor, built through services: the
agency and its users in every role, a partner with a camera in each sharing
mode (its owner) and another partner (a stranger to those cameras), an
outside agency's requester, hotlisted, plain and unconfirmed reads whose
plates name their camera, and a grant on the private camera in one state.
The scope walk, the authorisation matrix and the API fuzzing share it."""
from __future__ import annotations

import json
from datetime import timedelta

from hub.cameras.models import SharingMode
from hub.cameras.sharing import set_sharing_mode
from hub.clock import utcnow
from hub.extensions import db
from hub.grants.clients import create_client
from hub.grants.consent import consent, read_details
from hub.grants.requests import create_request, decide_request
from hub.grants.revocation import revoke_grant
from hub.hotlists.services import add_entry
from hub.identity.roles import OrganisationKind, Role
from hub.reads.ingest import ingest_batch
from tests.conftest import OPERATOR, make_camera, make_organisation, make_partner, make_user

TAGS = {"city": "C", "shared": "S", "alerts_only": "A", "private": "P"}
KINDS = ("HOT", "PLN", "UNV")  # a hotlisted read, a plain read, a read waiting for confirmation
GRANT_STATES = ("none", "active", "expired", "revoked")
# The network's people: name → role. "owner" keeps the partner's cameras;
# "stranger" administers another partner.
PEOPLE = {"chief": Role.CHIEF, "records": Role.RECORDS, "operator": Role.HUB_ADMIN, "officer": Role.OFFICER,
          "sergeant": Role.ALPR_ADMIN, "owner": Role.PARTNER_ADMIN, "stranger": Role.PARTNER_ADMIN,
          "requester": Role.AGENCY_REQUESTER, "auditor": Role.AUDITOR}


def plate(kind: str, camera: str) -> str:
    return f"{kind}{TAGS[camera]}7Q"


def build_network(grant_state: str = "none") -> dict:
    """Inside an app context; commits. An expired grant is one whose two
    hours the caller lets pass (`frozen_clock.advance(timedelta(hours=3))`)."""
    agency = make_organisation()
    hoa = make_partner()
    elsewhere = make_partner("Elsewhere HOA")
    outside = make_organisation("Rogers PD", OrganisationKind.OUTSIDE_AGENCY)
    where = {"owner": hoa, "stranger": elsewhere, "requester": outside}
    users = {}
    for name, role in PEOPLE.items():
        users[name] = make_user(name, role, where.get(name, agency), totp=role.requires_second_factor,
                                trained=role in (Role.CHIEF, Role.RECORDS, Role.OFFICER, Role.ALPR_ADMIN),
                                authorised=role in (Role.CHIEF, Role.RECORDS, Role.OFFICER, Role.ALPR_ADMIN))
    cameras = {"city": make_camera(agency, "CR 30")}
    for mode in SharingMode:
        cameras[mode.value] = make_camera(hoa, f"Gate {mode.value}")
        if mode is not SharingMode.PRIVATE:
            set_sharing_mode(users["owner"], cameras[mode.value], mode, reason="setup")
    cameras["elsewhere"] = make_camera(elsewhere, "Back lot")
    for name in TAGS:
        add_entry(users["sergeant"], plate=plate("HOT", name), reason_category="stolen_vehicle",
                  case_number="ICR-1", priority="high", expires_at=utcnow() + timedelta(days=5))
    now = utcnow()
    for name in TAGS:
        ingest_batch(cameras[name], [
            {"read_id": f"{name}-{kind}", "plate": plate(kind, name), "captured_at": (now - timedelta(hours=3)).isoformat(),
             "confidence": 0.3 if kind == "UNV" else 0.99} for kind in KINDS])
    private = cameras["private"]
    grant = None
    if grant_state != "none":
        access_request = create_request(users["officer"], camera_ids=[private.id], case_number="ICR-2",
                                        offense_type="burglary", factual_basis="Seen at the scene",
                                        window_start=now - timedelta(hours=10), window_end=now - timedelta(hours=1),
                                        access_hours=24)
        decide_request(users["chief"], access_request, approve=True, finding="Pertinent")
        client = create_client(OPERATOR, name="Records", redirect_uris=["https://records.example/cb"])[0]
        offer = read_details(json.dumps([{"type": "alpr_camera_access", "request_id": access_request.id}]),
                             users["owner"], client=client)
        grant = consent(users["owner"], offer, camera_ids=[private.id],
                        window_start=offer.window_start, window_end=offer.window_end, hours=2)
        if grant_state == "revoked":
            revoke_grant(users["owner"], grant, reason="Changed our mind")
    db.session.commit()
    return {"grant_state": grant_state, "totp": {name: user.totp_secret for name, user in users.items()},
            "ids": {"camera_id": [c.id for name, c in cameras.items() if name in TAGS]},
            "cameras": {name: c.id for name, c in cameras.items()},
            "organisations": {"agency": agency.id, "own": hoa.id, "other": elsewhere.id, "outside": outside.id},
            "grant": grant.id if grant else None}
