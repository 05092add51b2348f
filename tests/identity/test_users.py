"""User administration through pages and the CLI; refusals are ledgered."""
from sqlalchemy import select

from hub.extensions import db
from hub.identity.models import User
from hub.identity.roles import Role
from hub.ledger.models import LedgerEntry
from tests.conftest import PASSWORD, post_form, sign_in


def last_entry(app):
    with app.app_context():
        return db.session.scalars(select(LedgerEntry).order_by(LedgerEntry.id.desc())).first()


def test_hub_admin_creates_user_and_changes_role(app, make, client):
    admin = make.user("admin", Role.HUB_ADMIN, totp=True)
    agency = make.organisation()
    sign_in(client, "admin", totp_secret=admin.totp_secret)
    response = post_form(client, "/admin/users", {"username": "new-officer", "display_name": "New Officer",
                                                  "organisation_id": agency.id, "role": "officer",
                                                  "password": "a long enough password"})
    assert response.status_code == 302
    assert last_entry(app).action == "user.created"
    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.username == "new-officer"))
    changed = post_form(client, f"/admin/users/{user_id}/role", {"role-role": "records", "role-reason": "transfer"},
                        page=f"/admin/users/{user_id}")
    assert changed.status_code == 302
    entry = last_entry(app)
    assert (entry.action, entry.purpose, entry.details) == ("user.role_changed", "transfer",
                                                            '{"from":"officer","to":"records"}')


def test_bad_user_form_is_a_form_message_and_writes_nothing(app, make, client):
    admin = make.user("admin", Role.HUB_ADMIN, totp=True)
    agency = make.organisation()
    sign_in(client, "admin", totp_secret=admin.totp_secret)
    before = last_entry(app).id
    response = post_form(client, "/admin/users", {"username": "x", "display_name": "X", "organisation_id": agency.id,
                                                  "role": "partner_admin", "password": "short"})
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "cannot belong to a agency organisation" in text and "at least 12 characters" in text
    assert last_entry(app).id == before


def test_officer_cannot_change_roles_and_attempt_is_ledgered(app, make, client):
    make.user("ofc", Role.OFFICER)
    target = make.user("ofc2", Role.OFFICER)
    sign_in(client, "ofc")
    assert client.get("/admin/users").status_code == 403
    response = post_form(client, f"/admin/users/{target.id}/role", {"role-role": "chief", "role-reason": "promote me"},
                         page="/")
    assert response.status_code == 403
    entry = last_entry(app)
    assert entry.action == "user.role_change.refused" and entry.actor == "ofc"
    with app.app_context():
        assert db.session.get(User, target.id).role is Role.OFFICER


def test_chief_files_written_authorisation(app, make, client):
    chief = make.user("chief", Role.CHIEF, totp=True)
    officer = make.user("ofc", Role.OFFICER)
    sign_in(client, "chief", totp_secret=chief.totp_secret)
    response = post_form(client, f"/admin/users/{officer.id}/authorisation",
                         {"authorisation-text": "Officer ofc may access ALPR data.",
                          "authorisation-signed_on": "2026-01-05"}, page=f"/admin/users/{officer.id}")
    assert response.status_code == 302
    assert last_entry(app).action == "authorisation.granted"
    page = client.get(f"/admin/users/{officer.id}").get_data(as_text=True)
    assert "Officer ofc may access ALPR data." in page


def test_cli_creates_users(app, make, runner):
    make.organisation()
    result = runner.invoke(args=["users", "create", "--username", "cli-officer", "--role", "officer",
                                 "--organisation", "Corcoran Police Department", "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    bad = runner.invoke(args=["users", "create", "--username", "cli-officer", "--role", "officer",
                              "--organisation", "Corcoran Police Department", "--password", PASSWORD])
    assert bad.exit_code != 0 and "taken" in bad.output
    assert "cli-officer\tofficer" in runner.invoke(args=["users", "list"]).output
