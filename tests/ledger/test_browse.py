"""The auditor reads the ledger in the browser, filters it, and verifies it."""
from sqlalchemy import select

from hub.extensions import db
from hub.identity.roles import Role
from hub.ledger.models import LedgerEntry
from hub.ledger.services import record
from hub.ledger.tree import seal_and_checkpoint
from tests.conftest import post_form, sign_in


def test_the_auditor_reads_filters_and_verifies(app, make, client, run):
    auditor = make.user("aud", Role.AUDITOR, totp=True)
    run(lambda: [record("camera.registered", actor=None) for _ in range(3)] and record("setting.changed", actor=None))
    run(seal_and_checkpoint)
    sign_in(client, "aud", totp_secret=auditor.totp_secret)
    page = client.get("/ledger").get_data(as_text=True)
    assert "Camera registered" in page and "Setting changed" in page and "the signed note" in page
    only = client.get("/ledger?action=setting.changed").get_data(as_text=True)
    assert "Setting changed" in only and "<code>camera.registered</code>" not in only
    verified = post_form(client, "/ledger", {}, page="/ledger")
    assert verified.status_code == 200 and "Intact" in verified.get_data(as_text=True)
    with app.app_context():
        actions = set(db.session.scalars(select(LedgerEntry.action)))
    assert {"ledger.browsed", "ledger.verified"} <= actions


def test_an_officer_cannot_read_the_ledger(app, make, client):
    make.user("ofc", Role.OFFICER, trained=True, authorised=True)
    sign_in(client, "ofc")
    assert client.get("/ledger").status_code == 403
