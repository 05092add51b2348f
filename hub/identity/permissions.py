"""Role checks for services. Actors that are not users (the command line, a
scheduled job) act as the hub's operator and pass."""
from __future__ import annotations

from typing import Any

from hub.errors import Forbidden, Refusal
from hub.identity.models import User
from hub.identity.roles import ROLE_CAPABILITIES, Capability


def can(actor: Any, capability: Capability) -> bool:
    if not isinstance(actor, User):
        return True
    return capability in ROLE_CAPABILITIES[actor.role]


def require_capability(actor: Any, capability: Capability, *, action: str, subject: Any = None) -> None:
    if not can(actor, capability):
        raise Forbidden(f"The {actor.role.label.lower()} role may not do this.",
                        errors={"capability": capability.value},
                        refusal=Refusal(action, actor, subject, {"capability": capability.value}))
