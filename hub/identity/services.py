"""Organisations and user accounts: creation, roles, activation."""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from hub.clock import utcnow
from hub.extensions import db
from hub.identity.errors import IdentityInvalid
from hub.identity.models import Organisation, User
from hub.identity.passwords import hash_secret, password_problem
from hub.identity.permissions import require_capability
from hub.identity.roles import Capability, OrganisationKind, Role
from hub.ledger.services import record


def find_organisation(name: str) -> Organisation | None:
    return db.session.scalar(select(Organisation).where(func.lower(Organisation.name) == name.strip().lower()))


def find_user(username: str) -> User | None:
    return db.session.scalar(select(User).where(User.username == username.strip().lower()))


def create_organisation(actor: Any, *, name: str, kind: OrganisationKind, state: str = "MN") -> Organisation:
    require_capability(actor, Capability.MANAGE_USERS, action="organisation.create")
    name = name.strip()
    if not name:
        raise IdentityInvalid(errors={"name": ["An organisation needs a name."]})
    if find_organisation(name):
        raise IdentityInvalid(errors={"name": [f"An organisation named '{name}' already exists."]})
    if len(state) != 2 or not state.isalpha():
        raise IdentityInvalid(errors={"state": ["Use the two-letter state code."]})
    organisation = Organisation(name=name, kind=kind, state=state.upper(), created_at=utcnow())
    db.session.add(organisation)
    db.session.flush()
    record("organisation.created", actor=actor, subject=organisation,
           details={"name": name, "kind": kind.value, "state": organisation.state})
    return organisation


def username_is_well_formed(username: str) -> bool:
    username = username.strip()
    return bool(username) and username.replace("-", "").replace("_", "").replace(".", "").isalnum()


def create_user(actor: Any, *, organisation: Organisation, username: str, display_name: str,
                role: Role, password: str, email: str | None = None) -> User:
    require_capability(actor, Capability.MANAGE_USERS, action="user.create")
    username = username.strip().lower()
    errors: dict[str, list[str]] = {}
    if not username_is_well_formed(username):
        errors["username"] = ["Use letters, digits, dots, dashes or underscores."]
    elif find_user(username):
        errors["username"] = [f"The username '{username}' is taken."]
    if not role.allowed_in(organisation.kind):
        errors["role"] = [f"A {role.label.lower()} cannot belong to a {organisation.kind.value} organisation."]
    problem = password_problem(password)
    if problem:
        errors["password"] = [problem]
    if errors:
        raise IdentityInvalid(errors=errors)
    user = User(username=username, display_name=display_name.strip() or username, email=email,
                organisation=organisation, role=role, password_hash=hash_secret(password),
                active=True, failed_logins=0, created_at=utcnow())
    db.session.add(user)
    db.session.flush()
    record("user.created", actor=actor, subject=user,
           details={"username": username, "role": role.value, "organisation_id": organisation.id})
    return user


def change_role(actor: Any, user: User, role: Role, *, reason: str) -> User:
    require_capability(actor, Capability.MANAGE_USERS, action="user.role_change", subject=user)
    if not role.allowed_in(user.organisation.kind):
        raise IdentityInvalid(errors={"role": [
            f"A {role.label.lower()} cannot belong to a {user.organisation.kind.value} organisation."]})
    if not reason.strip():
        raise IdentityInvalid(errors={"reason": ["Say why the role changes."]})
    previous = user.role
    if previous == role:
        return user
    user.role = role
    if role.requires_second_factor and not user.has_second_factor:
        user.totp_secret = None
    db.session.flush()
    record("user.role_changed", actor=actor, subject=user, purpose=reason.strip(),
           details={"from": previous.value, "to": role.value})
    return user


def set_active(actor: Any, user: User, active: bool, *, reason: str) -> User:
    require_capability(actor, Capability.MANAGE_USERS, action="user.activation", subject=user)
    if not reason.strip():
        raise IdentityInvalid(errors={"reason": ["Say why."]})
    if user.active == active:
        return user
    user.active = active
    db.session.flush()
    record("user.activated" if active else "user.deactivated", actor=actor, subject=user,
           purpose=reason.strip())
    return user


def list_users() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.username)))


def list_organisations() -> list[Organisation]:
    return list(db.session.scalars(select(Organisation).order_by(Organisation.name)))
