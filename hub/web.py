"""The request's unit of work and the protections every request gets.

A request that ends below 400 commits what its service did; anything else
rolls back, so a failed request never leaves half a record. Forms and
session-authenticated API calls need a CSRF token; calls carrying a bearer
token or client credentials do not (a cross-site page cannot set that header),
nor do the views marked `csrf.exempt` (the OAuth endpoints that clients
authenticate to in the request body, RFC 6749 section 2.3.1). An API call
without a signed-in session has no session to forge, and a request that
names no route has nothing to protect: they are answered by authentication
(401) and routing (404, 405), not by a CSRF failure."""
from __future__ import annotations

from contextlib import suppress

from flask import Flask, current_app, request
from flask_login import current_user
from sqlalchemy.exc import DBAPIError, TimeoutError as PoolTimeout

from hub.errors import database_failure_response
from hub.extensions import csrf, db


def _carries_credentials() -> bool:
    """A bearer token or a client's HTTP Basic credentials: what a cross-site
    page cannot add to a request (the hub never asks browsers for Basic auth)."""
    return request.headers.get("Authorization", "").lower().startswith(("bearer ", "basic "))


def _needs_csrf_token() -> bool:
    if request.method not in ("POST", "PUT", "PATCH", "DELETE") or request.routing_exception is not None:
        return False
    if _carries_credentials() or getattr(current_app.view_functions.get(request.endpoint), "signed_body", False):
        return False
    return not request.path.startswith("/api/") or current_user.is_authenticated


def init_app(app: Flask) -> None:
    @app.before_request
    def protect_against_csrf():
        if _needs_csrf_token():
            csrf.protect(apply_exemptions=True)

    @app.after_request
    def finish_unit_of_work(response):
        if response.status_code < 400:
            try:
                db.session.commit()
            except (DBAPIError, PoolTimeout) as error:
                # The commit itself failed: nothing was written, and the caller
                # hears 503 when the database was lost, not a 500.
                with suppress(DBAPIError):
                    db.session.rollback()
                failure = database_failure_response(error)
                if failure is None:
                    raise
                return app.make_response(failure)
        else:
            db.session.rollback()
        return response

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Content-Security-Policy",
                                    "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'")
        if app.config["SESSION_COOKIE_SECURE"]:
            # Secure cookies mean the hub is served over HTTPS: browsers must not
            # fall back to plain HTTP, where the session cookie would not go.
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if request.path.startswith("/api/") or response.mimetype == "text/html":
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.teardown_request
    def rollback_on_exception(exc):
        if exc is not None:
            with suppress(DBAPIError):  # a connection lost with the database is already given back
                db.session.rollback()
