"""The hub's door to the policy engine: services ask here, and a refusal
becomes a `PolicyRefused` error that carries its citations and is ledgered."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import current_app

from hub.errors import Forbidden, Refusal
from policies import Decision, PolicyEngine


class PolicyRefused(Forbidden):
    code = "policy_refused"

    def __init__(self, decision: Decision, *, actor: Any, subject: Any = None, details: dict | None = None,
                 cameras: tuple[int, ...] = ()):
        super().__init__(f"Refused by policy: {decision.summary()}", errors=decision.as_errors(),
                         refusal=Refusal(decision.action, actor, subject, details or {}, cameras))
        self.decision = decision


def engine() -> PolicyEngine:
    return current_app.extensions["policy_engine"]


def decide(action: str, context: dict[str, Any]) -> Decision:
    return engine().decide(action, context)


def require(action: str, context: dict[str, Any], *, actor: Any, subject: Any = None,
            details: dict | None = None, cameras=()) -> Decision:
    """The decision when allowed; otherwise PolicyRefused, which rolls back
    the attempt and ledgers the refusal with the rules that refused it."""
    decision = decide(action, context)
    if not decision.allowed:
        raise PolicyRefused(decision, actor=actor, subject=subject, details=details,
                            cameras=tuple(sorted(set(cameras))))
    return decision


def init_app(app) -> None:
    """A pack that is malformed or loosens the state's rules stops the hub
    from starting: running without the law's rules is never an option."""
    app.extensions["policy_engine"] = PolicyEngine.load(agency=app.config["POLICY_AGENCY_PACK"],
                                                        directory=Path(app.config["POLICY_PACKS_DIR"]))
