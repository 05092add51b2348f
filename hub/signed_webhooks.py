"""Signed webhooks, one way for every one the hub sends: JSON posted to an
http(s) address, signed with HMAC-SHA256 (header `X-Hub-Signature-256:
sha256=<hex>` over the exact body). The hub's key is kept in `instance/`;
the agency's own systems (alerts) verify with it, and each OAuth client
gets a key of its own derived from it, so no client can sign as another or
as the hub."""
from __future__ import annotations

import hashlib
import hmac
import os
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta
from typing import Callable

from flask import current_app
from sqlalchemy import select

from hub.clock import utcnow
from hub.extensions import db
from hub.instance_keys import read_or_create

TIMEOUT_SECONDS = 5
MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=1)


def retry_after(attempts: int) -> timedelta:
    """Exponential back-off after `attempts` failed deliveries."""
    return min(FIRST_RETRY * 2 ** (attempts - 1), LONGEST_WAIT)


def due(model) -> list:
    """The deliveries of `model` (a table of attempts, delivered_at and
    next_attempt_at) whose next attempt has come, oldest first, 100 a run."""
    return db.session.scalars(select(model).where(
        model.delivered_at.is_(None), model.attempts < MAX_ATTEMPTS, model.next_attempt_at <= utcnow())
        .order_by(model.id).limit(100)).all()


def attempt(delivery, send: Callable[[], None]) -> bool:
    """One attempt at a delivery: True when it went; otherwise the error is
    kept and the next attempt put back by the back-off."""
    now = utcnow()
    delivery.attempts += 1
    try:
        send()
    except (urllib.error.URLError, OSError, ValueError) as error:
        delivery.next_attempt_at = now + retry_after(delivery.attempts)
        delivery.last_error = str(error)[:500]
        return False
    delivery.delivered_at = now
    return True


def signing_key() -> bytes:
    """The shared secret the agency's receivers verify with (hex text in the key file)."""
    return read_or_create(current_app.config["WEBHOOK_KEY_PATH"], lambda: os.urandom(32).hex().encode()).strip()


def client_key(client_id: str) -> bytes:
    """The key a client verifies the hub's webhooks to it with: derived, so
    it is never stored, and shown to the client once when it registers."""
    return hmac.new(signing_key(), f"client-webhook:{client_id}".encode(), hashlib.sha256).hexdigest().encode()


def signature(body: bytes, key: bytes | None = None) -> str:
    return "sha256=" + hmac.new(key or signing_key(), body, hashlib.sha256).hexdigest()


def verify(body: bytes, header: str | None, key: bytes) -> bool:
    return bool(header) and hmac.compare_digest(signature(body, key), header)


def post(url: str, body: bytes, delivery_id: int, key: bytes | None = None, headers: dict | None = None) -> None:
    """Deliver once; any failure raises (URLError, OSError, ValueError)."""
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise urllib.error.URLError("a webhook address must be http(s)")
    request = urllib.request.Request(url, data=body, method="POST", headers={
        **(headers or {}), "Content-Type": "application/json", "X-Hub-Signature-256": signature(body, key),
        "X-Hub-Delivery": str(delivery_id), "User-Agent": "alpr-partner-hub"})
    # The scheme is checked above (http or https only), so bandit's B310 does not apply.
    with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # nosec B310
        if not 200 <= response.status < 300:
            raise urllib.error.HTTPError(url, response.status, "not accepted", response.headers, None)
