"""A locked account is closed to its tokens too, and sign-in answers every
refusal alike; HSTS whenever the hub runs with secure cookies."""
from datetime import timedelta

from hub.clock import utcnow
from hub.identity import tokens
from hub.identity.roles import Role
from hub.identity.services import find_user
from tests.conftest import build_app, sign_in
from tests.conftest import OPERATOR


def test_a_locked_accounts_tokens_stop_working_while_it_is_locked(app, make, run, client, frozen_clock):
    make.user("ofc", Role.OFFICER)
    secret = run(lambda: tokens.create_token(OPERATOR, find_user("ofc"), name="script")[1])
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    for _ in range(5):
        sign_in(client, "ofc", "not the password")
    locked = client.get("/api/v1/me", headers=headers)
    assert locked.status_code == 401 and locked.get_json()["code"] == "account_locked"
    frozen_clock.advance(timedelta(minutes=11))
    assert client.get("/api/v1/me", headers=headers).status_code == 200


def _answer(response):
    return response.status_code, response.get_data(as_text=True)


def test_locked_unknown_and_wrong_password_answer_alike(app, make, run, client):
    make.user("ofc", Role.OFFICER)
    make.user("lock", Role.OFFICER)

    def lock():
        find_user("lock").locked_until = utcnow() + timedelta(minutes=10)
    run(lock)
    wrong = _answer(sign_in(app.test_client(), "ofc", "not the password"))
    unknown = _answer(sign_in(app.test_client(), "nobody", "not the password"))
    locked_wrong = _answer(sign_in(app.test_client(), "lock", "not the password"))
    from tests.conftest import PASSWORD
    locked_right = _answer(sign_in(app.test_client(), "lock", PASSWORD))
    assert wrong[0] == unknown[0] == locked_wrong[0] == locked_right[0] == 200

    def message(page):
        return page[page.index('class="flash'):].split("</p>")[0]
    assert message(wrong[1]) == message(unknown[1]) == message(locked_wrong[1]) == message(locked_right[1])


def test_the_fifth_failure_does_not_say_the_account_exists(app, make, client):
    make.user("ofc", Role.OFFICER)
    known = [sign_in(app.test_client(), "ofc", "bad password!").get_data(as_text=True) for _ in range(5)]
    unknown = sign_in(app.test_client(), "nobody", "bad password!").get_data(as_text=True)
    assert len({page.split('class="flash')[1].split("</p>")[0] for page in known + [unknown]}) == 1


def test_locked_refusal_costs_a_password_hash(app, make, run, monkeypatch):
    from hub.identity import login
    make.user("lock", Role.OFFICER)
    calls = []
    real = login.verify_secret
    monkeypatch.setattr(login, "verify_secret", lambda stored, given: calls.append(1) or real(stored, given))

    def attempt():
        find_user("lock").locked_until = utcnow() + timedelta(minutes=10)
        return login.attempt_password("lock", "whatever")
    run(attempt)
    assert calls == [1]


def test_hsts_when_cookies_are_secure(app_config, client):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    secure = build_app({**app_config, "SESSION_COOKIE_SECURE": True})
    header = secure.test_client().get("/login").headers.get("Strict-Transport-Security")
    assert header == "max-age=31536000; includeSubDomains"
