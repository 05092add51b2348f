"""Sign-in pages, the account's token page, user administration, and
`/api/v1/me`. Views parse, call a service, render."""
from __future__ import annotations

import io

import qrcode
import qrcode.image.svg
from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_smorest import Blueprint as ApiBlueprint
from markupsafe import Markup

from hub.errors import Forbidden, HubError, NotFound
from hub.extensions import db
from hub.forms import FORM_ERROR_STATUS, apply_errors
from hub.identity import access, login as signin, services, tokens
from hub.identity.auth import end_session, pending_user, scope_required, set_pending, start_session
from hub.identity.forms import (ActivationForm, AuthorisationForm, CodeForm, LoginForm, RevokeForm, RoleForm,
                                TokenForm, TrainingForm, UserForm, WithdrawForm)
from hub.identity.models import ApiToken, Organisation, User
from hub.identity.permissions import can
from hub.identity.roles import Capability, Role
from hub.identity.schemas import MeSchema
from hub.ledger.services import record

pages = Blueprint("identity", __name__, template_folder="templates")
api_blp = ApiBlueprint("identity_api", __name__, url_prefix="/api/v1", description="The signed-in user")


def _safe_next(target: str | None) -> str:
    return signin.safe_next_path(target) or url_for("home.index")


@pages.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        result = signin.attempt_password(form.username.data, form.password.data, remote_addr=request.remote_addr)
        if result.outcome is signin.Outcome.SIGNED_IN:
            start_session(result.user)
            return redirect(_safe_next(request.args.get("next")))
        if result.outcome is signin.Outcome.NEEDS_SECOND_FACTOR:
            set_pending(result.user)
            return redirect(url_for("identity.second_factor", next=signin.safe_next_path(request.args.get("next"))))
        if result.outcome is signin.Outcome.NEEDS_ENROLMENT:
            set_pending(result.user)
            return redirect(url_for("identity.enrol"))
        g.attempt_failed = True  # counts against the sign-in rate limit
        flash(result.message, "error")
    return render_template("identity/login.html", form=form)


@pages.route("/login/second-factor", methods=["GET", "POST"])
def second_factor():
    user = pending_user()
    if user is None:
        flash("Sign in again.", "info")
        return redirect(url_for("identity.login"))
    form = CodeForm()
    if form.validate_on_submit():
        result = signin.attempt_second_factor(user, form.code.data, remote_addr=request.remote_addr)
        if result.outcome is signin.Outcome.SIGNED_IN:
            start_session(user)
            return redirect(_safe_next(request.args.get("next")))
        flash(result.message, "error")
    return render_template("identity/second_factor.html", form=form, user=user)


def _qr_svg(uri: str) -> Markup:
    buffer = io.BytesIO()
    qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8).save(buffer)
    svg = buffer.getvalue().decode()
    # The SVG is drawn by qrcode from the hub's own provisioning URI: no outside markup (B704).
    return Markup(svg[svg.index("<svg"):])  # nosec B704


@pages.route("/login/enrol", methods=["GET", "POST"])
def enrol():
    """Second-factor enrolment: required before a privileged role signs in,
    offered to everyone else from their home page."""
    user = current_user if current_user.is_authenticated else pending_user()
    if user is None:
        return redirect(url_for("identity.login"))
    form = CodeForm()
    try:
        enrolment = signin.begin_enrolment(user)
    except HubError as error:
        flash(error.message, "info")
        return redirect(url_for("home.index"))
    if form.validate_on_submit():
        try:
            done = signin.confirm_enrolment(user, form.code.data)
        except HubError as error:
            status = apply_errors(form, error)
            enrolment = signin.begin_enrolment(user)
            return render_template("identity/enrol.html", form=form, enrolment=enrolment,
                                   qr=_qr_svg(enrolment.uri)), status
        if not current_user.is_authenticated:
            signin.complete_login(user, factor="password+totp_enrolment", remote_addr=request.remote_addr)
            start_session(user)
        return render_template("identity/recovery_codes.html", codes=done.recovery_codes)
    return render_template("identity/enrol.html", form=form, enrolment=enrolment, qr=_qr_svg(enrolment.uri))


@pages.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        record("logout", actor=current_user, subject=current_user)
    end_session()
    flash("You are signed out.", "info")
    return redirect(url_for("identity.login"))


@pages.route("/account/tokens", methods=["GET", "POST"])
@login_required
def account_tokens():
    form = TokenForm()
    form.scopes.choices = [(s, s) for s in sorted(tokens.ROLE_SCOPES[current_user.role])]
    created = None
    status = 200
    if form.validate_on_submit():
        try:
            _, created = tokens.create_token(current_user, current_user, name=form.name.data,
                                             scopes=form.scopes.data, expires_in_days=form.expires_in_days.data)
        except HubError as error:
            status = apply_errors(form, error)
    elif form.is_submitted():
        status = FORM_ERROR_STATUS
    return render_template("identity/tokens.html", form=form, created=created, revoke_form=RevokeForm(),
                           tokens=tokens.tokens_of(current_user)), status


