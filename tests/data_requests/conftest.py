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
