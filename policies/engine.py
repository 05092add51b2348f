"""The policy engine: loads a state pack and the agency's pack, and decides.

An agency pack may add rules and may restate a state rule (same id) only in a
stricter form; a pack that would loosen the state's rule refuses to load.
The engine is closed: every pack is checked against the hub's vocabulary of
actions and context fields, an action no loaded rule covers is an error, and
a fact a rule needs but the context lacks refuses rather than passes."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from policies import checks
from policies.loading import PolicyPackError, load_pack_file, PACKS_DIR, Pack, Rule
from policies.vocabulary import UnknownAction, Vocabulary

# (pack, rule id) of every rule that has applied to a real decision in this
# process: the suite checks that no shipped rule is left inert.
_evaluated: set[tuple[str, str]] = set()


def evaluated_rules() -> frozenset[tuple[str, str]]:
    return frozenset(_evaluated)


@dataclass(frozen=True)
class Reason:
    rule: str
    cite: str
    message: str
    field: str | None = None
    basis: str = "statute"
    says: str = ""

    def __str__(self) -> str:
        proposed = " (a proposed default, not yet adopted)" if self.basis == "proposed" else ""
        return f"{self.cite}{proposed}: {self.message}"


@dataclass
class Decision:
    action: str
    allowed: bool
    reasons: list[Reason] = field(default_factory=list)
    obligations: dict[str, Any] = field(default_factory=dict)
    rules: list[str] = field(default_factory=list)
    packs: dict[str, str] = field(default_factory=dict)

    def on_record(self) -> dict:
        """What the ledger keeps of the decision: the rules that applied and
        the packs (version and file hash) they came from."""
        return {"action": self.action, "allowed": self.allowed, "rules": self.rules, "packs": self.packs}

    def summary(self) -> str:
        return "; ".join(str(r) for r in self.reasons)

    def as_errors(self) -> list[dict]:
        return [{"rule": r.rule, "cite": r.cite, "basis": r.basis, "message": r.message, "field": r.field,
                 "says": r.says} for r in self.reasons]


class PolicyEngine:
    def __init__(self, packs: list[Pack], vocabulary: Vocabulary) -> None:
        for pack in packs:
            vocabulary.check_pack(pack)
        self.packs = packs
        self.vocabulary = vocabulary
        self.versions = {pack.name: pack.fingerprint for pack in packs}
        self._constant_obligations: dict[tuple[str, str], Any] = {}
        self._rules: dict[str, list[Rule]] = {}
        for rule in self._effective_rules(packs):
            self._rules.setdefault(rule.action, []).append(rule)

    @classmethod
    def load(cls, *, vocabulary: Vocabulary, state: str | None = None, agency: str | None = None,
             directory: Path = PACKS_DIR) -> "PolicyEngine":
        """Load `agency` (which names its state) or a state pack alone."""
        if agency:
            agency_pack = load_pack_file(directory / "agencies" / f"{agency}.yaml", kind="agency")
            state_pack = load_pack_file(directory / "states" / f"{agency_pack.state}.yaml", kind="state")
            if state and state != state_pack.name:
                raise PolicyPackError(agency_pack.path, None,
                                      f"belongs to state pack '{state_pack.name}', not '{state}'")
            return cls.from_packs(vocabulary, state_pack, agency_pack)
        if not state:
            raise PolicyPackError(directory, None, "no state or agency pack named")
        return cls([load_pack_file(directory / "states" / f"{state}.yaml", kind="state")], vocabulary)

    @classmethod
    def from_packs(cls, vocabulary: Vocabulary, state_pack: Pack, agency_pack: Pack | None = None) -> "PolicyEngine":
        if agency_pack is not None:
            _refuse_loosening(state_pack, agency_pack)
            return cls([state_pack, agency_pack], vocabulary)
        return cls([state_pack], vocabulary)

    @staticmethod
    def _effective_rules(packs: list[Pack]) -> list[Rule]:
        by_id: dict[str, Rule] = {}
        for pack in packs:
            for rule in pack.rules:
                by_id[rule.id] = rule
        return list(by_id.values())

    @property
    def state(self) -> Pack:
        return self.packs[0]

    @property
    def agency(self) -> Pack | None:
        return self.packs[1] if len(self.packs) > 1 else None

    @property
    def purposes(self) -> dict[str, str]:
        """The closed list of purposes (offense categories) people choose from:
        the agency's, else the state's."""
        for pack in reversed(self.packs):
            if pack.purposes:
                return dict(pack.purposes)
        return {}

    @property
    def case_number_format(self) -> dict | None:
        """How the agency's case numbers are written (`pattern`, `example`,
        `says`): the agency's, else the state's, else no format."""
        for pack in reversed(self.packs):
            if pack.case_number:
                return dict(pack.case_number)
        return None

    @property
    def public_search_audit(self) -> dict:
        """What the public record of searches shows beyond the anonymous
        columns (`officer_names`): the agency's choice, else the state's, else nothing."""
        for pack in reversed(self.packs):
            if pack.public_search_audit is not None:
                return dict(pack.public_search_audit)
        return {}

    def rules(self, action: str) -> list[Rule]:
        return list(self._rules.get(action, []))

    def all_rules(self) -> list[Rule]:
        return [rule for rules in self._rules.values() for rule in rules]

    def decide(self, action: str, context: dict[str, Any]) -> Decision:
        """Allowed only when every applicable rule is satisfied. An action no
        loaded rule covers cannot be decided at all: never an allow."""
        self.vocabulary.check_context(action, context)
        rules = self._rules.get(action)
        if not rules:
            raise UnknownAction(f"no loaded policy pack has a rule for '{action}'")
        decision = Decision(action=action, allowed=True,
                            packs={p.name: p.fingerprint for p in self.packs if any(r.pack == p.name for r in rules)})
        for rule in rules:
            unknown = rule.unknown_conditions(context)
            if unknown:
                decision.reasons += [Reason(rule.id, rule.cite, f"'{name}' must be known to decide this", name,
                                            rule.basis, rule.says) for name in unknown]
                continue
            if not rule.applies(context):
                continue
            _evaluated.add((rule.pack, rule.id))
            decision.rules.append(rule.id)
            for kind, spec in rule.check.items():
                for field_name, message in checks.JUDGES[kind](spec, context):
                    decision.reasons.append(Reason(rule.id, rule.cite, message, field_name, rule.basis, rule.says))
            for key, value in rule.obligations.items():
                current = decision.obligations.get(key)
                decision.obligations[key] = value if current is None else checks.combine_obligation(current, value)
        decision.allowed = not decision.reasons
        return decision

    def obligation(self, action: str, key: str, context: dict[str, Any] | None = None) -> Any:
        """An obligation of `action` in `context`. Without a context the answer
        never changes for a loaded engine (packs are immutable), so it is kept."""
        if context:
            return self.decide(action, context).obligations.get(key)
        if (action, key) not in self._constant_obligations:
            self._constant_obligations[action, key] = self.decide(action, {}).obligations.get(key)
        return self._constant_obligations[action, key]


def _refuse_loosening(state_pack: Pack, agency_pack: Pack) -> None:
    if agency_pack.state != state_pack.name:
        raise PolicyPackError(agency_pack.path, None,
                              f"names state pack '{agency_pack.state}', not '{state_pack.name}'")
    base = {rule.id: rule for rule in state_pack.rules}
    for rule in agency_pack.rules:
        old = base.get(rule.id)
        if old is None:
            continue
        problem = _loosening(rule, old)
        if problem:
            raise PolicyPackError(agency_pack.path, rule.id,
                                  f"loosens the state rule ({old.cite}): {problem}")


def _loosening(new: Rule, old: Rule) -> str | None:
    if new.action != old.action:
        return f"it moves the rule from action '{old.action}' to '{new.action}'"
    if new.when != old.when:
        return "it changes when the rule applies"
    if not set(new.unless) <= set(old.unless):
        return f"it adds exceptions {sorted(set(new.unless) - set(old.unless))}"
    for kind, spec in old.check.items():
        if kind not in new.check:
            return f"it drops the '{kind}' check"
        if not checks.AT_LEAST_AS_STRICT[kind](new.check[kind], spec):
            return f"its '{kind}' check is weaker than the state's"
    for key, value in old.obligations.items():
        if key not in new.obligations:
            return f"it drops the obligation '{key}'"
        if not checks.obligation_at_least_as_strict(new.obligations[key], value):
            return f"its obligation '{key}' is weaker than the state's"
    return None
