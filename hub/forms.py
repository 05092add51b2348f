"""Turning a service's error into form messages: the attempt is rolled back
and the page answers 422, so nothing half-done is committed."""
from __future__ import annotations

from flask import flash
from flask_wtf import FlaskForm

from hub.errors import HubError
from hub.extensions import db

FORM_ERROR_STATUS = 422


def apply_errors(form: FlaskForm, error: HubError) -> int:
    db.session.rollback()
    placed = False
    if isinstance(error.errors, dict):
        for name, messages in error.errors.items():
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
