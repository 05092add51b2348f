"""Personal API tokens: shown once, stored hashed, scoped, expiring, revocable."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from hub.extensions import db
from hub.identity import tokens
from hub.identity.errors import IdentityInvalid
from hub.identity.models import ApiToken
from hub.identity.roles import Role
from tests.conftest import make_user, post_form, sign_in
from tests.conftest import OPERATOR


def bearer(value):
    return {"Authorization": f"Bearer {value}"}


def test_token_is_stored_hashed_and_works(app, run, make, client):
    make.user("aud", Role.AUDITOR)
    token, secret = run(lambda: (lambda t: (t[0].id, t[1]))(tokens.create_token(OPERATOR, user_in_ctx("aud"), name="script")))
    with app.app_context():
        row = db.session.get(ApiToken, token)
        assert secret.split("_")[-1] not in (row.secret_hash, row.lookup) and row.scopes == "cameras:read ledger:read profile:read"
    me = client.get("/api/v1/me", headers=bearer(secret))
    assert me.status_code == 200 and me.get_json()["user"]["username"] == "aud"


def user_in_ctx(username):
    from hub.identity.services import find_user
    return find_user(username)


@pytest.mark.parametrize("value, code", [
    ("hubpat_short", "invalid_token"),
    ("not a token at all", "invalid_token"),
    ("hubpat_AAAAAAAAAAAAAAAA_" + "x" * 43, "invalid_token"),
])
def test_malformed_or_unknown_tokens_get_401_json(client, value, code):
    response = client.get("/api/v1/me", headers=bearer(value))
    assert response.status_code == 401
    assert response.get_json() == {"code": code, "message": response.get_json()["message"], "errors": {}}


def test_expired_and_revoked_tokens_are_refused(app, run, make, client, frozen_clock):
    make.user("ofc", Role.OFFICER)
    first = run(lambda: tokens.create_token(OPERATOR, user_in_ctx("ofc"), name="a", expires_in_days=1)[1])
    second = run(lambda: tokens.create_token(OPERATOR, user_in_ctx("ofc"), name="b")[1])
    assert client.get("/api/v1/me", headers=bearer(first)).status_code == 200
    frozen_clock.advance(timedelta(days=1, seconds=1))
    expired = client.get("/api/v1/me", headers=bearer(first))
    assert expired.status_code == 401 and expired.get_json()["code"] == "token_expired"
    run(lambda: tokens.revoke_token(OPERATOR, db.session.scalar(select(ApiToken).where(ApiToken.name == "b"))))
    revoked = client.get("/api/v1/me", headers=bearer(second))
    assert revoked.status_code == 401 and revoked.get_json()["code"] == "token_revoked"


def test_scopes_never_exceed_the_role(ctx):
    officer = make_user("ofc", Role.OFFICER)
    with pytest.raises(IdentityInvalid) as refused:
        tokens.create_token(OPERATOR, officer, name="x", scopes=["ledger:read"])
    assert "ledger:read" in refused.value.errors["scopes"][0]
    with pytest.raises(IdentityInvalid):
        tokens.create_token(OPERATOR, officer, name="x", expires_in_days=400)


def test_token_without_scope_is_refused_403(app, run, make, client):
    make.user("aud", Role.AUDITOR)
    secret = run(lambda: tokens.create_token(OPERATOR, user_in_ctx("aud"), name="x", scopes=["profile:read"])[1])
    response = client.get("/api/v1/ledger/entries/1/proof", headers=bearer(secret))
    assert response.status_code == 403 and response.get_json()["code"] == "insufficient_scope"


def test_only_owner_or_hub_admin_revokes(ctx):
    owner = make_user("ofc", Role.OFFICER)
    other = make_user("ofc2", Role.OFFICER)
    token, _ = tokens.create_token(owner, owner, name="mine")
    from hub.errors import Forbidden
    with pytest.raises(Forbidden):
        tokens.revoke_token(other, token)
    assert tokens.revoke_token(owner, token).revoked_at is not None


def test_cli_prints_token_alone_on_last_line(app, run, make, runner, client):
    make.user("aud", Role.AUDITOR)
    result = runner.invoke(args=["tokens", "create", "--user", "aud", "--scope", "ledger:read"])
    assert result.exit_code == 0
    secret = result.output.strip().splitlines()[-1]
    assert tokens.TOKEN_PATTERN.match(secret)
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 403  # no profile:read asked
    bad = runner.invoke(args=["tokens", "create", "--user", "aud", "--scope", "settings:manage"])
    assert bad.exit_code != 0 and "cannot hold" in bad.output
    assert runner.invoke(args=["tokens", "create", "--user", "ghost"]).exit_code != 0


def test_token_page_shows_secret_once_and_revokes(app, make, client):
    make.user("ofc", Role.OFFICER)
    sign_in(client, "ofc")
    created = post_form(client, "/account/tokens", {"name": "laptop script", "expires_in_days": "30",
                                                    "scopes": ["profile:read"]})
    page = created.get_data(as_text=True)
    import re
    secret = re.search(r'id="new-token">([^<]+)<', page).group(1)
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 200
    listing = client.get("/account/tokens").get_data(as_text=True)
    assert secret not in listing and "laptop script" in listing
    with app.app_context():
        token_id = db.session.scalar(select(ApiToken.id))
    post_form(client, f"/account/tokens/{token_id}/revoke", {}, page="/account/tokens")
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 401
    invalid = post_form(client, "/account/tokens", {"name": "", "expires_in_days": "900"})
    assert invalid.status_code == 422
