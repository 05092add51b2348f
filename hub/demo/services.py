"""Builds the demo network through the same services people use, so the
demo is ledgered like everything else. Running it twice changes nothing."""
from __future__ import annotations

import csv
import json
import os
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pyotp
from flask import current_app
from sqlalchemy import func, select

from hub.cameras.bca import record_notice_sent
from hub.cameras.models import Camera
from hub.cameras.services import Location, find_camera, register_camera
from hub.clock import utcnow
from hub.extensions import db
from hub.grants.clients import create_client, set_redirect_uris
from hub.grants.models import OAuthClient
from hub.hotlists.models import HotlistEntry
from hub.hotlists.services import add_entry
from hub.identity import access, services
from hub.identity.models import Organisation, User
from hub.identity.roles import OrganisationKind, Role
from hub.ledger.services import record
from hub.reads.ingest import ingest_batch
from hub.reads.models import Read
from hub.identity.actors import operator
from partners.services import accept_terms, needs_to_accept_terms
from partners.terms import current_terms

ACTOR = operator("demo")
AGENCY = ("Corcoran Police Department", OrganisationKind.AGENCY)
HOA = ("Bass Lake Preserve HOA", OrganisationKind.HOA)
BUSINESS = ("Corcoran Country Market", OrganisationKind.BUSINESS)
NEIGHBOUR = ("Rogers Police Department", OrganisationKind.OUTSIDE_AGENCY)

USERS = [
    ("demo-hub-admin", "Hana Lindqvist", Role.HUB_ADMIN, AGENCY),
    ("demo-chief", "Chief Matt Gottschalk", Role.CHIEF, AGENCY),
    ("demo-alpr-admin", "Sgt. Dana Ruiz", Role.ALPR_ADMIN, AGENCY),
    ("demo-officer", "Ofc. Sam Olson", Role.OFFICER, AGENCY),
    ("demo-records", "Pat Nguyen", Role.RECORDS, AGENCY),
    ("demo-auditor", "Lee Brandt", Role.AUDITOR, AGENCY),
    ("demo-partner-admin", "Joan Peterson (HOA board)", Role.PARTNER_ADMIN, HOA),
    ("demo-business-owner", "Raj Patel (store owner)", Role.PARTNER_ADMIN, BUSINESS),
    ("demo-agency-requester", "Det. Chris Halvorson", Role.AGENCY_REQUESTER, NEIGHBOUR),
]

PARTNER_CAMERAS = [
    (HOA, "Preserve entrance", "Bass Lake Preserve main entrance off Bass Lake Road", 45.06921, -93.53012,
     "inbound", "Flock Safety", "Falcon"),
    (HOA, "Preserve north gate", "North gate at Preserve Trail", 45.07388, -93.52877, "outbound",
     "Flock Safety", "Falcon"),
    (BUSINESS, "Market parking lot", "Corcoran Country Market lot entrance on County Road 116", 45.09544,
     -93.58611, "inbound", "Flock Safety", "Sparrow"),
]


@dataclass
class DemoLogin:
    username: str
    role: Role
    password: str
    totp_secret: str | None


@dataclass
class DemoNetwork:
    logins: list[DemoLogin]
    client_id: str
    client_secret: str


def _credentials_path() -> Path:
    return Path(current_app.instance_path) / "demo-credentials.json"


def _credentials() -> dict:
    """Demo passwords and second-factor keys are made once per instance and
    kept beside the database, so every `demo load` prints the same logins."""
    path = _credentials_path()
    if path.exists():
        return json.loads(path.read_text())
    creds = {"password": f"demo-{secrets.token_urlsafe(9)}",
             "totp": {u: pyotp.random_base32() for u, _, role, _ in USERS if role.requires_second_factor}}
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(creds, f)
    return creds


def _organisation(spec) -> Organisation:
    name, kind = spec
    return services.find_organisation(name) or services.create_organisation(ACTOR, name=name, kind=kind)


def _user(username, display_name, role, org_spec, creds) -> User:
    user = services.find_user(username)
    if user is None:
        user = services.create_user(ACTOR, organisation=_organisation(org_spec), username=username,
                                    display_name=display_name, role=role, password=creds["password"])
    secret = creds["totp"].get(username)
    if secret and not user.has_second_factor:
        user.totp_secret, user.totp_confirmed_at = secret, utcnow()
        db.session.flush()
        record("second_factor.enrolled", actor=ACTOR, subject=user, details={"recovery_codes": 0})
    return user


def _city_cameras(agency: Organisation) -> list[Camera]:
    cameras = []
    with (Path(__file__).parent / "corcoran_cameras.csv").open() as f:
        for row in csv.DictReader(f):
            name = f"Camera {row['number']}: {row['road']} at {row['near']}"
            location = Location(float(row["latitude"]), float(row["longitude"]),
                                f"{row['road']} near {row['near']}, {row['traffic_direction']} traffic")
            cameras.append(find_camera(agency, name) or register_camera(
                ACTOR, agency, name=name, location=location, direction=row["traffic_direction"], fixed=True,
                vendor="Flock Safety", model="Falcon", installed_on=date(2026, 3, 2)))
    return cameras


