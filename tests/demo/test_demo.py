"""`hub demo load` builds the Corcoran network and is idempotent."""
from sqlalchemy import func, select

from hub.cameras.models import Camera, SharingMode
from hub.extensions import db
from hub.identity.models import Organisation, User
from hub.identity.roles import OrganisationKind, Role
from hub.ledger.models import LedgerEntry
from hub.ledger.verification import verify_ledger


def count(app, model):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_demo_load_is_idempotent_and_complete(app, runner):
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    entries = count(app, LedgerEntry)
    second = runner.invoke(args=["demo", "load"])
    assert second.exit_code == 0
    assert count(app, LedgerEntry) == entries
    assert (count(app, Organisation), count(app, User), count(app, Camera)) == (4, 9, 12)
    with app.app_context():
        roles = set(db.session.scalars(select(User.role)))
        assert roles == set(Role)
        for role in Role:
            assert f"demo-{role.value.replace('_', '-')}" in first.output
        city = db.session.scalars(select(Camera).join(Organisation).where(
            Organisation.name == "Corcoran Police Department")).all()
        assert len(city) == 9 and {c.sharing_mode for c in city} == {SharingMode.SHARED}
        assert {c.direction for c in city} == {"westbound", "northbound", "southbound", "eastbound"}
        assert all(45.0 < c.latitude < 45.2 and -93.6 < c.longitude < -93.45 for c in city)
        assert all(c.bca_notice_due_on is not None for c in city)
        from hub.cameras.bca import outstanding_notices
        assert outstanding_notices() == []  # a fresh demo raises no alarm that is not one
        partner = db.session.scalars(select(Camera).join(Organisation).where(
            Organisation.name != "Corcoran Police Department")).all()
        assert {c.sharing_mode for c in partner} == {SharingMode.PRIVATE}
        from partners.services import needs_to_accept_terms
        owners = db.session.scalars(select(Organisation).where(
            Organisation.kind.in_([OrganisationKind.HOA, OrganisationKind.BUSINESS]))).all()
        assert owners and not any(needs_to_accept_terms(o) for o in owners)  # no terms banner on a fresh demo
        assert verify_ledger() == []
        from hub.ledger.verification import unsealed_window
        assert unsealed_window().count == 0  # the demo ends sealed under a signed checkpoint
    assert "every entry is sealed" in runner.invoke(args=["ledger", "verify"]).output
    assert first.output.splitlines()[2:] == second.output.splitlines()[2:]


def test_demo_agency_requester_submits_and_follows_requests(app, runner):
    runner.invoke(args=["demo", "load"])
    with app.app_context():
        from hub.data_requests.models import RequestStatus
        from hub.data_requests.services import Asked, requests_of, submit
        from hub.identity.services import find_user
        requester = find_user("demo-agency-requester")
        [waiting] = requests_of(requester)
        assert waiting.status is RequestStatus.AWAITING_PREPARATION and waiting.organisation.name == \
            "Rogers Police Department"
        again = submit(requester, Asked(**{k: getattr(waiting, k) for k in (
            "agency_name", "requester_name", "purpose", "offense_type", "factual_basis", "case_number",
            "authorization_statement")}, plates=("DEMO12?",), window_start=waiting.window_start,
            window_end=waiting.window_end))
        assert again.status is RequestStatus.AWAITING_PREPARATION
        db.session.rollback()


def test_demo_officer_may_reach_data(app, runner, client):
    runner.invoke(args=["demo", "load"])
    with app.app_context():
        from hub.identity.access import data_access_decision
        from hub.identity.services import find_user
        assert data_access_decision(find_user("demo-officer")).allowed
        assert not data_access_decision(find_user("demo-partner-admin")).allowed


def test_the_agency_client_command_serves_beside_the_hub(tmp_path):
    """`hub demo agency-client`, as scripts/run starts it, keeps serving its page."""
    import os
    import subprocess
    import sys
    import time

    import requests

    from tests.conftest import free_port
    port = free_port()
    env = {**os.environ, "HUB_INSTANCE_PATH": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path}/hub.sqlite3",
           "HUB_BASE_URL": f"http://127.0.0.1:{free_port()}", "HUB_AGENCY_CLIENT_URL": f"http://127.0.0.1:{port}",
           "HUB_PASSWORD_HASH_PROFILE": "fast"}
    hub = os.path.join(os.path.dirname(sys.executable), "hub")
    made = subprocess.run([sys.executable, "-m", "hub.keys.bootstrap"], env=env, capture_output=True, text=True,
                          timeout=60)  # a new hub, started as scripts/run starts it
    assert made.returncode == 0 and "created its key-encryption key" in made.stdout
    for command in (["db", "upgrade"], ["demo", "load"]):
        assert subprocess.run([hub, *command], env=env, capture_output=True, timeout=300).returncode == 0
    client = subprocess.Popen([hub, "demo", "agency-client"], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline, page = time.monotonic() + 30, None
        while time.monotonic() < deadline and page is None:
            try:
                page = requests.get(f"http://127.0.0.1:{port}/", timeout=5)
            except requests.RequestException:
                time.sleep(0.3)
        assert page is not None and page.status_code == 200 and "Corcoran records system" in page.text
        assert client.poll() is None
    finally:
        client.kill()
        client.wait(timeout=10)
