"""Registering, editing, moving and retiring cameras through the services."""
from datetime import date, timedelta

import pytest

from hub.cameras import services
from hub.cameras.errors import CameraInvalid
from hub.cameras.models import CameraStatus, SharingMode
from hub.clock import utcnow
from hub.errors import Forbidden
from hub.extensions import db
from hub.identity.roles import OrganisationKind, OrganisationStatus, Role
from tests.conftest import make_camera, make_organisation, make_partner, make_user
from tests.conftest import OPERATOR


def test_registration_sets_defaults_history_and_bca_deadline(ctx):
    agency = make_organisation()
    hoa = make_partner()
    city = make_camera(agency, "CR 30 at CR 101", installed_on=date(2026, 3, 2))
    gate = make_camera(hoa, "Gate", fixed=False)
    assert city.sharing_mode is SharingMode.SHARED and gate.sharing_mode is SharingMode.PRIVATE
    assert city.bca_notice_due_on == date(2026, 3, 12)
    assert gate.reader_kind == "mobile" and gate.bca_notice_due_on == utcnow().date() + timedelta(days=10)
    assert [(l.from_date, l.to_date) for l in city.locations] == [(date(2026, 3, 2), None)]


@pytest.mark.parametrize("changes, field", [
    ({"location": services.Location(91, 0, "x")}, "latitude"),
    ({"location": services.Location(45, -181, "x")}, "longitude"),
    ({"location": services.Location(45, -93, " ")}, "location_description"),
    ({"direction": "sideways"}, "direction"),
    ({"name": " "}, "name"),
])
def test_bad_fields_are_refused_and_nothing_is_written(ctx, changes, field):
    hoa = make_partner()
    base = {"name": "Gate", "location": services.Location(45, -93, "Gate"), "direction": "inbound",
            "fixed": True, "vendor": "", "model": "", "installed_on": utcnow().date()}
    with pytest.raises(CameraInvalid) as refused:
        services.register_camera(OPERATOR, hoa, **{**base, **changes})
    assert field in refused.value.errors
    db.session.rollback()
    assert services.list_cameras(OPERATOR) == []


def test_duplicate_names_within_an_organisation_are_refused(ctx):
    hoa, other = make_partner(), make_partner("Other HOA")
    make_camera(hoa, "Gate")
    with pytest.raises(CameraInvalid) as refused:
        make_camera(hoa, "gate")
    assert "already has a camera named 'Gate'" in refused.value.errors["name"][0]
    assert make_camera(other, "Gate").name == "Gate"


def test_moving_keeps_history_and_restarts_the_bca_deadline(ctx):
    hoa = make_partner()
    camera = make_camera(hoa, "Gate", installed_on=date(2026, 1, 5))
    moved_on = date(2026, 6, 1)
    services.update_camera(OPERATOR, camera, reason="new gate", moved_on=moved_on,
                           location=services.Location(45.1, -93.6, "North gate"))
    assert [(l.description, l.from_date, l.to_date) for l in camera.locations] == [
        ("North gate", moved_on, None), ("Gate site", date(2026, 1, 5), moved_on)]
    assert camera.bca_notice_due_on == moved_on + timedelta(days=10) and camera.bca_notice_sent_on is None
    with pytest.raises(CameraInvalid):
        services.update_camera(OPERATOR, camera, reason="x", moved_on=date(2026, 5, 1),
                               location=services.Location(45.2, -93.6, "Back"))


def test_retiring_keeps_history_and_freezes_the_camera(ctx):
    camera = make_camera(make_partner(), "Gate")
    services.retire_camera(OPERATOR, camera, reason="removed")
    assert camera.status is CameraStatus.RETIRED and camera.locations[0].to_date == utcnow().date()
    with pytest.raises(CameraInvalid):
        services.update_camera(OPERATOR, camera, reason="x", name="New")
    assert services.get_camera(OPERATOR, camera.id) is camera


def test_pending_partner_cannot_register(ctx):
    hoa = make_partner()
    hoa.status = OrganisationStatus.PENDING
    with pytest.raises(CameraInvalid, match="not approved"):
        make_camera(hoa)


def test_outside_agency_and_other_partners_cannot_register(ctx):
    hoa = make_partner()
    intruder = make_user("other-admin", Role.PARTNER_ADMIN, make_partner("Other HOA"))
    with pytest.raises(Forbidden):
        services.register_camera(intruder, hoa, name="x", location=services.Location(45, -93, "x"),
                                 direction="inbound", fixed=True, vendor="", model="", installed_on=utcnow().date())
    with pytest.raises(CameraInvalid):
        make_camera(make_organisation("Neighbour PD", OrganisationKind.OUTSIDE_AGENCY))
