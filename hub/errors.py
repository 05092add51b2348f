"""Errors are types: a service raises a HubError subclass and one handler
renders it, as JSON `{"code", "message", "errors"}` for the API and as a page
for people. A refused attempt that the law wants on record carries a
`Refusal`; the handler rolls the attempt back and ledgers the refusal alone."""
from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "too_many_requests",
    503: "service_unavailable",
}


@dataclass
class Refusal:
    """What to ledger when an attempt is refused: the action that was tried,
    by whom, on what, and why it was refused."""

    action: str
    actor: Any
    subject: Any = None
    details: dict = field(default_factory=dict)
    cameras: tuple[int, ...] = ()


class HubError(Exception):
    status = 400
    code = "bad_request"
    message = "The request could not be processed."
    headers: dict[str, str] | None = None  # e.g. an authentication challenge

    def __init__(self, message: str | None = None, *, errors: Any = None,
                 refusal: Refusal | None = None) -> None:
        super().__init__(message or self.message)
        self.message = message or self.message
        self.errors = errors or {}
        self.refusal = refusal


class NotFound(HubError):
    status = 404
    code = "not_found"
    message = "No such record."


class Forbidden(HubError):
    status = 403
    code = "forbidden"
    message = "Your role does not allow this."


class Unauthenticated(HubError):
    status = 401
    code = "unauthorized"
    message = "Sign in or present a valid bearer token."


class ValidationFailed(HubError):
    status = 422
    code = "validation_error"
    message = "Some fields are not valid."


class Conflict(HubError):
    status = 409
    code = "conflict"


BROWSER_PAGES = ("/oauth/authorize",)  # the partner's consent screen: a page, and a sign-in when signed out


def wants_json() -> bool:
    if request.path.startswith(("/api/", "/oauth/", "/.well-known/")) and request.path not in BROWSER_PAGES:
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


OAUTH_ENDPOINTS = ("/oauth/token", "/oauth/revoke", "/oauth/introspect")


def field_errors(errors: Any) -> dict:
    """`errors` in the one shape the API documents: an object that gives, by
    field, a list of messages (or facts), or for a nested field an object of
    the same shape. A lone value is a one-item list; a bare list is the body's."""
    if not errors:
        return {}
    if not isinstance(errors, dict):
        return {"body": errors if isinstance(errors, list) else [errors]}
    return {str(name): field_errors(value) if isinstance(value, dict) else value if isinstance(value, list)
            else [value] for name, value in errors.items()}


def error_response(status: int, code: str, message: str, errors: Any = None):
    errors = field_errors(errors)
    if request.path in OAUTH_ENDPOINTS:
        # RFC 6749 section 5.2, for OAuth clients, beside the hub's own fields.
        return {"error": code, "error_description": message, "code": code, "message": message,
                "errors": errors or {}}, status
    if wants_json():
        return {"code": code, "message": message, "errors": errors or {}}, status
    return render_template("error.html", status=status, code=code, message=message,
                           errors=errors or {}), status


def ledger_refusal(refusal: Refusal, *, reason: str, errors: Any = None) -> None:
    """Roll the attempt back and put the refusal on record on its own."""
    from hub.extensions import db
    from hub.ledger.services import record_refusal

    db.session.rollback()
    record_refusal(refusal, reason=reason, errors=errors or {})
    db.session.commit()


def _route_refusal() -> Refusal | None:
    """For a 403 that carries no refusal of its own (a page or route closed
    to the role): the signed-in person, the route and the method, so that
    every refusal of a known person is on record."""
    from flask_login import current_user

    from hub.identity.models import User

    try:
        user = current_user._get_current_object() if current_user.is_authenticated else None
    except HubError:
        return None  # a credential that was itself refused: not a person
    if not isinstance(user, User):
        return None
    return Refusal("route.open", user, None, {"endpoint": request.endpoint, "method": request.method,
                                              "path": request.path})


def handle_hub_error(error: HubError):
    from hub.extensions import db

    db.session.rollback()
    refusal = error.refusal or (_route_refusal() if error.status == 403 else None)
    if refusal is not None:
        ledger_refusal(refusal, reason=error.message, errors=error.errors)
    response = error_response(error.status, error.code, error.message, error.errors)
    return (*response, error.headers) if error.headers else response


def handle_http_exception(error: HTTPException):
    from hub.extensions import db

    db.session.rollback()
    data = getattr(error, "data", None) or {}
    errors = data.get("errors") or data.get("messages") or {}
    if isinstance(errors, dict) and set(errors) <= {"json", "query", "form", "files", "headers", "view_args"} \
            and len(errors) == 1:
        errors = next(iter(errors.values()))
    status = error.code or 500
    code = "csrf_failed" if isinstance(error, CSRFError) else STATUS_CODES.get(status, "error")
    message = data.get("message") or error.description or error.name
    refusal = _route_refusal() if status == 403 else None
    if refusal is not None:
        ledger_refusal(refusal, reason=message)
    response = error_response(status, code, message, errors)
    headers = data.get("headers") or {}
    if status == 405 and hasattr(error, "valid_methods") and error.valid_methods:
        headers = {**headers, "Allow": ", ".join(error.valid_methods)}
    return (*response, headers) if headers else response


def database_failure_response(error: Exception):
    """The 503 for a database that is down, restarting or too contended, or
    None for any other database error. Nothing here touches the database: a
    page is the plain one, without the navigation a person's role decides."""
    from sqlalchemy.exc import DBAPIError

    from hub.db_faults import as_hub_error
    from hub.extensions import db

    failure = as_hub_error(error)
    if failure is None:
        return None
    with suppress(DBAPIError):  # a broken connection is already invalidated and given back
        db.session.rollback()
    headers = failure.headers or {}
    if request.path in OAUTH_ENDPOINTS or wants_json():
        return (*error_response(failure.status, failure.code, failure.message), headers)
    # Straight from the template, without the context processors that would ask the database.
    page = current_app.jinja_env.get_template("database_unavailable.html").render(
        code=failure.code, message=failure.message, retry_after=headers.get("Retry-After"))
    return page, failure.status, headers


def handle_database_error(error: Exception):
    response = database_failure_response(error)
    if response is None:
        raise error  # a fault of the hub's own: the server error it is
    return response


def register_error_handlers(app: Flask) -> None:
    from sqlalchemy.exc import DBAPIError, TimeoutError as PoolTimeout

    app.register_error_handler(HubError, handle_hub_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(DBAPIError, handle_database_error)
    app.register_error_handler(PoolTimeout, handle_database_error)
