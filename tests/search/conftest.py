"""A small network for search: the agency's camera and a partner camera in
each sharing mode, each with reads whose plates name the camera, and (by
parameter) a grant on the alerts-only and private cameras in one state."""
import json
from datetime import timedelta

import pytest

from hub.cameras.models import SharingMode
from hub.cameras.sharing import set_sharing_mode
from hub.clock import utcnow
from hub.extensions import db
from hub.grants.clients import create_client
from hub.grants.consent import consent, read_details
from hub.grants.requests import create_request, decide_request
from hub.grants.revocation import revoke_grant
from hub.identity.roles import OrganisationKind, Role
from hub.reads.ingest import ingest_batch
from tests.conftest import OPERATOR, make_camera, make_organisation, make_partner, make_user

TAGS = {"city": "C", "shared": "S", "alerts_only": "A", "private": "P"}
CASE = "CPD-26-000101"
OTHER_CASE = "CPD-26-000202"


def plate_of(camera: str) -> str:
    return f"QX{TAGS[camera]}123"


def ask(**overrides) -> dict:
    """A well-formed search for the test plates; override any argument."""
    return {"plate": "QX?123", "reason": "burglary", "case_number": CASE,
            "basis": "Vehicle seen leaving the burglary at 14 Elm St", **overrides}


def build_world(grant_state: str = "none") -> dict:
    agency = make_organisation()
    hoa = make_partner()
    chief = make_user("chief", Role.CHIEF, agency, trained=True, authorised=True)
    users = {
        "officer": make_user("officer", Role.OFFICER, agency, trained=True, authorised=True),
        "other_officer": make_user("other", Role.OFFICER, agency, trained=True, authorised=True),
        "untrained": make_user("untrained", Role.OFFICER, agency, authorised=True),
        "sergeant": make_user("sergeant", Role.ALPR_ADMIN, agency, trained=True, authorised=True),
        "chief": chief,
        "records": make_user("records", Role.RECORDS, agency, trained=True, authorised=True),
        "auditor": make_user("auditor", Role.AUDITOR, agency),
        "owner": make_user("owner", Role.PARTNER_ADMIN, hoa),
        "requester": make_user("requester", Role.AGENCY_REQUESTER,
                               make_organisation("Rogers PD", OrganisationKind.OUTSIDE_AGENCY)),
    }
    cameras = {"city": make_camera(agency, "CR 30")}
    for mode in SharingMode:
        cameras[mode.value] = make_camera(hoa, f"Gate {mode.value}", latitude=45.10, longitude=-93.55)
        if mode is not SharingMode.PRIVATE:
            set_sharing_mode(users["owner"], cameras[mode.value], mode, reason="setup")
    now = utcnow()
    for name, camera in cameras.items():
        ingest_batch(camera, [{"read_id": f"{name}-1", "plate": plate_of(name),
                               "captured_at": (now - timedelta(hours=3)).isoformat(), "confidence": 0.99}])
    grant = None
    if grant_state != "none":
        granted = [cameras["alerts_only"].id, cameras["private"].id]
        request = create_request(users["officer"], camera_ids=granted, case_number=CASE, offense_type="burglary",
                                 factual_basis="Seen at the scene", window_start=now - timedelta(hours=10),
                                 window_end=now - timedelta(hours=1), access_hours=24)
        decide_request(chief, request, approve=True, finding="Pertinent")
        client = create_client(OPERATOR, name="Records", redirect_uris=["https://records.example/cb"])[0]
        offer = read_details(json.dumps([{"type": "alpr_camera_access", "request_id": request.id}]), users["owner"],
                             client=client)
        grant = consent(users["owner"], offer, camera_ids=granted,
                        window_start=offer.window_start, window_end=offer.window_end,
                        hours=2 if grant_state == "expired" else 24)
        if grant_state == "revoked":
            revoke_grant(users["owner"], grant, reason="Changed our mind")
    db.session.commit()
    return {"users": users, "cameras": cameras, "grant": grant, "ids": {n: c.id for n, c in cameras.items()}}
