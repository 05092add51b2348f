"""How a request gets its user: the browser session (with the 30-minute idle
limit and the second-factor step) or a bearer token; and the decorators that
views use to ask for a signed-in user, a capability or a token scope."""
from __future__ import annotations

from datetime import datetime, timedelta
from functools import wraps

from flask import Flask, flash, g, redirect, request, session, url_for
from flask_login import current_user, login_user, logout_user

from hub.api import USER, authenticated_by, view_function
from hub.clock import utcnow
from hub.errors import Forbidden, HubError, Refusal, Unauthenticated, wants_json
from hub.extensions import db, login_manager
from hub.identity.errors import InsufficientScope, PartnershipAwaitingApproval
from hub.identity.models import User
from hub.identity.permissions import can
from hub.identity.roles import ROLE_SCOPES, Capability
from hub.identity.tokens import authenticate_bearer

PENDING_KEY = "pending_login"
# A camera's ingest credential, a grant's OAuth access token and a client's
# own token: the routes that accept them check them themselves.
OTHER_BEARER_PREFIXES = ("hubcam_", "hubat_", "hubcc_")
PENDING_MINUTES = 5
# What a member of a partner organisation that the agency has not approved
# may open: the page that says so (the home page), signing in and out, the terms.
OPEN_WHILE_UNAPPROVED = frozenset({"home.index", "identity.login", "identity.second_factor", "identity.enrol",
                                   "identity.logout", "partners.terms", "partners.sign_up", "partners.sign_up_received",
                                   "static", "map_library.static"})


def _bearer_value() -> str | None:
    header = request.headers.get("Authorization", "") if request else ""
    return header[7:] if header.lower().startswith("bearer ") else None


def _active_user(user_id: int) -> User | None:
    user = db.session.get(User, user_id)
    return user if user is not None and user.active else None


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The session's user, unless the request presents a bearer token: then
    the token alone decides, so a revoked token is never rescued by a cookie."""
    if _bearer_value() is not None:
        return None
    return _active_user(int(user_id))


@login_manager.request_loader
def load_user_from_bearer(req) -> User | None:
    value = _bearer_value()
    if value is None or value.startswith(OTHER_BEARER_PREFIXES):
        return None
    token = authenticate_bearer(value)
    g.api_token = token
    return token.user


@login_manager.unauthorized_handler
def unauthorized():
    if wants_json():
        raise Unauthenticated()
    back = request.full_path.rstrip("?") if request.method == "GET" else None  # no stray "?" without a query
    return redirect(url_for("identity.login", next=back))


def start_session(user: User) -> None:
    """A fresh session for a signed-in user: nothing from before survives."""
    session.clear()
    login_user(user)
    session.permanent = True
    session["seen_at"] = utcnow().timestamp()


def end_session() -> None:
    logout_user()
    session.clear()


def set_pending(user: User) -> None:
    session.clear()
    session[PENDING_KEY] = {"user_id": user.id, "at": utcnow().timestamp()}


def pending_user() -> User | None:
    pending = session.get(PENDING_KEY)
    if not pending:
        return None
    started = datetime.fromtimestamp(pending["at"], tz=utcnow().tzinfo)
    if utcnow() - started > timedelta(minutes=PENDING_MINUTES):
        session.pop(PENDING_KEY, None)
        return None
    return _active_user(pending["user_id"])


def init_app(app: Flask) -> None:
    login_manager.login_view = "identity.login"
    app.jinja_env.globals["can"] = lambda user, name: can(user, Capability(name))
    login_manager.session_protection = "basic"

    @app.before_request
    def end_idle_sessions():
        if "_user_id" not in session:
            return None
        idle = timedelta(minutes=app.config["SESSION_IDLE_MINUTES"])
        seen = session.get("seen_at")
        now = utcnow()
        if seen is None or now - datetime.fromtimestamp(seen, tz=now.tzinfo) > idle:
            end_session()
            if not wants_json() and request.endpoint not in ("identity.login", "static", "map_library.static"):
                flash(f"Your session ended after {idle.seconds // 60} minutes without activity.", "info")
                return redirect(url_for("identity.login"))
            return None
        session["seen_at"] = now.timestamp()
        return None

    @app.before_request
    def hold_unapproved_partners():
        """A partner that signed up and waits for the agency (or was declined)
        gets one page that says so, and 403 `partnership_not_approved` from the
        API, instead of pages and routes it cannot use."""
        if request.endpoint in OPEN_WHILE_UNAPPROVED:
            return None
        try:
            user = current_user if current_user.is_authenticated else None
        except HubError:
            return None  # a bad bearer token: the route refuses it in its own words
        if user is None or not user.awaits_approval:
            return None
        if wants_json():
            raise PartnershipAwaitingApproval()
        return redirect(url_for("home.index"))

    @app.before_request
    def authorise_api_call_first():
        scope = required_scope()
        if scope is not None:
            _require_scope(scope)


def capability_required(capability: Capability):
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not can(current_user, capability):
                raise Forbidden(f"The {current_user.role.label.lower()} role may not open this page.")
            return view(*args, **kwargs)
        return wrapped
    return decorator


def _require_scope(scope: str) -> None:
    if not current_user.is_authenticated:
        raise Unauthenticated()
    token = g.get("api_token")
    granted = token.scope_set if token is not None else ROLE_SCOPES[current_user.role]
    if scope not in granted:
        camera_id = (request.view_args or {}).get("camera_id")
        raise InsufficientScope(errors={"required_scope": [scope]}, refusal=Refusal(
            f"api.{request.endpoint}", current_user, None,
            {"method": request.method, "path": request.path, "required_scope": scope},
            (camera_id,) if camera_id else ()))


def scope_required(scope: str):
    """For API routes: a signed-in session user whose role allows the scope,
    or a bearer token that carries it. A refusal is ledgered, against the
    camera the route names if it names one. The scope is also asked before
    the route's arguments are parsed (`required_scope`), so a caller who may
    not call the route learns that, not what its body should hold."""
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            _require_scope(scope)
            return view(*args, **kwargs)
        wrapped.required_scope = scope
        return authenticated_by(*(name for requirement in USER for name in requirement))(wrapped)
    return decorator


def required_scope() -> str | None:
    """The scope the request's view asks for, if it is a `scope_required` one."""
    return getattr(view_function(), "required_scope", None)