@pages.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_account_token(token_id: int):
    token = db.session.get(ApiToken, token_id)
    if token is None:
        raise NotFound("No such token.")
    tokens.revoke_token(current_user, token)
    flash(f"Token '{token.name}' is revoked.", "info")
    return redirect(url_for("identity.account_tokens"))


def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


USER_PAGE_CAPABILITIES = (Capability.MANAGE_USERS, Capability.RECORD_TRAINING, Capability.AUTHORISE_OFFICERS)


def _require_user_pages() -> None:
    if not any(can(current_user, c) for c in USER_PAGE_CAPABILITIES):
        raise Forbidden("Your role has nothing to do on user pages.")


@pages.route("/admin/users", methods=["GET", "POST"])
@login_required
def users():
    _require_user_pages()
    form = UserForm()
    form.organisation_id.choices = [(o.id, o.name) for o in services.list_organisations()]
    status = 200
    if form.validate_on_submit():
        try:
            user = services.create_user(current_user, organisation=db.session.get(Organisation, form.organisation_id.data),
                                        username=form.username.data, display_name=form.display_name.data,
                                        role=Role(form.role.data), password=form.password.data,
                                        email=form.email.data or None)
            flash(f"User {user.username} created.", "info")
            return redirect(url_for("identity.user_detail", user_id=user.id))
        except HubError as error:
            status = apply_errors(form, error)
    elif form.is_submitted():
        status = FORM_ERROR_STATUS
    return render_template("identity/users.html", form=form, users=services.list_users()), status


def _user_page(user: User, status: int = 200, **forms):
    defaults = {"role_form": RoleForm(prefix="role", role=user.role.value),
                "activation_form": ActivationForm(prefix="activation"),
                "training_form": TrainingForm(prefix="training"),
                "authorisation_form": AuthorisationForm(prefix="authorisation"),
                "withdraw_form": WithdrawForm(prefix="withdraw")}
    defaults.update(forms)
    return render_template("identity/user_detail.html", user=user, training=access.latest_training(user),
                           authorisation=access.current_authorisation(user),
                           decision=access.data_access_decision(user), **defaults), status


@pages.route("/admin/users/<int:user_id>")
@login_required
def user_detail(user_id: int):
    _require_user_pages()
    return _user_page(_user_or_404(user_id))


def _user_action(user_id: int, name: str, form, action):
    """One of the user page's forms: on a problem the page comes back with
    that form's messages (to those who may see the page: it shows the person's
    record); a refusal goes to the error handler, which ledgers it."""
    user = _user_or_404(user_id)
    if not form.validate_on_submit():
        _require_user_pages()
        return _user_page(user, FORM_ERROR_STATUS, **{f"{name}_form": form})
    try:
        action(user, form)
    except HubError as error:
        if error.refusal is not None:
            raise
        status = apply_errors(form, error)
        return _user_page(user, status, **{f"{name}_form": form})
    flash("Saved.", "info")
    return redirect(url_for("identity.user_detail", user_id=user.id))


@pages.route("/admin/users/<int:user_id>/role", methods=["POST"])
@login_required
def change_role(user_id: int):
    return _user_action(user_id, "role", RoleForm(prefix="role"), lambda user, form: services.change_role(
        current_user, user, Role(form.role.data), reason=form.reason.data))


@pages.route("/admin/users/<int:user_id>/activation", methods=["POST"])
@login_required
def toggle_activation(user_id: int):
    return _user_action(user_id, "activation", ActivationForm(prefix="activation"), lambda user, form: services.set_active(
        current_user, user, not user.active, reason=form.reason.data))


@pages.route("/admin/users/<int:user_id>/training", methods=["POST"])
@login_required
def record_training(user_id: int):
    return _user_action(user_id, "training", TrainingForm(prefix="training"), lambda user, form: access.record_training(
        current_user, user, completed_on=form.completed_on.data, course=form.course.data))


@pages.route("/admin/users/<int:user_id>/authorisation", methods=["POST"])
@login_required
def authorise(user_id: int):
    return _user_action(user_id, "authorisation", AuthorisationForm(prefix="authorisation"), lambda user, form: access.authorise_officer(
        current_user, user, text=form.text.data, signed_on=form.signed_on.data, signed_by=current_user))


@pages.route("/admin/users/<int:user_id>/authorisation/withdraw", methods=["POST"])
@login_required
def withdraw(user_id: int):
    return _user_action(user_id, "withdraw", WithdrawForm(prefix="withdraw"), lambda user, form: access.withdraw_authorisation(
        current_user, user, reason=form.reason.data))


@api_blp.route("/me")
@api_blp.response(200, MeSchema)
@scope_required("profile:read")
def me():
    """The signed-in user, their role, and whether they may reach ALPR data now."""
    decision = access.data_access_decision(current_user)
    return {"user": current_user, "data_access": {"allowed": decision.allowed, "reasons": decision.as_errors()}}
