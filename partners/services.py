"""Partner enrolment: sign-up with the data-sharing terms, the agency's
decision on the partnership, and invitations for further administrators."""
from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from hub import secret_tokens
from hub.clock import utcnow
from hub.errors import Forbidden, HubError, Refusal
from hub.extensions import db
from hub.identity import services as identity
from hub.identity.models import Organisation, User
from hub.identity.passwords import hash_secret, password_problem
from hub.identity.permissions import can, require_capability
from hub.identity.roles import Capability, OrganisationKind, OrganisationStatus, Role
from hub.ledger.services import record
from hub.notifications.services import notify
from partners.errors import InvitationInvalid, PartnershipNotPending, SignUpInvalid
from partners.models import PartnerInvitation, TermsAcceptance
from partners.terms import current_terms
from hub.identity.actors import SystemActor

# The public sign-up and an accepted invitation create accounts on their
# own: each may create organisations and users, and nothing else.
SIGN_UP = SystemActor("signup", frozenset({Capability.MANAGE_USERS}))
INVITATION = SystemActor("invitation", frozenset({Capability.MANAGE_USERS}))

INVITATION_DAYS = 7
PREFIX = "hubinv"
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def sign_up_problems(*, organisation_name: str, kind: OrganisationKind | None, contact_name: str,
                     contact_email: str, username: str, password: str, accepted_terms_version: str) -> dict:
    """Everything wrong with a sign-up, all at once, so the form says it in
    one go. Whether the username is free is not among them: that would tell
    who has an account here."""
    errors: dict[str, list[str]] = {}
    if kind is None or not kind.is_partner:
        errors["kind"] = ["Partners are HOAs and businesses."]
    if accepted_terms_version != current_terms().version:
        errors["accept_terms"] = [f"Accept the data-sharing terms (version {current_terms().version})."]
    if not EMAIL.match(contact_email or ""):
        errors["contact_email"] = ["Enter an e-mail address the agency can reach you at."]
    if not (contact_name or "").strip():
        errors["contact_name"] = ["Name the contact person."]
    name = (organisation_name or "").strip()
    if not name:
        errors["organisation_name"] = ["An organisation needs a name."]
    elif identity.find_organisation(name):
        errors["organisation_name"] = [f"An organisation named '{name}' already exists."]
    if not identity.username_is_well_formed(username or ""):
        errors["username"] = ["Use letters, digits, dots, dashes or underscores."]
    problem = password_problem(password or "")
    if problem:
        errors["password"] = [problem]
    return errors


def sign_up(*, organisation_name: str, kind: OrganisationKind, contact_name: str, contact_email: str,
            contact_phone: str, username: str, display_name: str, password: str,
            accepted_terms_version: str) -> User | None:
    """A partner organisation and its first administrator, waiting for the
    agency's approval. Problems with any field are reported together, except
    that the chosen username belongs to someone: then nothing is created and
    None comes back, after the same password hashing, so the sign-up form
    cannot be used to learn which usernames exist."""
    errors = sign_up_problems(organisation_name=organisation_name, kind=kind, contact_name=contact_name,
                              contact_email=contact_email, username=username, password=password,
                              accepted_terms_version=accepted_terms_version)
    if errors:
        raise SignUpInvalid(errors=errors)
    if identity.find_user(username):
        hash_secret(password)  # the work a real sign-up does, and no account
        return None
    try:
        organisation = identity.create_organisation(SIGN_UP, name=organisation_name, kind=kind)
        user = identity.create_user(SIGN_UP, organisation=organisation, username=username,
                                    display_name=display_name, role=Role.PARTNER_ADMIN, password=password,
                                    email=contact_email.strip())
    except HubError as error:
        raise SignUpInvalid(errors={("organisation_name" if k == "name" else k): v
                                    for k, v in error.errors.items()}) from None
    organisation.status = OrganisationStatus.PENDING
    organisation.contact_name, organisation.contact_email = contact_name.strip(), contact_email.strip()
    organisation.contact_phone = (contact_phone or "").strip() or None
    terms = current_terms()
    db.session.add(TermsAcceptance(organisation_id=organisation.id, user_id=user.id, version=terms.version,
                                   text_sha256=terms.sha256, accepted_at=utcnow()))
    db.session.flush()
    record("partner.signed_up", actor=user, subject=organisation,
           details={"kind": kind.value, "terms_version": terms.version, "terms_sha256": terms.sha256},
           private={"contact_name": organisation.contact_name, "contact_email": organisation.contact_email,
                    "contact_phone": organisation.contact_phone})
    return user


def pending_partnerships() -> list[Organisation]:
    return list(db.session.scalars(select(Organisation).where(Organisation.status == OrganisationStatus.PENDING)
                                   .order_by(Organisation.created_at)))


def terms_accepted(organisation: Organisation) -> TermsAcceptance | None:
    return db.session.scalars(select(TermsAcceptance).where(TermsAcceptance.organisation_id == organisation.id)
                              .order_by(TermsAcceptance.accepted_at.desc()).limit(1)).first()


