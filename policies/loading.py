"""Reading pack files: YAML, validated against `pack.schema.json`. A pack
that does not validate refuses to load with the file and the rule named."""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import yaml

PACKS_DIR = Path(__file__).parent / "packs"
_SCHEMA = json.loads((Path(__file__).parent / "pack.schema.json").read_text())


class PolicyPackError(Exception):
    def __init__(self, path: Path | str, rule: str | None, problem: str) -> None:
        self.path, self.rule, self.problem = str(path), rule, problem
        where = f"{self.path}, rule '{rule}'" if rule else self.path
        super().__init__(f"policy pack {where}: {problem}")


@dataclass(frozen=True)
class Rule:
    id: str
    action: str
    cite: str
    says: str
    when: dict[str, Any] = field(default_factory=dict)
    unless: tuple[str, ...] = ()
    check: dict[str, Any] = field(default_factory=dict)
    obligations: dict[str, Any] = field(default_factory=dict)
    pack: str = ""
    basis: str = "statute"
    proposed: str | None = None

    def unknown_conditions(self, context: dict[str, Any]) -> list[str]:
        """The `when` fields the context leaves out: whether the rule applies
        cannot be known, so the engine refuses rather than skip it."""
        return [key for key in self.when if context.get(key) is None]

    def applies(self, context: dict[str, Any]) -> bool:
        for key, expected in self.when.items():
            allowed = expected if isinstance(expected, list) else [expected]
            if context.get(key) not in allowed:
                return False
        return not any(context.get(flag) for flag in self.unless)


@dataclass(frozen=True)
class Pack:
    name: str
    kind: str
    title: str
    jurisdiction: str
    version: str
    path: Path
    rules: tuple[Rule, ...]
    state: str | None = None
    sources: tuple[str, ...] = ()
    digest: str = ""
    status: str = "in force"
    adopted: dict | None = None
    purposes: tuple[tuple[str, str], ...] = ()
    case_number: dict | None = None
    public_search_audit: dict | None = None

    @property
    def fingerprint(self) -> str:
        """The pack's version and the hash of its file: which law was in force."""
        return f"{self.version} sha256:{self.digest[:16]}"


def _rule_name(document: dict, error: jsonschema.ValidationError) -> str | None:
    path = list(error.absolute_path)
    if len(path) >= 2 and path[0] == "rules" and isinstance(path[1], int):
        try:
            return document["rules"][path[1]].get("id") or f"#{path[1] + 1}"
        except (IndexError, AttributeError):
            return f"#{path[1] + 1}"
    return None


def load_pack_file(path: Path, *, kind: str | None = None) -> Pack:
    if not path.is_file():
        raise PolicyPackError(path, None, "no such pack file")
    raw = path.read_bytes()
    try:
        document = yaml.safe_load(raw.decode("utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise PolicyPackError(path, None, f"is not valid YAML ({exc})") from None
    if not isinstance(document, dict):
        raise PolicyPackError(path, None, "must be a mapping with 'pack' and 'rules'")
    error = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(_SCHEMA).iter_errors(document))
    if error is not None:
        location = "/".join(str(p) for p in error.absolute_path) or "top level"
        raise PolicyPackError(path, _rule_name(document, error), f"{error.message} (at {location})")
    if kind and document["kind"] != kind:
        raise PolicyPackError(path, None, f"is a {document['kind']} pack where a {kind} pack is expected")
    if "case_number" in document:
        try:
            re.compile(document["case_number"]["pattern"])
        except re.error as exc:
            raise PolicyPackError(path, None, f"case_number pattern is not a regular expression ({exc})") from None
    ids = [r["id"] for r in document["rules"]]
    duplicated = sorted({i for i in ids if ids.count(i) > 1})
    if duplicated:
        raise PolicyPackError(path, duplicated[0], "rule id appears more than once")
    rules = tuple(
        Rule(id=r["id"], action=r["action"], cite=r["cite"], says=r["says"].strip(),
             when=r.get("when", {}), unless=tuple(r.get("unless", [])),
             check=r.get("check", {}), obligations=r.get("obligations", {}), pack=document["pack"],
             basis=r.get("basis", "statute"), proposed=r.get("proposed"))
        for r in document["rules"]
    )
    return Pack(name=document["pack"], kind=document["kind"], title=document["title"],
                jurisdiction=document["jurisdiction"], version=document["version"], path=path,
                rules=rules, state=document.get("state"), sources=tuple(document.get("sources", [])),
                digest=hashlib.sha256(raw).hexdigest(), status=document.get("status", "in force"),
                adopted=document.get("adopted"),
                purposes=tuple((p["id"], p["label"]) for p in document.get("purposes", [])),
                case_number=document.get("case_number"), public_search_audit=document.get("public_search_audit"))
