"""The hub behind a TLS-terminating proxy, set up as docs/operations.md
says (`HUB_TRUSTED_PROXIES=1`, `HUB_SECURE_COOKIES=1`, `HUB_BASE_URL`):
the scheme comes from `X-Forwarded-Proto`, so a sign-in over HTTPS gets a
Secure cookie and HSTS, and forms pass the CSRF check's same-host referrer
test only when the proxy passes the public `Host` through."""
import pytest

from hub.identity.roles import Role
from tests.conftest import build_app, csrf_from

PUBLIC = "alpr.example.gov"
FORWARDED = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}


@pytest.fixture
def proxied(app_config):
    return build_app({**app_config, "TRUSTED_PROXIES": 1, "SESSION_COOKIE_SECURE": True,
                      "BASE_URL": f"https://{PUBLIC}"})


def sign_in_through_the_proxy(proxied, host: str):
    client = proxied.test_client()
    page = client.get("/login", base_url=f"http://{host}", headers=FORWARDED)
    return client.post("/login", base_url=f"http://{host}", data={
        "username": "ofc", "password": "correct horse battery staple",
        "csrf_token": csrf_from(page.get_data(as_text=True))},
        headers={**FORWARDED, "Referer": f"https://{PUBLIC}/login"})


def test_a_sign_in_over_https_at_the_proxy_gets_a_secure_cookie(proxied, make):
    make.user("ofc", Role.OFFICER, trained=True, authorised=True)
    answer = sign_in_through_the_proxy(proxied, PUBLIC)
    assert answer.status_code == 302
    assert "Secure" in answer.headers["Set-Cookie"]
    assert answer.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_a_proxy_that_rewrites_the_host_fails_every_form(proxied, make):
    make.user("ofc", Role.OFFICER, trained=True, authorised=True)
    answer = sign_in_through_the_proxy(proxied, "10.0.0.11:8000")
    assert answer.status_code == 400
    assert "referrer does not match" in answer.get_data(as_text=True).lower()


def test_without_trusted_proxies_the_forwarded_scheme_is_ignored(app_config, make):
    direct = build_app({**app_config, "TRUSTED_PROXIES": 0, "BASE_URL": f"https://{PUBLIC}"})
    make.user("ofc", Role.OFFICER, trained=True, authorised=True)
    client = direct.test_client()
    page = client.get("/login", base_url=f"http://{PUBLIC}", headers=FORWARDED)
    answer = client.post("/login", base_url=f"http://{PUBLIC}", data={
        "username": "ofc", "password": "correct horse battery staple",
        "csrf_token": csrf_from(page.get_data(as_text=True))},
        headers={**FORWARDED, "Referer": "https://elsewhere.example/"})
    assert answer.status_code == 302  # plain HTTP as far as the hub knows: no HTTPS referrer check
