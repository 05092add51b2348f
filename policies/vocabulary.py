"""The actions the hub asks the engine about and the context fields it gives
for each. A pack is checked against this vocabulary when it loads: a rule
naming an action or a field the hub never gives, or a condition no context
can meet, would be a rule that silently never applies, so it stops the hub
from starting instead. The engine, in turn, refuses to decide an action or
to read a field that is not declared here."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from policies.loading import Pack, PolicyPackError, Rule

BOOLEAN = (True, False)


class UnknownAction(LookupError):
    """The hub asked about an action no loaded pack (or no declaration) knows."""


class UnknownContextField(LookupError):
    """The hub passed a context field it never declared for the action."""


@dataclass(frozen=True)
class ActionSpec:
    """One action: the context fields the hub gives when it asks, each with
    the values it can take (None: any value), and, for an action whose
    capability the hub does not have yet, what will evaluate it."""

    name: str
    fields: Mapping[str, tuple | None]
    pending: str | None = None


@dataclass
class Vocabulary:
    actions: dict[str, ActionSpec] = field(default_factory=dict)

    @classmethod
    def of(cls, specs: Iterable[ActionSpec]) -> "Vocabulary":
        vocabulary = cls()
        for spec in specs:
            vocabulary.add(spec)
        return vocabulary

    def add(self, spec: ActionSpec) -> None:
        known = self.actions.get(spec.name)
        if known is not None and known != spec:
            raise ValueError(f"action '{spec.name}' is declared twice, differently")
        self.actions[spec.name] = spec

    def spec(self, action: str) -> ActionSpec:
        try:
            return self.actions[action]
        except KeyError:
            raise UnknownAction(f"the hub declares no policy action '{action}'") from None

    def check_context(self, action: str, context: Mapping[str, Any]) -> None:
        unknown = sorted(set(context) - set(self.spec(action).fields))
        if unknown:
            raise UnknownContextField(f"action '{action}' declares no context field(s) {unknown}")

    def check_pack(self, pack: Pack) -> None:
        for rule in pack.rules:
            problem = self._problem(rule)
            if problem:
                raise PolicyPackError(pack.path, rule.id, problem)

    def _problem(self, rule: Rule) -> str | None:
        spec = self.actions.get(rule.action)
        if spec is None:
            return f"action '{rule.action}' is not one the hub evaluates (known: {', '.join(sorted(self.actions))})"
        for name in sorted(fields_named(rule)):
            if name not in spec.fields:
                return (f"field '{name}' is not one the hub gives for '{rule.action}' "
                        f"(it gives: {', '.join(sorted(spec.fields))})")
        for name, expected in rule.when.items():
            domain = spec.fields[name]
            values = expected if isinstance(expected, list) else [expected]
            if domain is not None and not any(v in domain for v in values):
                return f"it can never apply: '{name}' is never {values} (it is one of {list(domain)})"
        return None


def fields_named(rule: Rule) -> set[str]:
    """Every context field a rule reads."""
    names = set(rule.when) | set(rule.unless)
    for kind, spec in rule.check.items():
        if kind == "only_fields":
            names.add("fields")
        elif kind == "roles":
            names.add("role")
        elif isinstance(spec, dict):
            names.add(spec["field"])
        else:
            names.update(spec)
    return names
