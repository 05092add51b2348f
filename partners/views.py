"""The partner portal's pages: sign-up, the terms, the agency's review
queue, and invitations for further administrators."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from hub.errors import Forbidden, HubError
from hub.extensions import db
from hub.forms import FORM_ERROR_STATUS, apply_errors
from hub.identity.auth import start_session
from hub.identity.models import Organisation
from hub.identity.permissions import can
from hub.identity.roles import Capability, OrganisationKind
from hub.urls import absolute_url
from partners import services
from partners.forms import AcceptInvitationForm, AcceptTermsForm, DecisionForm, InviteForm, SignUpForm
from partners.terms import current_terms

pages = Blueprint("partners", __name__, template_folder="templates", url_prefix="/partners")


@pages.route("/terms")
def terms():
    return render_template("partners/terms.html", terms=current_terms())


@pages.route("/terms/accept", methods=["GET", "POST"])
@login_required
def accept_terms():
    """A new version of the terms, for the partner's administrator to accept."""
    organisation = current_user.organisation
    form = AcceptTermsForm(version=current_terms().version)
    status = 200
    if form.is_submitted():
        services.require_terms_acceptor(current_user, organisation)
    if form.validate_on_submit():
        try:
            services.accept_terms(current_user, organisation, version=form.version.data)
            flash(f"You accepted version {current_terms().version} of the terms for {organisation.name}.", "success")
            return redirect(url_for("home.index"))
        except HubError as error:
            status = apply_errors(form, error)
    elif form.is_submitted():
        status = FORM_ERROR_STATUS
    return render_template("partners/accept_terms.html", form=form, terms=current_terms(),
                           accepted=services.terms_accepted(organisation)), status


@pages.app_context_processor
def terms_banner() -> dict:
    """Every page tells a partner's administrator that new terms wait for acceptance."""
    user = current_user
    waiting = bool(getattr(user, "is_authenticated", False) and user.role.value == "partner_admin"
                   and services.needs_to_accept_terms(user.organisation))
    return {"terms_waiting": waiting}


@pages.route("/sign-up", methods=["GET", "POST"])
def sign_up():
    form = SignUpForm()
    status = 200
    if form.validate_on_submit():
        try:
            services.sign_up(
                organisation_name=form.organisation_name.data, kind=OrganisationKind(form.kind.data),
                contact_name=form.contact_name.data, contact_email=form.contact_email.data,
                contact_phone=form.contact_phone.data, username=form.username.data,
                display_name=form.display_name.data, password=form.password.data,
                accepted_terms_version=current_terms().version if form.accept_terms.data else "")
            return redirect(url_for("partners.sign_up_received"))
        except HubError as error:
            status = apply_errors(form, error)
    elif form.is_submitted():
        status = FORM_ERROR_STATUS
        _add_service_problems(form)
    return render_template("partners/sign_up.html", form=form, terms=current_terms()), status


def _add_service_problems(form: SignUpForm) -> None:
    """The service's own checks beside the form's, so every problem shows at once."""
    kind = form.kind.data if form.kind.data in {k.value for k in OrganisationKind} else None
    problems = services.sign_up_problems(
        organisation_name=form.organisation_name.data, kind=kind and OrganisationKind(kind),
        contact_name=form.contact_name.data, contact_email=form.contact_email.data, username=form.username.data,
        password=form.password.data, accepted_terms_version=current_terms().version if form.accept_terms.data else "")
    for name, messages in problems.items():
        field = getattr(form, name)
        if not field.errors:
            field.errors = list(messages)


@pages.route("/sign-up/received")
def sign_up_received():
    """The same answer whether the account was made or its username was
    someone else's: the form does not tell who has an account here."""
    return render_template("partners/sign_up_received.html")


def _require_reviewer() -> None:
    if not can(current_user, Capability.APPROVE_PARTNERS):
        raise Forbidden("The chief and the hub administrators review partnerships.")


@pages.route("/review")
@login_required
def review():
    _require_reviewer()
    return render_template("partners/review.html", pending=services.pending_partnerships(),
                           accepted=services.terms_accepted, form=DecisionForm())


@pages.route("/review/<int:organisation_id>/<any(approve, decline):decision>", methods=["POST"])
@login_required
def decide(organisation_id: int, decision: str):
    _require_reviewer()  # first: the page a form problem shows lists every pending partner
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None:
        abort(404)
    form = DecisionForm()
    if not form.validate_on_submit():
        flash("Give the reason for the decision.", "error")
        return render_template("partners/review.html", pending=services.pending_partnerships(),
                               accepted=services.terms_accepted, form=form), FORM_ERROR_STATUS
    services.decide_partnership(current_user, organisation, approve=decision == "approve", reason=form.reason.data)
    flash(f"{organisation.name}: partnership {'approved' if decision == 'approve' else 'declined'}.", "info")
    return redirect(url_for("partners.review"))


@pages.route("/invitations", methods=["GET", "POST"])
@login_required
def invitations():
    if not can(current_user, Capability.INVITE_PARTNER_ADMINS):
        raise Forbidden("Partner administrators invite their colleagues here.")
    form = InviteForm()
    link, status = None, 200
    if form.validate_on_submit():
        try:
            _, token = services.invite_administrator(current_user, email=form.email.data)
            link = absolute_url("partners.accept", token=token)
        except HubError as error:
            if error.refusal is not None:
                raise
            status = apply_errors(form, error)
    return render_template("partners/invitations.html", form=form, link=link,
                           invitations=services.invitations_of(current_user.organisation)), status


@pages.route("/invitations/<token>", methods=["GET", "POST"])
def accept(token: str):
    invitation = services.find_invitation(token)
    form = AcceptInvitationForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = services.accept_invitation(token, username=form.username.data,
                                              display_name=form.display_name.data, password=form.password.data)
            start_session(user)
            return redirect(url_for("home.index"))
        except HubError as error:
            status = apply_errors(form, error)
    return render_template("partners/accept.html", form=form, invitation=invitation), status
