"""The request's unit of work and the protections every request gets.

A request that ends below 400 commits what its service did; anything else
rolls back, so a failed request never leaves half a record. Forms and
session-authenticated API calls need a CSRF token; calls carrying a bearer
token or client credentials do not (a cross-site page cannot set that header),
nor do the views marked `csrf.exempt` (the OAuth endpoints that clients
authenticate to in the request body, RFC 6749 section 2.3.1)."""
from __future__ import annotations

from flask import Flask, request

from hub.extensions import csrf, db


def _carries_credentials() -> bool:
    """A bearer token or a client's HTTP Basic credentials: what a cross-site
    page cannot add to a request (the hub never asks browsers for Basic auth)."""
    return request.headers.get("Authorization", "").lower().startswith(("bearer ", "basic "))


def init_app(app: Flask) -> None:
    @app.before_request
    def protect_against_csrf():
        if request.method in ("POST", "PUT", "PATCH", "DELETE") and not _carries_credentials() \
                and not getattr(app.view_functions.get(request.endpoint), "signed_body", False):
            csrf.protect(apply_exemptions=True)

    @app.after_request
    def finish_unit_of_work(response):
        if response.status_code < 400:
            db.session.commit()
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
            db.session.rollback()
