"""Every camera route × every role × own or other organisation. Table-driven:
a new camera route joins the table. Each refused attempt is ledgered."""
import pytest
from sqlalchemy import func, select

from hub.extensions import db
from hub.identity import tokens
from hub.identity.roles import OrganisationKind, Role
from hub.identity.services import find_user
from hub.ledger.models import LedgerEntry, LedgerEntryCamera
from tests.conftest import make_camera, make_organisation, make_partner, make_user, sign_in
from tests.conftest import OPERATOR

ACTORS = {
    "officer": (Role.OFFICER, "agency"), "alpr_admin": (Role.ALPR_ADMIN, "agency"), "chief": (Role.CHIEF, "agency"),
    "records": (Role.RECORDS, "agency"), "auditor": (Role.AUDITOR, "agency"), "hub_admin": (Role.HUB_ADMIN, "agency"),
    "agency_requester": (Role.AGENCY_REQUESTER, "outside"), "partner_own": (Role.PARTNER_ADMIN, "own"),
    "partner_other": (Role.PARTNER_ADMIN, "other"),
}
AGENCY_VIEWERS = {"officer", "alpr_admin", "chief", "records", "auditor", "hub_admin"}


def allowed(*who, ok=200):
    return {actor: (ok if actor in who else 403) for actor in ACTORS}


# (name, method, path template, json body, expected status per actor)
API = [
    ("list", "GET", "/api/v1/cameras", None, allowed(*AGENCY_VIEWERS, "partner_own", "partner_other")),
    ("read partner camera", "GET", "/api/v1/cameras/{partner}", None, allowed(*AGENCY_VIEWERS, "partner_own")),
    ("read agency camera", "GET", "/api/v1/cameras/{agency}", None, allowed(*AGENCY_VIEWERS)),
    ("set partner sharing mode", "PATCH", "/api/v1/cameras/{partner}",
     {"sharing_mode": "shared", "reason": "join the network"}, allowed("partner_own")),
    ("edit partner camera", "PATCH", "/api/v1/cameras/{partner}", {"vendor": "Acme", "reason": "new unit"},
     allowed("partner_own")),
    ("edit agency camera", "PATCH", "/api/v1/cameras/{agency}", {"vendor": "Acme", "reason": "new unit"},
     allowed("alpr_admin", "hub_admin")),
    ("access log", "GET", "/api/v1/cameras/{partner}/access-log", None,
     allowed("alpr_admin", "chief", "auditor", "hub_admin", "partner_own")),
    ("register for own organisation", "POST", "/api/v1/cameras",
     {"name": "New {actor}", "location_description": "Somewhere", "latitude": 45.1, "longitude": -93.5,
      "direction": "inbound", "fixed": True, "installed_on": "2026-11-01"},
     allowed("alpr_admin", "hub_admin", "partner_own", "partner_other", ok=201)),
    ("register for the partner", "POST", "/api/v1/cameras",
     {"organisation_id": "{partner_org}", "name": "Sneaky {actor}", "location_description": "x", "latitude": 45.1,
      "longitude": -93.5, "direction": "inbound", "fixed": True, "installed_on": "2026-11-01"},
     allowed("partner_own", ok=201)),
]

PAGES = [
    ("camera page", "GET", "/cameras/{partner}", None, allowed(*AGENCY_VIEWERS, "partner_own")),
    ("access log", "GET", "/cameras/{partner}/access-log", None,
     allowed("alpr_admin", "chief", "auditor", "hub_admin", "partner_own")),
    ("camera list page", "GET", "/cameras", None, allowed(*AGENCY_VIEWERS, "partner_own", "partner_other")),
]


@pytest.fixture
def world(app):
    """Users for every actor, a partner camera and an agency camera."""
    with app.app_context():
        agency = make_organisation()
        own, other = make_partner("Own HOA"), make_partner("Other Market", OrganisationKind.BUSINESS)
        outside = make_organisation("Neighbour PD", OrganisationKind.OUTSIDE_AGENCY)
        where = {"agency": agency, "own": own, "other": other, "outside": outside}
        secrets = {}
        for name, (role, org) in ACTORS.items():
            user = make_user(name.replace("_", "-"), role, where[org], totp=role.requires_second_factor)
            secrets[name] = tokens.create_token(OPERATOR, user, name="matrix")[1]
        partner_camera, agency_camera = make_camera(own, "Gate"), make_camera(agency, "CR 30")
        db.session.commit()
        return {"partner": partner_camera.id, "agency": agency_camera.id, "partner_org": own.id, "tokens": secrets}


def fill(template, world, actor):
    values = {"partner": world["partner"], "agency": world["agency"], "partner_org": world["partner_org"],
              "actor": actor}
    if isinstance(template, str):
        text = template.format(**values)
        return int(text) if template == "{partner_org}" else text
    if isinstance(template, dict):
        return {k: fill(v, world, actor) for k, v in template.items()}
    return template


def refusals(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(LedgerEntry)
                                 .where(LedgerEntry.action.like("%.refused")))


@pytest.mark.parametrize("name, method, path, body, expected", API, ids=[row[0] for row in API])
def test_api_matrix(app, world, name, method, path, body, expected):
    for actor, status in expected.items():
        client = app.test_client()
        before = refusals(app)
        response = client.open(fill(path, world, actor), method=method, json=fill(body, world, actor),
                               headers={"Authorization": f"Bearer {world['tokens'][actor]}"})
        assert response.status_code == status, (actor, response.get_json())
        if status == 403:
            assert set(response.get_json()) == {"code", "message", "errors"}
            assert refusals(app) == before + 1, f"{actor}: refused attempt not ledgered"


@pytest.mark.parametrize("name, method, path, body, expected", PAGES, ids=[row[0] for row in PAGES])
def test_page_matrix(app, world, name, method, path, body, expected):
    for actor, status in expected.items():
        client = app.test_client()
        with app.app_context():
            user = find_user(actor.replace("_", "-"))
            secret = user.totp_secret
        sign_in(client, user.username, totp_secret=secret)
        response = client.open(fill(path, world, actor), method=method, headers={"Accept": "text/html"})
        assert response.status_code == status, actor


def test_refused_mode_change_shows_in_the_owners_log(app, world):
    client = app.test_client()
    client.patch(f"/api/v1/cameras/{world['partner']}", json={"sharing_mode": "shared", "reason": "want it"},
                 headers={"Authorization": f"Bearer {world['tokens']['officer']}"})
    with app.app_context():
        entry = db.session.scalars(select(LedgerEntry).join(LedgerEntryCamera).where(
            LedgerEntryCamera.camera_id == world["partner"]).order_by(LedgerEntry.id.desc())).first()
        assert entry.action.endswith(".refused") and entry.actor == "officer"