def load_demo() -> DemoNetwork:
    creds = _credentials()
    users = {u: _user(u, name, role, org, creds) for u, name, role, org in USERS}
    agency = _organisation(AGENCY)
    _city_cameras(agency)
    for spec, name, description, lat, lon, direction, vendor, model in PARTNER_CAMERAS:
        owner = _organisation(spec)
        if find_camera(owner, name) is None:
            register_camera(ACTOR, owner, name=name, location=Location(lat, lon, description), direction=direction,
                            fixed=True, vendor=vendor, model=model, installed_on=date(2026, 5, 18))
    today = utcnow().date()
    for username in ("demo-officer", "demo-alpr-admin", "demo-chief", "demo-records"):
        if access.latest_training(users[username]) is None:
            access.record_training(ACTOR, users[username], completed_on=today - timedelta(days=20),
                                   course="ALPR operator training and policy acknowledgement")
    for username in ("demo-officer", "demo-alpr-admin", "demo-chief", "demo-records"):
        if access.current_authorisation(users[username]) is None:
            access.authorise_officer(
                ACTOR, users[username], signed_by=users["demo-chief"], signed_on=today - timedelta(days=19),
                text=f"{users[username].display_name} is authorised to access ALPR data for legitimate, specified "
                     "and documented law enforcement purposes, under Minn. Stat. 13.824 subd. 7 and department policy.")
    for username in ("demo-partner-admin", "demo-business-owner"):
        if needs_to_accept_terms(users[username].organisation):  # they joined on the current terms
            accept_terms(users[username], users[username].organisation, version=current_terms().version)
    _notices_sent(users["demo-alpr-admin"])
    _hotlist_and_reads(users["demo-alpr-admin"], agency)
    _rogers_request(users["demo-agency-requester"])
    client_id = _records_client(creds, agency)
    return DemoNetwork([DemoLogin(u, role, creds["password"], creds["totp"].get(u)) for u, _, role, _ in USERS],
                       client_id, creds["client_secret"])


HOT_PLATE = "DEMO123"


def _notices_sent(sergeant: User) -> None:
    """The demo network's readers were installed months ago and the
    department told the BCA within the 10 days, as it must: a fresh demo
    starts without alarms that are not."""
    for camera in db.session.scalars(select(Camera).where(Camera.bca_notice_due_on.is_not(None),
                                                          Camera.bca_notice_sent_on.is_(None))):
        record_notice_sent(sergeant, camera, sent_on=min(camera.bca_notice_due_on - timedelta(days=5), utcnow().date()))


def _hotlist_and_reads(sergeant: User, agency: Organisation) -> None:
    """A manual hotlist entry and a day of reads on the city and HOA cameras,
    one of them a hit; made once (their read ids are fixed)."""
    if db.session.scalar(select(func.count()).select_from(Read).where(Read.camera_read_id.like("demo-%"))):
        return
    if not db.session.scalar(select(func.count()).select_from(HotlistEntry).where(HotlistEntry.plate == HOT_PLATE)):
        add_entry(sergeant, plate=HOT_PLATE, reason_category="stolen_vehicle", case_number="CPD-26-0117",
                  priority="high", expires_at=utcnow() + timedelta(days=60), non_encounter=False)
    now = utcnow()
    cameras = list(db.session.scalars(select(Camera).order_by(Camera.id)))
    for n, camera in enumerate(cameras):
        reads = [{"read_id": f"demo-{camera.id}-{k}", "plate": f"{chr(65 + (n + k) % 26)}{chr(66 + k % 24)}C{100 + k}",
                  "plate_state": "MN", "captured_at": (now - timedelta(minutes=97 * k + 11 * n)).isoformat(),
                  "confidence": 0.96} for k in range(12)]
        if camera.organisation_id == agency.id and n == 0:
            reads.append({"read_id": f"demo-{camera.id}-hit", "plate": HOT_PLATE, "plate_state": "MN",
                          "captured_at": (now - timedelta(minutes=5)).isoformat(), "confidence": 0.99})
        ingest_batch(camera, reads)


def _rogers_request(requester: User) -> None:
    """A written request from Rogers Police Department about the demo's
    hotlisted plate, waiting for an officer to prepare its search; made once."""
    from hub.data_requests.models import DataRequest
    from hub.data_requests.services import Asked, submit

    if db.session.scalar(select(func.count()).select_from(DataRequest)
                         .where(DataRequest.organisation_id == requester.organisation_id)):
        return
    now = utcnow()
    submit(requester, Asked(
        agency_name=requester.organisation.name, requester_name=requester.display_name,
        purpose="To find where the stolen vehicle was seen after it left Rogers.", offense_type="stolen_vehicle",
        factual_basis="The vehicle with this plate was reported stolen in Rogers; a witness saw it driven toward "
                      "Corcoran on County Road 116.",
        case_number="RPD-26-000418",
        authorization_statement="Chief of Police of the Rogers Police Department authorised this request.",
        plates=(HOT_PLATE,), window_start=now - timedelta(days=2), window_end=now - timedelta(minutes=1)))


def agency_client_url() -> str:
    """Where the demo agency's system (`hub demo agency-client`) is served:
    HUB_AGENCY_CLIENT_URL, or the hub's own address one port up."""
    configured = current_app.config.get("AGENCY_CLIENT_URL")
    if configured:
        return configured.rstrip("/")
    hub = urlsplit(current_app.config["BASE_URL"])
    return f"{hub.scheme}://{hub.hostname}:{(hub.port or 80) + 1}"


def _records_client(creds: dict, agency: Organisation) -> str:
    """The agency's records system, registered as the agency's OAuth client
    (its requests are bound to it), redirecting to wherever the demo agency
    client is served; its secret is kept with the demo logins."""
    redirect_uri = f"{agency_client_url()}/callback"
    existing = db.session.scalar(select(OAuthClient).where(OAuthClient.name == "Corcoran records system (demo)"))
    if existing is not None and "client_secret" in creds:
        if existing.redirect_uri_list != [redirect_uri]:
            set_redirect_uris(ACTOR, existing, [redirect_uri])
        return existing.client_id
    client, secret = create_client(ACTOR, name="Corcoran records system (demo)", redirect_uris=[redirect_uri],
                                   organisation=agency)
    creds.update(client_secret=secret, client_id=client.client_id)
    _credentials_path().write_text(json.dumps(creds))
    return client.client_id
