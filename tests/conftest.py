"""Fixtures: an app on a migrated database (SQLite by default, PostgreSQL
when HUB_TEST_DATABASE_URL names one), clean tables for every test, a
controllable clock, and factories that build objects through services."""
from __future__ import annotations

import base64
import hashlib
import os
import re
import shutil
from datetime import date, timedelta

import pyotp
import pytest
from flask_migrate import upgrade
from sqlalchemy import delete, insert, text

from hub import create_app
from hub.clock import clock, utcnow
from hub.extensions import db
from hub.identity import access, services
from hub.identity.actors import operator
from hub.identity.models import Organisation, User
from hub.identity.roles import OrganisationKind, Role
from hub.hotlists.models import HotlistVersion
from hub.ledger.models import LedgerState
from hub.ledger.verifier import CHAIN_START

PASSWORD = "correct horse battery staple"
# The person at the command line, as the tests act when setting things up.
OPERATOR = operator("test")


def pytest_report_header(config):
    return f"database: {_database_url('<tmp>')}"


def _database_url(tmp: str) -> str:
    return os.environ.get("HUB_TEST_DATABASE_URL") or f"sqlite:///{tmp}/test.sqlite3"


# The suite's key-encryption key, the same for every run, so that a
# PostgreSQL database kept between runs still opens with it.
TEST_KEK = base64.urlsafe_b64encode(hashlib.sha256(b"alpr-hub test key-encryption key").digest()) + b"\n"


@pytest.fixture(scope="session")
def app_config(tmp_path_factory) -> dict:
    instance = tmp_path_factory.mktemp("instance")
    (instance / "data-kek").write_bytes(TEST_KEK)
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": _database_url(str(instance)),
        "SECRET_KEY": "test-only-secret-key",
        "PASSWORD_HASH_PROFILE": "fast",
        "LEDGER_SIGNING_KEY_PATH": str(instance / "ledger-key.pem"),
        "IMAGE_STORE_PATH": str(instance / "images"),
        "IMAGE_KEY_PATH": str(instance / "image-key"),
        "PLATE_HASH_KEY_PATH": str(instance / "plate-hash-key"),
        "WEBHOOK_KEY_PATH": str(instance / "webhook-key"),
        "DATA_KEK_PATH": str(instance / "data-kek"),
        "DATA_KEY_STORE_PATH": str(instance / "data-keys"),
        "INSTANCE": str(instance),
    }


def build_app(config: dict):
    application = create_app(dict(config))
    application.instance_path = config["INSTANCE"]
    return application


@pytest.fixture(scope="session")
def app(app_config):
    application = build_app(app_config)
    with application.app_context():
        upgrade()
    return application


@pytest.fixture
def served(app, app_config):
    """The hub as it serves, on the suite's database: a server error is
    answered (and logged), not raised into the test."""
    return build_app({**app_config, "PROPAGATE_EXCEPTIONS": False})


@pytest.fixture(autouse=True)
def _push_request_context():
    """pytest-flask pushes a request context around every test that uses
    `app`; client requests would then share its `g` and database session
    with the test. Tests here push contexts explicitly instead."""
    yield


def wipe(app) -> None:
    """Every table emptied (and the key store with them), as a test starts."""
    with app.app_context():
        if is_postgres(app):
            names = ", ".join(t.name for t in db.metadata.sorted_tables)
            db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(db.metadata.sorted_tables):
                db.session.execute(delete(table))
        db.session.execute(insert(LedgerState).values(id=1, size=0, chain_hash=CHAIN_START.hex()))
        db.session.execute(insert(HotlistVersion).values(id=1, version=0))
        db.session.commit()
        # The key store goes with the database it belongs to.
        shutil.rmtree(app.config["DATA_KEY_STORE_PATH"], ignore_errors=True)
        app.extensions["data_keys"].forget(list(app.extensions["data_keys"]._handles))


@pytest.fixture(autouse=True)
def _clean_database(app):
    wipe(app)
    yield
    clock.unfreeze()


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield
        db.session.rollback()


@pytest.fixture
def frozen_clock():
    clock.freeze()
    yield clock
    clock.unfreeze()


def free_port() -> int:
    """A port nobody listens on, for a server a test starts."""
    import socket
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def hub_process_env(app_config: dict, **extra: str) -> dict:
    """The environment of a `hub` command or server started by a test: the
    suite's database, instance and keys."""
    import os
    return {**os.environ, "DATABASE_URL": app_config["SQLALCHEMY_DATABASE_URI"],
            "HUB_INSTANCE_PATH": app_config["INSTANCE"], "SECRET_KEY": "test-process",
            "HUB_LEDGER_KEY": app_config["LEDGER_SIGNING_KEY_PATH"], "HUB_IMAGE_STORE": app_config["IMAGE_STORE_PATH"],
            "HUB_IMAGE_KEY": app_config["IMAGE_KEY_PATH"], "HUB_PLATE_HASH_KEY": app_config["PLATE_HASH_KEY_PATH"],
            "HUB_WEBHOOK_KEY": app_config["WEBHOOK_KEY_PATH"], "HUB_PASSWORD_HASH_PROFILE": "fast",
            "HUB_DATA_KEK_FILE": app_config["DATA_KEK_PATH"], "HUB_DATA_KEY_STORE": app_config["DATA_KEY_STORE_PATH"],
            "HUB_BASE_URL": "http://127.0.0.1:9", **extra}


