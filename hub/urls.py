"""Absolute addresses of the hub's own pages, built on the configured
HUB_BASE_URL: a forged Host header never reaches a link, an e-mail, a proof
or the OAuth issuer."""
from __future__ import annotations

from flask import current_app, url_for


def absolute_url(endpoint: str, **values) -> str:
    return current_app.config["BASE_URL"].rstrip("/") + url_for(endpoint, **values)
