"""Fixtures for written data requests: an outside agency and its requester,
and a complete request, built through the services people use."""
from __future__ import annotations

from datetime import timedelta

import pytest

from hub.clock import utcnow
from hub.data_requests.services import Asked
from hub.extensions import db
from hub.identity import tokens
from hub.identity.roles import OrganisationKind, Role
from tests.conftest import OPERATOR, make_organisation, make_user

ROGERS = "Rogers Police Department"


def complete(**overrides) -> dict:
    """A complete request, as the API takes it."""
    now = utcnow()
    body = {"agency_name": ROGERS, "requester_name": "Det. Chris Halvorson",
            "purpose": "To trace a vehicle seen leaving a burglary", "offense_type": "burglary",
            "factual_basis": "A witness saw the car leave the burglarised house on 12 May.",
            "case_number": "RPD-26-004512",
            "authorization_statement": "Chief Jane Roe of the Rogers Police Department authorised this request.",
            "plates": ["ABC123"], "window": {"start": (now - timedelta(days=3)).isoformat(),
                                             "end": (now - timedelta(hours=1)).isoformat()}}
    return {**body, **overrides}


def asked(**overrides) -> Asked:
    body = complete(**overrides)
    window = body.pop("window")
    from datetime import datetime
    return Asked(**{**body, "plates": tuple(body["plates"]), "cameras": tuple(body.get("cameras", ()))},
                 window_start=datetime.fromisoformat(window["start"]), window_end=datetime.fromisoformat(window["end"]))


def make_requester(username="rogers-det", organisation=ROGERS, kind=OrganisationKind.OUTSIDE_AGENCY, state="MN"):
    return make_user(username, Role.AGENCY_REQUESTER, make_organisation(organisation, kind, state=state))


@pytest.fixture
def requester(app):
    """An outside agency's requester and a personal API token of theirs."""
    with app.app_context():
        user = make_requester()
        token = tokens.create_token(OPERATOR, user, name="records system")[1]
        db.session.commit()
        return {"id": user.id, "username": user.username, "token": token}


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def image_b64(text: str) -> str:
    import base64
    from tests.conftest import render_plate
    return base64.b64encode(render_plate(text)).decode()


def agency_world(prefix: str = "") -> dict:
    """The agency with a city camera, a partner's shared and private
    cameras, reads of ABC123 on each (with plate pictures), an officer and
    two chiefs (all trained and authorised); the outside agency's requester.
    Names start with `prefix`, beside a world made already."""
    from hub.cameras.models import SharingMode
    from hub.cameras.sharing import set_sharing_mode
    from hub.reads.ingest import ingest_batch
    from tests.conftest import make_camera, make_partner
    agency = make_organisation()
    owner = make_user(f"{prefix}owner", Role.PARTNER_ADMIN, make_partner())
    cameras = {"city": make_camera(agency, f"{prefix}CR 30"),
               "shared": make_camera(owner.organisation, f"{prefix}Gate shared"),
               "private": make_camera(owner.organisation, f"{prefix}Gate private")}
    set_sharing_mode(owner, cameras["shared"], SharingMode.SHARED, reason="board vote")
    now = utcnow()
    for name, camera in cameras.items():
        ingest_batch(camera, [
            {"read_id": f"{name}-1", "plate": "ABC123", "plate_state": "MN", "confidence": 0.99,
             "captured_at": (now - timedelta(days=1)).isoformat(), "plate_image": image_b64("ABC123")},
            {"read_id": f"{name}-2", "plate": "XYZ789", "captured_at": (now - timedelta(hours=30)).isoformat()}])
    world = {"cameras": {k: c.id for k, c in cameras.items()},
             "officer": make_user(f"{prefix}ofc", Role.OFFICER, agency, trained=True, authorised=True),
             "chief": make_user(f"{prefix}chief", Role.CHIEF, agency, trained=True, authorised=True, totp=True),
             "deputy": make_user(f"{prefix}deputy-chief", Role.CHIEF, agency, trained=True, authorised=True,
                                 totp=True),
             "records": make_user(f"{prefix}rec", Role.RECORDS, agency, trained=True, authorised=True),
             "requester": make_requester(f"{prefix}rogers-det")}
    db.session.commit()
    return world


def terms(request, **overrides):
    from hub.data_requests.decisions import SearchTerms
    values = {"plates": tuple(request.plate_list), "cameras": tuple(request.cameras), "start": request.window_start,
              "end": request.window_end, **overrides}
    return SearchTerms(**values)


def prepared(world, by=None, **overrides):
    """A request from the outside agency (its requester, or `by`), its search
    prepared by the officer."""
    from hub.data_requests.decisions import prepare
    from hub.data_requests.services import submit
    request = submit(by or world["requester"], asked(**overrides))
    return prepare(world["officer"], request, terms(request))
