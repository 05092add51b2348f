"""The hub's door to the policy engine: services declare the actions they ask
about and the facts they give, ask here, and a refusal becomes a
`PolicyRefused` error that carries its citations and is ledgered. Each
decision made inside a unit of work travels into the next ledger entry of
that unit, so the ledger shows which rules, from which pack versions,
allowed what it records."""
from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any, Mapping

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from hub.errors import Forbidden, Refusal
from hub.identity.roles import Role
from policies import Decision, PolicyEngine, PolicyPackError
from policies.vocabulary import ActionSpec, Vocabulary

_DECLARED: dict[str, ActionSpec] = {}
_SESSION_KEY = "policy_decisions"

# The services that ask the engine; importing each declares its actions.
DECLARING_MODULES = (
    "hub.identity.access", "hub.reads.validation", "hub.cameras.sharing", "hub.cameras.bca",
    "hub.safe_at_home.services", "hub.hotlists.services", "hub.hotlists.matching", "hub.alerts.services",
    "hub.grants.requests", "hub.retention.services", "hub.transparency.log_of_use", "hub.search.services",
    "hub.data_requests.services",
    "hub.suspension.services", "hub.audit.services",
    "hub.reads.classification",
)

ROLES = tuple(role.value for role in Role)


def declare(action: str, fields: Mapping[str, tuple | None], *, pending: str | None = None) -> str:
    """Declare what a service asks: the action and the context fields it
    gives (with their possible values when they are few). Returns the
    action's name, for the service to ask with."""
    spec = ActionSpec(action, dict(fields), pending)
    known = _DECLARED.get(action)
    if known is not None and known != spec:
        raise ValueError(f"policy action '{action}' is declared twice, differently")
    _DECLARED[action] = spec
    return action


# Actions whose capabilities the hub does not have yet: the packs hold their
# rules, and the rule-coverage check lists them as pending by name.


def vocabulary() -> Vocabulary:
    for module in DECLARING_MODULES:
        importlib.import_module(module)
    return Vocabulary.of(_DECLARED.values())


def pending_actions() -> dict[str, str]:
    return {name: spec.pending for name, spec in _DECLARED.items() if spec.pending}


class PolicyRefused(Forbidden):
    code = "policy_refused"

    def __init__(self, decision: Decision, *, actor: Any, subject: Any = None, details: dict | None = None,
                 cameras: tuple[int, ...] = ()):
        super().__init__(f"Refused by policy: {decision.summary()}", errors={"rules": decision.as_errors()},
                         refusal=Refusal(decision.action, actor, subject,
                                         {**(details or {}), "policy": decision.on_record()}, cameras))
        self.decision = decision


def engine() -> PolicyEngine:
    return current_app.extensions["policy_engine"]


def decide(action: str, context: dict[str, Any], *, advisory: bool = False) -> Decision:
    """The engine's decision. Unless `advisory` (a page only showing what the
    rules say), it is kept for the next ledger entry of this unit of work."""
    decision = engine().decide(action, context)
    if not advisory:
        keep(decision)
    return decision


def keep(decision: Decision) -> None:
    """Put a decision made elsewhere (a cached one) on the next ledger entry
    of this unit of work, like every decision made through `decide`."""
    from hub.extensions import db

    kept = db.session.info.setdefault(_SESSION_KEY, [])
    summary = decision.on_record()
    if summary not in kept:
        kept.append(summary)


def drain_decisions() -> list[dict]:
    """The decisions made since the last ledger entry of this unit of work."""
    from hub.extensions import db

    return db.session.info.pop(_SESSION_KEY, [])


def require(action: str, context: dict[str, Any], *, actor: Any, subject: Any = None,
            details: dict | None = None, cameras=()) -> Decision:
    """The decision when allowed; otherwise PolicyRefused, which rolls back
    the attempt and ledgers the refusal with the rules that refused it."""
    decision = decide(action, context)
    if not decision.allowed:
        raise PolicyRefused(decision, actor=actor, subject=subject, details=details,
                            cameras=tuple(sorted(set(cameras))))
    return decision


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_soft_rollback")
def _forget_decisions(session, *args) -> None:
    session.info.pop(_SESSION_KEY, None)


def init_app(app) -> None:
    """A pack that is malformed, loosens the state's rules, or names an action
    or fact the hub never gives stops the hub from starting: running without
    the law's rules, or with rules that silently never apply, is never an option."""
    declared = vocabulary()
    loaded = PolicyEngine.load(vocabulary=declared, agency=app.config["POLICY_AGENCY_PACK"],
                               directory=Path(app.config["POLICY_PACKS_DIR"]))
    unruled = sorted(name for name, spec in declared.actions.items() if not spec.pending and not loaded.rules(name))
    if unruled:
        raise PolicyPackError(loaded.state.path, None, f"has no rule for {', '.join(unruled)}: the hub asks about "
                                                       "these and cannot decide them without the law's rules")
    app.extensions["policy_engine"] = loaded
    app.context_processor(lambda: {"purposes": loaded.purposes})
