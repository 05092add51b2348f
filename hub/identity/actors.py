"""Who can act in the hub besides a signed-in user, each with exactly what it
may do: the operator at the server's command line, a named scheduled job, a
camera pushing reads, an OAuth client reading for the officer whose request
the partner granted, and an outside agency's client submitting its written
data requests. Anyone else (anonymous included) may do nothing."""
from __future__ import annotations

from dataclasses import dataclass

from hub.identity.models import User
from hub.identity.roles import Capability


@dataclass(frozen=True)
class SystemActor:
    """A party with no account: its capabilities are listed, never assumed."""

    name: str
    capabilities: frozenset[Capability]

    @property
    def ledger_actor(self) -> tuple[None, str, None]:
        return None, f"system:{self.name}", None


@dataclass(frozen=True)
class CameraActor:
    """A camera authenticated by its ingest credential: it may push reads of
    its own and nothing else."""

    camera_id: int

    @property
    def ledger_actor(self) -> tuple[None, str, None]:
        return None, f"system:camera:{self.camera_id}", None


@dataclass(frozen=True)
class ClientActor:
    """The agency's OAuth client using a grant. It reads on behalf of the
    officer who asked, so the officer is the actor on record and the one whose
    authorisation and training are checked on every use; the client is noted
    beside."""

    client_id: str
    officer: User

    @property
    def ledger_actor(self) -> tuple[int, str, int]:
        return self.officer.ledger_actor

    @property
    def ledger_via(self) -> str:
        return f"client:{self.client_id}"


@dataclass(frozen=True)
class RequestingClient:
    """A neighbouring hub's (or an outside agency's) registered OAuth client
    with a client-credentials token: it submits and follows its agency's
    written data requests, machine to machine, and nothing else."""

    client_id: str
    organisation_id: int

    @property
    def ledger_actor(self) -> tuple[None, str, int]:
        return None, f"client:{self.client_id}", self.organisation_id


def operator(name: str = "cli") -> SystemActor:
    """The person at the server's command line: whoever can run `hub` there
    holds the database and its keys already, so the command line may do all
    that a role may do."""
    return SystemActor(name, frozenset(Capability))


SCHEDULER = SystemActor("scheduler", frozenset({Capability.MANAGE_HOTLISTS}))


def capabilities_of(actor) -> frozenset[Capability]:
    """One answer for every kind of actor."""
    from hub.identity.roles import ROLE_CAPABILITIES

    if isinstance(actor, User):
        return ROLE_CAPABILITIES[actor.role] if actor.is_active and actor.is_authenticated else frozenset()
    if isinstance(actor, SystemActor):
        return actor.capabilities
    if isinstance(actor, RequestingClient):
        return frozenset({Capability.SUBMIT_DATA_REQUESTS})
    return frozenset()
