"""Sharing modes: only the owner sets them, each change is ledgered with who
and why, and it applies on the very next request."""
import json

import pytest
from sqlalchemy import select

from hub.cameras.errors import CameraInvalid
from hub.cameras.models import SharingMode
from hub.cameras.sharing import set_sharing_mode
from hub.extensions import db
from hub.identity import tokens
from hub.identity.roles import Role
from hub.ledger.models import LedgerEntry
from tests.conftest import make_camera, make_organisation, make_partner, make_user
from tests.conftest import OPERATOR


@pytest.fixture
def setup(app):
    with app.app_context():
        make_organisation()
        hoa = make_partner()
        owner = make_user("owner", Role.PARTNER_ADMIN, hoa)
        officer = make_user("ofc", Role.OFFICER, trained=True, authorised=True)
        camera = make_camera(hoa, "Gate")
        ids = {"camera": camera.id, "owner": tokens.create_token(OPERATOR, owner, name="t")[1],
               "officer": tokens.create_token(OPERATOR, officer, name="t")[1]}
        db.session.commit()
        return ids


def bearer(secret):
    return {"Authorization": f"Bearer {secret}"}


def test_mode_change_applies_on_the_next_request(app, client, setup):
    path = f"/api/v1/cameras/{setup['camera']}"
    assert client.get(path, headers=bearer(setup["officer"])).get_json()["agency_access"] == {
        "search": False, "alerts": False, "retention_days": 30}
    for mode, expected in (("alerts_only", (False, True)), ("shared", (True, True)), ("private", (False, False))):
        changed = client.patch(path, json={"sharing_mode": mode, "reason": f"board vote: {mode}"},
                               headers=bearer(setup["owner"]))
        assert changed.status_code == 200 and changed.get_json()["sharing_mode"] == mode
        access = client.get(path, headers=bearer(setup["officer"])).get_json()["agency_access"]
        assert (access["search"], access["alerts"]) == expected
    with app.app_context():
        entries = db.session.scalars(select(LedgerEntry).where(
            LedgerEntry.action == "camera.sharing_mode_changed").order_by(LedgerEntry.id)).all()
        assert [(e.actor, e.purpose) for e in entries] == [
            ("owner", "board vote: alerts_only"), ("owner", "board vote: shared"), ("owner", "board vote: private")]
        assert json.loads(entries[0].details)["before"]["sharing_mode"] == "private"


def test_owner_may_choose_a_shorter_retention(app, client, setup):
    path = f"/api/v1/cameras/{setup['camera']}"
    ok = client.patch(path, json={"sharing_mode": "shared", "retention_days": 7, "reason": "shorter"},
                      headers=bearer(setup["owner"]))
    assert ok.get_json()["agency_access"]["retention_days"] == 7
    longer = client.patch(path, json={"retention_days": 45, "reason": "longer"}, headers=bearer(setup["owner"]))
    assert longer.status_code == 422 and "between 1 and 30" in json.dumps(longer.get_json())


@pytest.mark.parametrize("body, field", [
    ({"sharing_mode": "public", "reason": "x"}, "sharing_mode"),
    ({"sharing_mode": "shared"}, "reason"),
    ({"reason": "x"}, "_schema"),
    ({"latitude": 45.0, "reason": "x"}, "location"),
    ({"latitude": "north", "longitude": 1, "location_description": "x", "reason": "x"}, "latitude"),
])
def test_bad_patches_are_422_and_change_nothing(app, client, setup, body, field):
    response = client.patch(f"/api/v1/cameras/{setup['camera']}", json=body, headers=bearer(setup["owner"]))
    assert response.status_code == 422 and field in response.get_json()["errors"]
    assert client.get(f"/api/v1/cameras/{setup['camera']}", headers=bearer(setup["owner"])).get_json()[
        "sharing_mode"] == "private"


def test_agency_cameras_are_shared_by_definition(ctx):
    agency = make_organisation()
    admin = make_user("sgt", Role.ALPR_ADMIN, agency)
    camera = make_camera(agency, "CR 30")
    with pytest.raises(CameraInvalid):
        set_sharing_mode(admin, camera, SharingMode.PRIVATE, reason="try")
    assert camera.sharing_mode is SharingMode.SHARED
