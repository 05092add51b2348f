"""RFC 6750 section 3: a 401 from a route that takes bearer tokens says how
to authenticate. With a token presented it is `Bearer error="invalid_token",
error_description="…"` (the description is the refusal's message); without
one, the bare `Bearer` challenge. Routes that set their own challenge (the
OAuth client endpoints ask for HTTP Basic) keep it."""
from __future__ import annotations

import re

from flask import Flask, request

REALM = "hub"
_UNSAFE = re.compile(r'[^\x20\x21\x23-\x5b\x5d-\x7e]')  # RFC 6750: no quote, no backslash, ASCII only


def _bearer_presented() -> bool:
    return request.headers.get("Authorization", "").lower().startswith("bearer ")


def challenge(response) -> str:
    if not _bearer_presented():
        return f'Bearer realm="{REALM}"'
    body = response.get_json(silent=True) if response.is_json else None
    message = body.get("message") if isinstance(body, dict) else None
    description = _UNSAFE.sub(" ", message or "The access token is not valid.")[:300]
    return f'Bearer realm="{REALM}", error="invalid_token", error_description="{description}"'


def init_app(app: Flask) -> None:
    @app.after_request
    def bearer_challenge(response):
        if response.status_code == 401 and "WWW-Authenticate" not in response.headers and (
                _bearer_presented() or request.path.startswith("/api/")):
            response.headers["WWW-Authenticate"] = challenge(response)
        return response