def is_postgres(app) -> bool:
    return app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")


def stored_plates(reads) -> list[str]:
    """The plates of stored reads (or alerts), opened with their data keys as
    the hub's own jobs do: what was stored, for tests to check."""
    from hub.keys.services import plate_texts
    return plate_texts(list(reads), read_id=lambda row: row.sealed_read_id)


def stored_image(read, digest: str) -> bytes:
    """One of a stored read's images, opened with its data key."""
    from hub.keys.services import handles
    from hub.reads import images
    return images.get(digest, handles({read.key_id})[read.key_id])


# --- factories -------------------------------------------------------------

def make_organisation(name="Corcoran Police Department", kind=OrganisationKind.AGENCY, state="MN") -> Organisation:
    return services.find_organisation(name) or services.create_organisation(OPERATOR, name=name, kind=kind,
                                                                              state=state)


def make_user(username: str, role: Role, organisation: Organisation | None = None, *, trained: bool = False,
              authorised: bool = False, totp: bool = False) -> User:
    if organisation is None:
        kind = {Role.PARTNER_ADMIN: OrganisationKind.HOA,
                Role.AGENCY_REQUESTER: OrganisationKind.OUTSIDE_AGENCY}.get(role, OrganisationKind.AGENCY)
        organisation = make_organisation({OrganisationKind.HOA: "Test HOA",
                                          OrganisationKind.OUTSIDE_AGENCY: "Neighbour PD"}.get(kind,
                                          "Corcoran Police Department"), kind)
    user = services.create_user(OPERATOR, organisation=organisation, username=username, display_name=username,
                                role=role, password=PASSWORD)
    if trained:
        access.record_training(OPERATOR, user, completed_on=utcnow().date() - timedelta(days=5), course="ALPR training")
    if authorised:
        chief = services.find_user("test-chief") or make_user("test-chief", Role.CHIEF, organisation)
        access.authorise_officer(OPERATOR, user, text="Authorised in writing.", signed_on=utcnow().date(),
                                 signed_by=chief)
    if totp:
        user.totp_secret = pyotp.random_base32()
        user.totp_confirmed_at = utcnow()
    db.session.flush()
    return user


def make_partner(name="Test HOA", kind=OrganisationKind.HOA) -> Organisation:
    """An approved partner organisation, as the agency would leave it."""
    return make_organisation(name, kind)


def make_camera(organisation: Organisation, name: str = "Gate camera", *, fixed: bool = True,
                installed_on: date | None = None, latitude: float = 45.0952, longitude: float = -93.5476):
    from hub.cameras.services import Location, register_camera
    return register_camera(OPERATOR, organisation, name=name, location=Location(latitude, longitude, f"{name} site"),
                           direction="inbound", fixed=fixed, vendor="Flock Safety", model="Falcon",
                           installed_on=installed_on or utcnow().date())


