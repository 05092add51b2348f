"""Known settings, their defaults and their checks. Unknown keys are refused
so a typo never silently becomes configuration."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable

from hub.clock import utcnow
from hub.errors import ValidationFailed
from hub.extensions import db
from hub.identity.permissions import require_capability
from hub.identity.roles import Capability
from hub.ledger.services import record
from hub.settings.models import Setting


def _text(limit: int) -> Callable[[str], str | None]:
    return lambda v: None if len(v) <= limit else f"At most {limit} characters."


def _email(value: str) -> str | None:
    return None if not value or re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value) else "Not an e-mail address."


@dataclass(frozen=True)
class Definition:
    key: str
    label: str
    default: str
    check: Callable[[str], str | None]


DEFINITIONS = {d.key: d for d in (
    Definition("hub_display_name", "Name shown on every page", "", _text(120)),
    Definition("contact_email", "Contact e-mail for partners and the public", "", _email),
    Definition("transparency_notice", "Public notice, shown on the transparency pages", "",
               _text(4000)),
    Definition("alert_webhook_url", "Web address that receives every alert (signed; empty for none)", "",
               lambda v: None if not v or re.fullmatch(r"https?://\S+", v) else "Give an http(s) address."),
)}


def current_settings() -> dict[str, str]:
    stored = {s.key: s.value for s in db.session.scalars(db.select(Setting))}
    return {key: stored.get(key, d.default) for key, d in DEFINITIONS.items()}


def change_settings(actor: Any, changes: dict[str, str]) -> dict[str, str]:
    require_capability(actor, Capability.MANAGE_SETTINGS, action="setting.change")
    errors = {}
    for key, value in changes.items():
        definition = DEFINITIONS.get(key)
        if definition is None:
            errors[key] = [f"Unknown setting. Known: {', '.join(sorted(DEFINITIONS))}."]
        elif not isinstance(value, str):
            errors[key] = ["Give the value as text."]
        elif problem := definition.check(value.strip()):
            errors[key] = [problem]
    if errors:
        raise ValidationFailed(errors=errors)
    before = current_settings()
    for key, value in changes.items():
        value = value.strip()
        if before[key] == value:
            continue
        setting = db.session.get(Setting, key) or Setting(key=key)
        setting.value, setting.updated_at = value, utcnow()
        setting.updated_by_id = getattr(actor, "id", None)
        db.session.add(setting)
        db.session.flush()
        record("setting.changed", actor=actor, subject=setting, details={"from": before[key], "to": value})
    return current_settings()


def display_name() -> str:
    """The name every page shows: the setting when an administrator gave one,
    the configured name otherwise."""
    from flask import current_app
    from sqlalchemy.exc import SQLAlchemyError

    try:
        return current_settings().get("hub_display_name") or current_app.config["HUB_NAME"]
    except SQLAlchemyError:  # an error page while the database is unwell still has a title
        db.session.rollback()
        return current_app.config["HUB_NAME"]
