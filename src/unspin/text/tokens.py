"""Tokens with exact code-point offsets into the input.

One regular expression serves both the data build (n-gram counting) and analysis, so
the statistics and the text being judged are cut into words the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Words (letters, with inner apostrophes/hyphens), numbers, or any single other symbol.
TOKEN_RE = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*|\d+(?:[.,:]\d+)*|[^\w\s]", re.UNICODE)
SENTENCE_END = frozenset({".", "!", "?"})


@dataclass(frozen=True)
class Token:
    text: str
    start: int
    end: int

    @property
    def is_word(self) -> bool:
        return self.text[0].isalpha()


def tokenize(text: str) -> list[Token]:
    """All tokens of `text` with their offsets: ``text[t.start:t.end] == t.text``."""
    return [Token(m.group(), m.start(), m.end()) for m in TOKEN_RE.finditer(text)]


def norm_token(tok: str) -> str:
    """The form used as a key into the statistics: lowercase, numbers collapsed."""
    if tok[0].isdigit():
        return "<num>"
    return tok.lower().replace("’", "'")