def render_plate(text: str, *, font: str = "DejaVuSans-Bold.ttf", size: int = 40, angle: float = 0,
                 blur: float = 0, noise: float = 0, seed: int = 0, frame: bool = True) -> bytes:
    """A plate image made here, so OCR is tested without shipping images."""
    import io
    import random

    from PIL import Image, ImageDraw, ImageFilter, ImageFont
    face = ImageFont.truetype(f"/usr/share/fonts/truetype/dejavu/{font}", size)
    left, top, right, bottom = face.getbbox(text)
    image = Image.new("L", (right - left + size, bottom - top + size), 235)
    draw = ImageDraw.Draw(image)
    if frame:
        draw.rectangle([2, 2, image.width - 3, image.height - 3], outline=40, width=3)
    draw.text((size // 2 - left, size // 2 - top), text, font=face, fill=20)
    if angle:
        image = image.rotate(angle, expand=True, fillcolor=235, resample=Image.BICUBIC)
    if blur:
        image = image.filter(ImageFilter.GaussianBlur(blur))
    if noise:
        rnd, pixels = random.Random(seed), image.load()
        for _ in range(int(image.width * image.height * noise)):
            pixels[rnd.randrange(image.width), rnd.randrange(image.height)] = rnd.choice((0, 255))
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def camera_world(app):
    """The agency, a partner with a camera in each sharing mode, an active
    ingest credential for each, and a trained, authorised officer."""
    from hub.cameras.credentials import issue_credential
    from hub.cameras.models import SharingMode
    from hub.cameras.sharing import set_sharing_mode
    with app.app_context():
        agency = make_organisation()
        hoa = make_partner()
        owner = make_user("owner", Role.PARTNER_ADMIN, hoa)
        make_user("ofc", Role.OFFICER, agency, trained=True, authorised=True)
        cameras = {"city": make_camera(agency, "CR 30")}
        for mode in SharingMode:
            camera = make_camera(hoa, f"Gate {mode.value}")
            if mode is not SharingMode.PRIVATE:
                set_sharing_mode(owner, camera, mode, reason="setup")
            cameras[mode.value] = camera
        world = {name: {"id": c.id, "credential": issue_credential(OPERATOR, c)[1]} for name, c in cameras.items()}
        db.session.commit()
        return world


@pytest.fixture
def make(app):
    """Factories for tests that also drive the test client: each call runs in
    its own app context and commits, and the object comes back loaded but
    detached (a pushed context would be shared with the client's requests)."""
    class Factories:
        @staticmethod
        def user(*args, **kwargs) -> User:
            with app.app_context():
                user = make_user(*args, **kwargs)
                db.session.commit()
                db.session.refresh(user)
                user.organisation
                return user

        @staticmethod
        def camera(*args, **kwargs):
            with app.app_context():
                camera = make_camera(*args, **kwargs)
                db.session.commit()
                db.session.refresh(camera)
                camera.organisation
                return camera

        @staticmethod
        def organisation(*args, **kwargs) -> Organisation:
            with app.app_context():
                organisation = make_organisation(*args, **kwargs)
                db.session.commit()
                db.session.refresh(organisation)
                return organisation
    return Factories


@pytest.fixture
def run(app):
    """Run a function in a fresh app context and commit: `run(fill, 3)`."""
    def runner(fn, *args, **kwargs):
        with app.app_context():
            result = fn(*args, **kwargs)
            db.session.commit()
            return result
    return runner


# --- browser-session helpers --------------------------------------------------

def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or \
        re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "page has no CSRF token"
    return match.group(1)


def post_form(client, url: str, data: dict, *, page: str | None = None, **kwargs):
    token = csrf_from(client.get(page or url).get_data(as_text=True))
    return client.post(url, data={**data, "csrf_token": token}, **kwargs)


def sign_in(client, username: str, password: str = PASSWORD, totp_secret: str | None = None):
    response = post_form(client, "/login", {"username": username, "password": password})
    if totp_secret and response.status_code == 302 and "/login/second-factor" in response.location:
        code = pyotp.TOTP(totp_secret).at(utcnow())
        response = post_form(client, "/login/second-factor", {"code": code})
    return response


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# --- rule coverage ----------------------------------------------------------

def uncovered_rules() -> tuple[list[str], list[str]]:
    """Shipped rules never evaluated in this run, and those pending a
    capability the hub does not have yet, both as 'pack:rule (action)'."""
    from hub.policy import pending_actions
    from policies.engine import evaluated_rules
    from policies.loading import PACKS_DIR, load_pack_file

    evaluated = evaluated_rules()
    packs = [load_pack_file(path) for path in sorted(PACKS_DIR.glob("*/*.yaml"))]
    # A state rule an agency restates (only ever more strictly) is in force
    # as the agency's version: evaluating that one covers it.
    restated = {(pack.state, rule.id): pack.name for pack in packs if pack.kind == "agency" for rule in pack.rules}
    pending, missing = [], []
    for pack in packs:
        for rule in pack.rules:
            name = f"{pack.name}:{rule.id} ({rule.action})"
            agency = restated.get((pack.name, rule.id))
            if rule.action in pending_actions():
                pending.append(name)
            elif (pack.name, rule.id) not in evaluated and (agency, rule.id) not in evaluated:
                missing.append(name)
    return missing, pending


def pytest_sessionfinish(session, exitstatus):
    """The whole suite must evaluate every shipped rule: a rule nothing asks
    about is law left inert. Checked only on a full, passing run."""
    config = session.config
    full_run = config.args_source is pytest.Config.ArgsSource.TESTPATHS and not config.option.keyword \
        and not config.option.markexpr and not config.option.maxfail
    if exitstatus != 0 or not full_run:
        return
    missing, pending = uncovered_rules()
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    reporter.ensure_newline()
    reporter.write_line(f"policy rules pending their capability ({len(pending)}): {', '.join(pending)}")
    if missing:
        reporter.write_line(f"POLICY RULES NEVER EVALUATED ({len(missing)}): {', '.join(missing)}", red=True)
        session.exitstatus = 1
    else:
        reporter.write_line("every other shipped policy rule was evaluated by the suite")
