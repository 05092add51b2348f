"""The data-sharing terms partners accept: versioned text files beside this
module; the newest version is the one offered, and the accepted version and
a hash of its text are kept with the acceptance."""
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
        """The text as a page shows it: CommonMark, any HTML in it escaped."""
        # markdown-it escapes every character of the text itself ("html": False keeps raw HTML out).
        return Markup(MarkdownIt("commonmark", {"html": False}).render(self.text))  # nosec B704


@lru_cache(maxsize=1)
def current_terms() -> Terms:
    newest = max(TERMS_DIR.glob("*.md"), key=lambda p: p.stem)
    return Terms(newest.stem, newest.read_text(encoding="utf-8"))
