"""Policy packs as data, and the one engine that evaluates them.

Every workflow asks the engine whether an action is allowed in its context;
the engine answers with the citations of the rules that decided and the
obligations that follow (retention days, required notices)."""
from policies.engine import Decision, PolicyEngine, PolicyPackError, Reason

__all__ = ["Decision", "PolicyEngine", "PolicyPackError", "Reason"]
