"""Which endpoints are rate-limited, and how: the four that anyone can hit
without credentials and that answer a failure (sign-in, the OAuth token
endpoint, the client's consent link, camera ingest). Only failed attempts
count against the limit, per client address (at ingest only a refused
credential: a camera whose reads are rejected is told why, not throttled); past it, every attempt from
that address is answered 429 with the hub's error body and `Retry-After`
until the window ends. The counters live in Redis when one is configured,
otherwise in the hub's database (`hub.ratelimit.storage`), so every hub
instance sees the same counts.

Failures answered 401 on these endpoints, and the 429s, are put on record
through `hub.ratelimit.failures`: one entry per kind and window."""
from __future__ import annotations

from flask import Flask, current_app, g, request

from hub.db import unit_of_work
from hub.extensions import limiter
from hub.ratelimit import storage  # noqa: F401  (registers the hubdb:// storage scheme)
from hub.ratelimit.failures import record_failure

MESSAGE = "Too many failed attempts from your address: wait and try again."


def attempt_failed(response) -> bool:
    """A failure counts against the limit: an error answer, or a page that
    turned the attempt away (a refused sign-in re-renders the form)."""
    return response.status_code >= 400 or bool(g.get("attempt_failed"))


def credential_refused(response) -> bool:
    return response.status_code == 401


# endpoint -> (the config key holding its limit, the method it applies to, what counts)
LIMITED_ENDPOINTS = {
    "identity.login": ("RATELIMIT_SIGN_IN", "POST", attempt_failed),
    "oauth.token": ("RATELIMIT_OAUTH_TOKEN", "POST", attempt_failed),
    "grants_api.ConsentLink": ("RATELIMIT_CONSENT_LINK", "POST", attempt_failed),
    "reads_api.Reads": ("RATELIMIT_INGEST_FAILURES", "POST", credential_refused),
}


def _limit_of(config_key: str):
    return lambda: current_app.config[config_key]


def ledger_failures(response):
    """After the request's own unit of work: a 429, or a 401 that nothing
    ledgered yet, on a limited endpoint, counted in its window."""
    if request.endpoint not in LIMITED_ENDPOINTS or request.method != "POST":
        return response
    if response.status_code == 429:
        action = "rate_limit.exceeded"
    elif response.status_code == 401 and not g.get("failure_recorded"):
        action = "authentication.failed"
    else:
        return response
    with unit_of_work():
        record_failure(action, subject=("endpoint", request.endpoint),
                       details={"endpoint": request.endpoint, "status": response.status_code})
    return response


def init_app(app: Flask) -> None:
    """Called before the request's unit of work is set up, so that the
    counters and the failure record are written after it has committed or
    rolled back (after-request functions run in reverse order)."""
    limiter.init_app(app)
    app.after_request(ledger_failures)


_ROUTE_LIMITS: dict = {}


def limit_endpoints(app: Flask) -> None:
    """Once every blueprint is registered: each view of `LIMITED_ENDPOINTS`
    wrapped in its limit (one limit object per endpoint, however many apps
    are made in one process), as `@limiter.limit` on the view would."""
    for endpoint, (config_key, method, counts) in LIMITED_ENDPOINTS.items():
        if endpoint not in _ROUTE_LIMITS:
            _ROUTE_LIMITS[endpoint] = limiter.limit(_limit_of(config_key), methods=[method],
                                                    deduct_when=counts, error_message=MESSAGE)
        app.view_functions[endpoint] = _ROUTE_LIMITS[endpoint](app.view_functions[endpoint])
