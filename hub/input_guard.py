"""Odd input stopped at the edge, before a service or the database sees it.

PostgreSQL refuses text holding a NUL character or half of a UTF-16
surrogate pair, and integers past a column's range overflow it (SQLite's
limit is 64 bits, PostgreSQL's `integer` 32): either would surface as a
server error, with the statement's parameters in the exception. Control
characters other than tab and line breaks have no place in anything a
person types and would reach logs, exports and pages. Every request is
checked here once: such a character in any query parameter, form field,
path segment or JSON string is a 422 naming the field (the OpenAPI document
says so with a `pattern` on every string, `TEXT_PATTERN`); so is a JSON
integer outside the 32-bit range (no number the API takes is larger: ids,
hours, days, limits) and a query or form integer past 64 bits. `<int:...>`
in a route is bounded to the 32-bit ids most tables use and `<bigint:...>`
to the 64-bit ones (ledger entries, reads, alerts), so a larger one names no
record: 404, and never reaches a refusal's record."""
from __future__ import annotations

import re
from typing import Any, Iterator

from flask import Flask, request
from werkzeug.routing import BaseConverter, IntegerConverter

from hub.errors import ValidationFailed

MAX_INT32 = 2**31 - 1
MAX_INT64 = 2**63 - 1
_DECIMAL = re.compile(r"^\s*[+-]?\d+\s*$")
# C0 controls but tab, line feed and carriage return; DEL and the C1 controls.
_CONTROLS = "\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f"
TEXT_PATTERN = f"^[^{_CONTROLS}]*$"
_ODD_CHARACTER = re.compile(f"[{_CONTROLS}\\ud800-\\udfff]")
ODD_TEXT = "Text cannot contain a NUL or another control character."


class OddInput(ValidationFailed):
    code = "invalid_input"
    message = "Some fields hold values the hub cannot store."


class IdConverter(IntegerConverter):
    """`<int:...>`: an id of a table whose ids are 32-bit (`Integer`)."""

    default_max = MAX_INT32

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = None,
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=self.default_max if max is None else max,
                         signed=signed)


class BigIdConverter(IdConverter):
    """`<bigint:...>`: an id of a table whose ids are 64-bit (`BigInteger`)."""

    default_max = MAX_INT64


class TokenConverter(BaseConverter):
    """`<token:...>`: a secret token in a path (the hub's tokens are letters,
    digits, `_` and `-`); anything else does not match the route."""

    regex = r"[A-Za-z0-9_-]{1,200}"


def token_parameter(converter: TokenConverter) -> dict:
    return {"type": "string", "pattern": rf"^{TokenConverter.regex}$"}


def _json_problems(value: Any, name: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        if _ODD_CHARACTER.search(value):
            yield name, ODD_TEXT
    elif isinstance(value, bool):
        return
    elif isinstance(value, int):
        if abs(value) > MAX_INT32:
            yield name, f"A number here lies between -{MAX_INT32} and {MAX_INT32}."
    elif isinstance(value, dict):
        for key, item in value.items():
            child = f"{name}.{key}" if name else str(key)
            if _ODD_CHARACTER.search(str(key)):
                yield _ODD_CHARACTER.sub("?", child), "A field name cannot contain a control character."
            else:
                yield from _json_problems(item, child)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _json_problems(item, f"{name}.{index}" if name else str(index))


def _past_64_bits(decimal: str) -> bool:
    """Without converting: Python refuses to convert more than 4,300 digits."""
    digits = decimal.strip().lstrip("+-").lstrip("0")
    return len(digits) > len(str(MAX_INT64)) or (len(digits) == len(str(MAX_INT64)) and int(digits) > MAX_INT64)


def _text_problems(values) -> Iterator[tuple[str, str]]:
    for key, value in values.items(multi=True):
        key = key or ""  # a multipart part may come without a name
        name = _ODD_CHARACTER.sub("?", key)
        if _ODD_CHARACTER.search(key) or _ODD_CHARACTER.search(value):
            yield name, ODD_TEXT
        elif _DECIMAL.match(value) and _past_64_bits(value):
            yield name, f"A number here lies between -{MAX_INT64} and {MAX_INT64}."


def input_problems() -> dict[str, list[str]]:
    """Every problem in the request, by field name."""
    problems: dict[str, list[str]] = {}
    found = [*_text_problems(request.args),
             *((name, ODD_TEXT) for name, value in (request.view_args or {}).items()
               if isinstance(value, str) and _ODD_CHARACTER.search(value))]
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        found += _text_problems(request.form)
        found += [(name, "A file name cannot contain a control character.")
                  for name, upload in request.files.items(multi=True) if _ODD_CHARACTER.search(upload.filename or "")]
    if request.is_json:
        body = request.get_json(silent=True)
        if body is not None:
            found += _json_problems(body, "")
    for name, message in found:
        problems.setdefault(name or "body", []).append(message)
    return problems


def init_app(app: Flask) -> None:
    app.url_map.converters["int"] = IdConverter
    app.url_map.converters["bigint"] = BigIdConverter
    app.url_map.converters["token"] = TokenConverter

    @app.before_request
    def refuse_odd_input():
        problems = input_problems()
        if problems:
            raise OddInput(errors=problems)
