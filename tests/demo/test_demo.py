"""`hub demo load` builds the Corcoran network and is idempotent."""
from sqlalchemy import func, select

from hub.cameras.models import Camera, SharingMode
from hub.extensions import db
from hub.identity.models import Organisation, User
from hub.identity.roles import Role
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
        partner = db.session.scalars(select(Camera).join(Organisation).where(
            Organisation.name != "Corcoran Police Department")).all()
        assert {c.sharing_mode for c in partner} == {SharingMode.PRIVATE}
        assert verify_ledger() == []
        from hub.ledger.verification import unsealed_window
        assert unsealed_window().count == 0  # the demo ends sealed under a signed checkpoint
    assert "every entry is sealed" in runner.invoke(args=["ledger", "verify"]).output
    assert first.output.splitlines()[2:] == second.output.splitlines()[2:]


def test_demo_officer_may_reach_data(app, runner, client):
    runner.invoke(args=["demo", "load"])
    with app.app_context():
        from hub.identity.access import data_access_decision
        from hub.identity.services import find_user
        assert data_access_decision(find_user("demo-officer")).allowed
        assert not data_access_decision(find_user("demo-partner-admin")).allowed
