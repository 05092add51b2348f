"""Paging and sorting on the server, for every list that grows (the access
log, the ledger, hotlist entries, alerts, reads waiting for a person).

A page asks for `page`, `size` and `sort` (`-key` for descending) in its
query string; the keys come from a closed list the page declares, sizes
from `PAGE_SIZES`. Anything else is a 422 naming the argument, never a
guess. A page past the end shows the last page. Counting stops at
`MAX_ROWS`: a list that long is narrowed with its filters, not paged
through, so a deep page never costs a scan of the whole table."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from flask import Flask, request, url_for
from sqlalchemy import Select, func, select

from hub.errors import ValidationFailed
from hub.extensions import db

PAGE_SIZES = (25, 50, 100)
MAX_ROWS = 10_000


@dataclass(frozen=True)
class Sort:
    """A column people may sort by: its words and the column(s) it orders."""

    label: str
    columns: tuple


@dataclass(frozen=True)
class PageRequest:
    page: int
    size: int
    sort: str
    descending: bool


@dataclass
class Page:
    items: list
    total: int
    page: int
    size: int
    sort: str
    descending: bool

    @property
    def capped(self) -> bool:
        """More rows match than can be paged through."""
        return self.total > MAX_ROWS

    @property
    def pages(self) -> int:
        return max(1, -(-min(self.total, MAX_ROWS) // self.size))

    @property
    def first_row(self) -> int:
        return (self.page - 1) * self.size + 1 if self.items else 0

    @property
    def last_row(self) -> int:
        return (self.page - 1) * self.size + len(self.items)


def page_request(args: Mapping[str, str], sorts: Mapping[str, Sort], *, default_sort: str,
                 descending: bool = True, default_size: int = PAGE_SIZES[-1]) -> PageRequest:
    """The page asked for, or a 422 naming each argument that is not one of
    the choices."""
    errors: dict[str, list[str]] = {}
    page = args.get("page", "1")
    if not (page.isascii() and page.isdigit()) or int(page) < 1:
        errors["page"] = ["A page is a whole number from 1."]
    size = args.get("size", str(default_size))
    if size not in {str(s) for s in PAGE_SIZES}:
        errors["size"] = [f"Rows per page: one of {', '.join(map(str, PAGE_SIZES))}."]
    sort = args.get("sort", ("-" if descending else "") + default_sort)
    key = sort.removeprefix("-")
    if key not in sorts:
        errors["sort"] = [f"Sort by one of: {', '.join(sorts)} (a leading - for descending)."]
    if errors:
        raise ValidationFailed("The page asked for is not one this list has.", errors=errors)
    return PageRequest(int(page), int(size), key, sort.startswith("-"))


def paginate(query: Select, asked: PageRequest, sorts: Mapping[str, Sort], tiebreak: Any, *,
             scalars: bool = True) -> Page:
    """One page of `query` in the order asked, `tiebreak` (a unique column)
    keeping the order stable between pages."""
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).limit(MAX_ROWS + 1).subquery()))
    page = Page([], total, asked.page, asked.size, asked.sort, asked.descending)
    page.page = min(asked.page, page.pages)
    direction = (lambda c: c.desc()) if asked.descending else (lambda c: c.asc())
    ordered = query.order_by(*[direction(c) for c in sorts[asked.sort].columns], direction(tiebreak))
    ordered = ordered.offset((page.page - 1) * asked.size).limit(asked.size)
    page.items = list(db.session.scalars(ordered) if scalars else db.session.execute(ordered))
    return page


def page_url(**changes: Any) -> str:
    """This page's address with some query arguments changed (None drops one)."""
    args = {k: v for k, v in request.args.to_dict(flat=False).items() if k not in changes}
    args.update({k: v for k, v in changes.items() if v is not None})
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def init_app(app: Flask) -> None:
    app.jinja_env.globals["page_url"] = page_url
    app.jinja_env.globals["page_sizes"] = PAGE_SIZES
