"""Unicode clean-up that keeps every offset: homoglyphs are swapped one code point for one.

Spammers write Latin words with look-alike Cyrillic or Greek letters so filters miss them.
`fold_homoglyphs` returns a same-length text in which those letters are Latin again, and
the spans of the words that contained them (reported as artifacts).
"""

from __future__ import annotations

import re

# Cyrillic and Greek letters that render like Latin ones.
HOMOGLYPHS = {
    "а": "a",
    "е": "e",
    "о": "o",
    "р": "p",
    "с": "c",
    "у": "y",
    "х": "x",
    "і": "i",
    "ј": "j",
    "ѕ": "s",
    "ԁ": "d",
    "ӏ": "l",
    "һ": "h",
    "ԛ": "q",
    "ԝ": "w",
    "А": "A",
    "В": "B",
    "Е": "E",
    "К": "K",
    "М": "M",
    "Н": "H",
    "О": "O",
    "Р": "P",
    "С": "C",
    "Т": "T",
    "Х": "X",
    "І": "I",
    "Ј": "J",
    "Ѕ": "S",
    "α": "a",
    "ο": "o",
    "ρ": "p",
    "ν": "v",
    "τ": "t",
    "ι": "i",
    "κ": "k",
    "υ": "u",
    "Α": "A",
    "Β": "B",
    "Ε": "E",
    "Ζ": "Z",
    "Η": "H",
    "Ι": "I",
    "Κ": "K",
    "Μ": "M",
    "Ν": "N",
    "Ο": "O",
    "Ρ": "P",
    "Τ": "T",
    "Υ": "Y",
    "Χ": "X",
}
_TABLE = str.maketrans(HOMOGLYPHS)
_CONFUSABLE = re.compile("[" + "".join(HOMOGLYPHS) + "]")
_WORD = re.compile(r"[^\W\d_]+")
_LATIN = re.compile(r"[A-Za-z]")


def fold_homoglyphs(text: str) -> tuple[str, list[tuple[int, int]]]:
    """(text with look-alikes made Latin, spans of mixed-script words that were changed).

    Only words that mix Latin letters with look-alikes are touched: genuine Russian or
    Greek text (no Latin letters in the word) is left alone.
    """
    if not _CONFUSABLE.search(text):
        return text, []
    spans: list[tuple[int, int]] = []
    chars = list(text)
    for m in _WORD.finditer(text):
        word = m.group()
        if _CONFUSABLE.search(word) and _LATIN.search(word):
            spans.append((m.start(), m.end()))
            chars[m.start() : m.end()] = word.translate(_TABLE)
    return "".join(chars), spans
