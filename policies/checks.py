"""What each kind of check in a pack means: how it judges a context, and
which change of its parameters would make it stricter. A pack can only use
these kinds, so a new jurisdiction is new data, not new code."""
from __future__ import annotations

from typing import Any, Callable


def _present(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, (list, tuple, set, dict)):
        return bool(value)
    return True


def _as_list(value: Any) -> list:
    return list(value) if isinstance(value, (list, tuple, set)) else [value]


Finding = tuple[str, str]  # (the context field concerned, what is wrong)


def only_fields(allowed: list[str], ctx: dict) -> list[Finding]:
    if ctx.get("fields") is None:
        return [("fields", "the fields collected must be known")]
    extra = sorted(set(ctx["fields"]) - set(allowed))
    return [(f, f"field '{f}' may not be collected") for f in extra]


def required(names: list[str], ctx: dict) -> list[Finding]:
    return [(n, f"'{n}' is required") for n in names if not _present(ctx.get(n))]


def must_hold(names: list[str], ctx: dict) -> list[Finding]:
    return [(n, f"'{n}' must hold") for n in names if not ctx.get(n)]


def forbid(spec: dict, ctx: dict) -> list[Finding]:
    """An unknown value could be a forbidden one: it refuses too."""
    field = spec["field"]
    if ctx.get(field) is None:
        return [(field, f"'{field}' must be known")]
    hits = [v for v in _as_list(ctx.get(field)) if v in spec["values"]]
    return [(field, f"{field} '{v}' is not allowed") for v in hits]


def allow_only(spec: dict, ctx: dict) -> list[Finding]:
    field = spec["field"]
    values = [v for v in _as_list(ctx.get(field)) if v is not None]
    if not values:
        return [(field, f"'{field}' is required")]
    return [(field, f"{field} '{v}' is not allowed") for v in values if v not in spec["values"]]


def at_most(spec: dict, ctx: dict) -> list[Finding]:
    field, limit = spec["field"], spec["limit"]
    value = ctx.get(field)
    if value is None or isinstance(value, bool) or not isinstance(value, (int, float)):
        return [(field, f"'{field}' must be known and at most {limit:g}")]
    return [(field, f"'{field}' is {value:g}, more than {limit:g}")] if value > limit else []


def same(names: list[str], ctx: dict) -> list[Finding]:
    values = [ctx.get(n) for n in names]
    if any(v is None for v in values) or len(set(values)) > 1:
        return [(names[-1], f"{' and '.join(names)} must be the same")]
    return []


def roles(allowed: list[str], ctx: dict) -> list[Finding]:
    role = ctx.get("role")
    return [] if role in allowed else [("role", f"role '{role}' may not do this")]


JUDGES: dict[str, Callable[[Any, dict], list[Finding]]] = {
    "only_fields": only_fields, "required": required, "must_hold": must_hold, "forbid": forbid,
    "allow_only": allow_only, "at_most": at_most, "same": same, "roles": roles,
}


def _subset(a, b) -> bool:
    return set(a) <= set(b)


def _same_field(stricter: Callable[[dict, dict], bool]) -> Callable[[dict, dict], bool]:
    return lambda new, old: new["field"] == old["field"] and stricter(new, old)


# For each kind: is `new` at least as strict as `old`?
AT_LEAST_AS_STRICT: dict[str, Callable[[Any, Any], bool]] = {
    "only_fields": lambda new, old: _subset(new, old),
    "required": lambda new, old: _subset(old, new),
    "must_hold": lambda new, old: _subset(old, new),
    "forbid": _same_field(lambda new, old: _subset(old["values"], new["values"])),
    "allow_only": _same_field(lambda new, old: _subset(new["values"], old["values"])),
    "at_most": _same_field(lambda new, old: new["limit"] <= old["limit"]),
    "same": lambda new, old: _subset(old, new),
    "roles": lambda new, old: _subset(new, old),
}


def obligation_at_least_as_strict(new: Any, old: Any) -> bool:
    """Numbers are limits (fewer days is stricter), flags only tighten from
    false to true, lists only grow."""
    if isinstance(old, bool):
        return isinstance(new, bool) and (new or not old)
    if isinstance(old, (int, float)):
        return isinstance(new, (int, float)) and not isinstance(new, bool) and new <= old
    return isinstance(new, list) and _subset(old, new)


def combine_obligation(a: Any, b: Any) -> Any:
    """Two rules set the same obligation: the stricter wins."""
    if isinstance(a, bool):
        return a or b
    if isinstance(a, (int, float)):
        return min(a, b)
    return sorted(set(a) | set(b))
