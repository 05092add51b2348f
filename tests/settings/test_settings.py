"""Settings change through the page, the API and the CLI, each ledgered
with old and new values; bad values are refused whole."""
import json

from sqlalchemy import select

from hub.extensions import db
from hub.identity import tokens
from hub.identity.roles import Role
from hub.identity.services import find_user
from hub.ledger.models import LedgerEntry
from tests.conftest import post_form, sign_in
from tests.conftest import OPERATOR


def setting_entries(app):
    with app.app_context():
        return [json.loads(e.details) | {"key": e.subject_id}
                for e in db.session.scalars(select(LedgerEntry).where(LedgerEntry.action == "setting.changed"))]


def test_page_changes_are_ledgered(app, make, client):
    admin = make.user("admin", Role.HUB_ADMIN, totp=True)
    sign_in(client, "admin", totp_secret=admin.totp_secret)
    response = post_form(client, "/admin/settings", {"hub_display_name": "Corcoran hub",
                                                     "contact_email": "", "transparency_notice": ""})
    assert response.status_code == 302
    assert setting_entries(app) == [{"from": "", "to": "Corcoran hub", "key": "hub_display_name"}]
    bad = post_form(client, "/admin/settings", {"hub_display_name": "Other", "contact_email": "not-an-email",
                                                "transparency_notice": ""})
    assert bad.status_code == 422 and "Not an e-mail address." in bad.get_data(as_text=True)
    assert len(setting_entries(app)) == 1  # nothing of the bad submission was saved


def test_api_with_token_and_validation(app, make, run, client):
    make.user("admin", Role.HUB_ADMIN)
    secret = run(lambda: tokens.create_token(OPERATOR, find_user("admin"), name="ops")[1])
    headers = {"Authorization": f"Bearer {secret}"}
    ok = client.patch("/api/v1/settings", json={"contact_email": "alpr@corcoran.example"}, headers=headers)
    assert ok.status_code == 200 and ok.get_json()["contact_email"] == "alpr@corcoran.example"
    unknown = client.patch("/api/v1/settings", json={"retention_days": "90"}, headers=headers)
    assert unknown.status_code == 422
    assert unknown.get_json()["code"] == "validation_error" and "retention_days" in unknown.get_json()["errors"]
    assert client.get("/api/v1/settings", headers=headers).get_json()["contact_email"] == "alpr@corcoran.example"


def test_other_roles_may_not_change_settings(app, make, client):
    make.user("ofc", Role.OFFICER)
    sign_in(client, "ofc")
    assert client.get("/admin/settings").status_code == 403
    response = client.get("/api/v1/settings")
    assert response.status_code == 403 and response.get_json()["code"] == "insufficient_scope"


def test_cli_sets_and_refuses(app, runner):
    assert runner.invoke(args=["settings", "set", "hub_display_name", "Corcoran"]).exit_code == 0
    assert "hub_display_name = Corcoran" in runner.invoke(args=["settings", "list"]).output
    bad = runner.invoke(args=["settings", "set", "nope", "x"])
    assert bad.exit_code != 0 and "Unknown setting" in bad.output
    assert setting_entries(app)[0]["to"] == "Corcoran"


def test_the_hub_name_setting_is_what_every_page_shows(app, make, client, run):
    from hub.settings.services import change_settings
    admin = make.user("admin", Role.HUB_ADMIN, totp=True)
    sign_in(client, "admin", totp_secret=admin.totp_secret)
    form = client.get("/admin/settings").get_data(as_text=True)
    assert 'value="Corcoran ALPR partner hub"' in form  # the form opens with the name in use
    run(lambda: change_settings(OPERATOR, {"hub_display_name": "Corcoran Partner Cameras"}))
    page = client.get("/").get_data(as_text=True)
    assert "<title>Corcoran Partner Cameras</title>" in page and 'class="brand"' in page
