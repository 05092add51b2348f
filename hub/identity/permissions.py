"""Capability checks for services. Every kind of actor has exactly the
capabilities `hub.identity.actors` gives it: a user its role's, the operator
and named jobs theirs, anyone else none."""
from __future__ import annotations

from typing import Any

from hub.errors import Forbidden, Refusal
from hub.identity.actors import capabilities_of
from hub.identity.models import User
from hub.identity.roles import Capability


def can(actor: Any, capability: Capability) -> bool:
    return capability in capabilities_of(actor)


def who(actor: Any) -> str:
    if isinstance(actor, User):
        return f"The {actor.role.label.lower()} role"
    return "This party"


def require_capability(actor: Any, capability: Capability, *, action: str, subject: Any = None) -> None:
    if not can(actor, capability):
        raise Forbidden(f"{who(actor)} may not do this.",
                        errors={"capability": [capability.value]},
                        refusal=Refusal(action, actor, subject, {"capability": capability.value}))
