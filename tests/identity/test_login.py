"""Signing in: lockout, second factor for privileged roles, idle timeout, CSRF."""
from datetime import timedelta

import pyotp
from sqlalchemy import select

from hub.clock import utcnow
from hub.extensions import db
from hub.identity.models import User
from hub.identity.roles import Role
from hub.ledger.models import LedgerEntry, LedgerPrivateDetail
from tests.conftest import PASSWORD, csrf_from, post_form, sign_in


def actions(app):
    with app.app_context():
        return list(db.session.scalars(select(LedgerEntry.action).order_by(LedgerEntry.id)))


def test_officer_signs_in_and_reaches_home(app, make, client):
    make.user("ofc", Role.OFFICER)
    response = sign_in(client, "ofc")
    assert response.status_code == 302 and response.location == "/"
    assert "Welcome, ofc" in client.get("/").get_data(as_text=True)
    assert actions(app)[-1] == "login.succeeded"


def test_wrong_password_is_refused_and_ledgered(app, make, client):
    make.user("ofc", Role.OFFICER)
    response = sign_in(client, "ofc", "not the password")
    assert response.status_code == 200
    assert "Wrong username or password." in response.get_data(as_text=True)
    assert client.get("/").status_code == 302
    assert actions(app)[-1] == "login.failed"


def test_unknown_username_is_ledgered_without_it_in_clear(app, client):
    sign_in(client, "nobody-here", "whatever password")
    with app.app_context():
        entry = db.session.scalars(select(LedgerEntry).order_by(LedgerEntry.id.desc())).first()
        assert entry.action == "login.failed" and "nobody-here" not in entry.details
        assert "nobody-here" in db.session.get(LedgerPrivateDetail, entry.id).content


def test_five_failures_lock_the_account_for_ten_minutes(app, make, client, frozen_clock):
    make.user("ofc", Role.OFFICER)
    for _ in range(4):
        assert "Wrong username" in sign_in(client, "ofc", "bad password!").get_data(as_text=True)
    fifth = sign_in(client, "ofc", "bad password!").get_data(as_text=True)
    assert "locked for 10 minutes" in fifth
    refused = sign_in(client, "ofc").get_data(as_text=True)
    assert "locked" in refused and client.get("/").status_code == 302
    assert actions(app)[-1] == "login.refused_locked"
    frozen_clock.advance(timedelta(minutes=9))
    assert sign_in(client, "ofc").status_code == 200
    frozen_clock.advance(timedelta(minutes=2))
    assert sign_in(client, "ofc").status_code == 302
    assert client.get("/").status_code == 200


def test_privileged_role_must_enrol_a_second_factor(app, make, client):
    make.user("chief", Role.CHIEF)
    response = sign_in(client, "chief")
    assert response.location == "/login/enrol"
    assert client.get("/").status_code == 302  # not signed in yet
    page = client.get("/login/enrol").get_data(as_text=True)
    assert "<svg" in page
    with app.app_context():
        secret = db.session.scalar(select(User).where(User.username == "chief")).totp_secret
    wrong = post_form(client, "/login/enrol", {"code": "000000"})
    assert wrong.status_code == 422 and "does not match" in wrong.get_data(as_text=True)
    done = post_form(client, "/login/enrol", {"code": pyotp.TOTP(secret).at(utcnow())})
    assert "recovery codes" in done.get_data(as_text=True)
    assert client.get("/").status_code == 200
    assert "second_factor.enrolled" in actions(app)


def test_second_factor_required_and_not_replayable(app, make, client, frozen_clock):
    user = make.user("aud", Role.AUDITOR, totp=True)
    assert sign_in(client, "aud").location.startswith("/login/second-factor")
    assert client.get("/").status_code == 302
    bad = post_form(client, "/login/second-factor", {"code": "123456"})
    assert "not valid" in bad.get_data(as_text=True)
    code = pyotp.TOTP(user.totp_secret).at(utcnow())
    assert post_form(client, "/login/second-factor", {"code": code}).status_code == 302
    assert client.get("/").status_code == 200
    post_form(client, "/logout", {}, page="/")
    sign_in(client, "aud")
    replay = post_form(client, "/login/second-factor", {"code": code})
    assert replay.status_code == 200 and "not valid" in replay.get_data(as_text=True)


def test_recovery_code_works_once(app, make, client):
    make.user("admin", Role.HUB_ADMIN)
    sign_in(client, "admin")
    client.get("/login/enrol")
    with app.app_context():
        secret = db.session.scalar(select(User).where(User.username == "admin")).totp_secret
    page = post_form(client, "/login/enrol", {"code": pyotp.TOTP(secret).at(utcnow())}).get_data(as_text=True)
    import re
    codes = re.findall(r"<li>([a-z0-9]{5}-[a-z0-9]{5})</li>", page)
    assert len(codes) == 10
    post_form(client, "/logout", {}, page="/")
    sign_in(client, "admin")
    assert post_form(client, "/login/second-factor", {"code": codes[0]}).status_code == 302
    post_form(client, "/logout", {}, page="/")
    sign_in(client, "admin")
    assert post_form(client, "/login/second-factor", {"code": codes[0]}).status_code == 200
    assert "second_factor.recovery_code_used" in actions(app)


def test_session_ends_after_thirty_idle_minutes(app, make, client, frozen_clock):
    make.user("ofc", Role.OFFICER)
    sign_in(client, "ofc")
    frozen_clock.advance(timedelta(minutes=29))
    assert client.get("/").status_code == 200
    frozen_clock.advance(timedelta(minutes=29))
    assert client.get("/").status_code == 200  # activity keeps it alive
    frozen_clock.advance(timedelta(minutes=31))
    response = client.get("/")
    assert response.status_code == 302 and response.location.startswith("/login")
    assert "without activity" in client.get("/login").get_data(as_text=True)
    assert client.get("/api/v1/me").status_code == 401


def test_forms_without_csrf_token_are_refused(app, make, client):
    make.user("ofc", Role.OFFICER)
    response = client.post("/login", data={"username": "ofc", "password": PASSWORD})
    assert response.status_code == 400 and "csrf_failed" in response.get_data(as_text=True)
    sign_in(client, "ofc")
    api = client.patch("/api/v1/settings", json={"hub_display_name": "x"})
    assert api.status_code == 400 and api.get_json()["code"] == "csrf_failed"


def test_logout_is_ledgered_and_ends_the_session(app, make, client):
    make.user("ofc", Role.OFFICER)
    sign_in(client, "ofc")
    token = csrf_from(client.get("/").get_data(as_text=True))
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/").status_code == 302
    assert actions(app)[-1] == "logout"


def test_the_sign_in_redirect_keeps_the_page_without_a_stray_question_mark(client):
    answer = client.get("/cameras")
    assert answer.status_code == 302 and answer.location.endswith("/login?next=/cameras")
    assert client.get("/cameras?page=2").location.endswith("/login?next=/cameras?page%3D2")
