"""The data-sharing terms partners accept: versioned Markdown files beside
this module, shown as HTML; the newest version is the one offered, and the
accepted version and a hash of its text are kept with each acceptance. A new
version asks every partner to accept again."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from markdown_it import MarkdownIt
from markupsafe import Markup

TERMS_DIR = Path(__file__).parent / "terms"


@dataclass(frozen=True)
class Terms:
    version: str
    text: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()

    @property
    def html(self) -> Markup:
        """The text as HTML; the files are the project's own, and raw HTML in them is not passed through."""
        return Markup(_MARKDOWN.render(self.text))  # nosec B704 (html disabled: markdown-it escapes every tag)


_MARKDOWN = MarkdownIt("commonmark", {"html": False}).enable("table")


@lru_cache(maxsize=1)
def current_terms() -> Terms:
    newest = max(TERMS_DIR.glob("*.md"), key=lambda p: p.stem)
    return Terms(newest.stem, newest.read_text(encoding="utf-8"))