def needs_to_accept_terms(organisation: Organisation) -> bool:
    """Whether the partner has yet to accept the current version of the terms."""
    accepted = terms_accepted(organisation)
    return organisation.kind.is_partner and (accepted is None or accepted.version != current_terms().version)


def require_terms_acceptor(actor: Any, organisation: Organisation) -> None:
    """Asked by the service and, before its form is read, by the terms page."""
    if not (isinstance(actor, User) and actor.role is Role.PARTNER_ADMIN
            and actor.organisation_id == organisation.id):
        raise Forbidden("Only the partner's administrators accept its terms.",
                        refusal=Refusal("partner.terms_accept", actor, organisation))


def accept_terms(actor: Any, organisation: Organisation, *, version: str) -> TermsAcceptance:
    """A partner administrator accepts the current terms for the organisation;
    the version and a hash of its text are kept, on record. Accepting a version
    that is not the current one (a page left open across a change) is refused."""
    require_terms_acceptor(actor, organisation)
    terms = current_terms()
    if version != terms.version:
        raise SignUpInvalid(errors={"accept": [f"The terms changed while you read them: read version "
                                                f"{terms.version} and accept it."]})
    acceptance = TermsAcceptance(organisation_id=organisation.id, user_id=actor.id, version=terms.version,
                                 text_sha256=terms.sha256, accepted_at=utcnow())
    db.session.add(acceptance)
    db.session.flush()
    record("partner.terms_accepted", actor=actor, subject=organisation,
           details={"terms_version": terms.version, "terms_sha256": terms.sha256})
    return acceptance


def decide_partnership(actor: Any, organisation: Organisation, *, approve: bool, reason: str) -> Organisation:
    require_capability(actor, Capability.APPROVE_PARTNERS, action="partner.decision", subject=organisation)
    if organisation.status is not OrganisationStatus.PENDING:
        raise PartnershipNotPending()
    if not reason.strip():
        raise SignUpInvalid(errors={"reason": ["Give the reason for the decision: the partner sees it."]})
    organisation.status = OrganisationStatus.APPROVED if approve else OrganisationStatus.DECLINED
    organisation.decided_at, organisation.decision_reason = utcnow(), reason.strip()
    organisation.decided_by_id = getattr(actor, "id", None)
    db.session.flush()
    record("partner.approved" if approve else "partner.declined", actor=actor, subject=organisation,
           purpose=reason.strip())
    notify(organisation, subject="Partnership approved" if approve else "Partnership declined",
           body=f"The police department {'approved' if approve else 'declined'} the partnership: {reason.strip()}",
           link="/cameras/new" if approve else None)
    return organisation


def invite_administrator(actor: User, *, email: str) -> tuple[PartnerInvitation, str]:
    """An invitation link for another administrator of the actor's own
    partner organisation; the link is shown once."""
    if not can(actor, Capability.INVITE_PARTNER_ADMINS) or not actor.organisation.kind.is_partner:
        raise Forbidden("Partner administrators invite their own colleagues.",
                        refusal=Refusal("partner.invite", actor, actor.organisation))
    if not actor.organisation.is_approved:
        raise SignUpInvalid(errors={"email": ["Invitations can be sent once the partnership is approved."]})
    if not EMAIL.match(email or ""):
        raise SignUpInvalid(errors={"email": ["Enter an e-mail address."]})
    issued = secret_tokens.issue(PREFIX)
    invitation = PartnerInvitation(organisation_id=actor.organisation_id, email=email.strip(), lookup=issued.lookup,
                                   secret_hash=issued.digest, invited_by_id=actor.id, created_at=utcnow(),
                                   expires_at=utcnow() + timedelta(days=INVITATION_DAYS))
    db.session.add(invitation)
    db.session.flush()
    record("partner.invited", actor=actor, subject=invitation, private={"email": invitation.email},
           details={"expires_at": invitation.expires_at.isoformat()})
    return invitation, issued.text


def find_invitation(token: str) -> PartnerInvitation:
    parts = secret_tokens.parse(PREFIX, token)
    if parts is None:
        raise InvitationInvalid()
    invitation = db.session.scalar(select(PartnerInvitation).where(PartnerInvitation.lookup == parts[0]))
    if (invitation is None or not secret_tokens.matches(invitation.secret_hash, parts[1])
            or invitation.accepted_at is not None or invitation.expires_at <= utcnow()):
        raise InvitationInvalid()
    return invitation


def accept_invitation(token: str, *, username: str, display_name: str, password: str) -> User:
    invitation = find_invitation(token)
    try:
        user = identity.create_user(INVITATION, organisation=invitation.organisation, username=username,
                                    display_name=display_name, role=Role.PARTNER_ADMIN, password=password,
                                    email=invitation.email)
    except HubError as error:
        raise SignUpInvalid(errors=error.errors) from None
    invitation.accepted_at, invitation.accepted_user_id = utcnow(), user.id
    db.session.flush()
    record("partner.invitation_accepted", actor=user, subject=invitation)
    return user


def invitations_of(organisation: Organisation) -> list[PartnerInvitation]:
    return list(db.session.scalars(select(PartnerInvitation).where(
        PartnerInvitation.organisation_id == organisation.id).order_by(PartnerInvitation.created_at.desc())))
