"""Turning a service's error into form messages: the attempt is rolled back
and the page answers 422, so nothing half-done is committed."""
from __future__ import annotations

from flask import flash
from flask_wtf import FlaskForm

from hub.errors import HubError, ledger_refusal
from hub.extensions import db

FORM_ERROR_STATUS = 422


def apply_errors(form: FlaskForm, error: HubError, fields: dict[str, str] | None = None) -> int:
    """Put the error's messages on the form's fields (`fields` maps the names
    a rule or service uses to the form's). A refusal the law wants on record
    is ledgered here, as the error handler would have. A policy refusal is
    told in the rule's own plain words, with its citation, beside the field."""
    db.session.rollback()
    if error.refusal is not None:
        ledger_refusal(error.refusal, reason=error.message, errors=error.errors)
    placed = False
    errors = dict(error.errors) if isinstance(error.errors, dict) else {}
    for item in errors.pop("rules", []):
        if not isinstance(item, dict) or "cite" not in item:
            continue
        name = (fields or {}).get(item.get("field"), item.get("field"))
        text = f"{item.get('says') or item['message']} ({item['cite']})"
        field = getattr(form, name, None) if name else None
        if field is not None and hasattr(field, "errors"):
            field.errors = list(field.errors) + [text]
        else:
            flash(text, "error")
        placed = True
    for name, messages in errors.items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = list(field.errors) + list(messages if isinstance(messages, list) else [messages])
            placed = True
        else:
            for message in messages if isinstance(messages, list) else [messages]:
                flash(str(message), "error")
            placed = True
    if not placed:
        flash(error.message, "error")
    return FORM_ERROR_STATUS
