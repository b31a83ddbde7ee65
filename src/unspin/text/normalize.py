"""Unicode clean-up that keeps every offset: homoglyphs are swapped one code point for one.

Spammers write Latin words with look-alike letters from other scripts (Cyrillic, Greek,
Armenian, Coptic), Latin small capitals and IPA letters, Roman numerals and even digits
of other scripts, so filters miss them. `fold_homoglyphs` returns a same-length text in
which those letters are Latin again, and the spans of the words that contained them
(reported as artifacts).
"""

from __future__ import annotations

import re
import unicodedata

# Letters (and a few digits) of other scripts that render like Latin ones. Greek letters
# that English prose uses as themselves (alpha, beta, mu ...) fold only inside a word
# that also has Latin letters ("αbout"), never standing alone ("α-helix").
HOMOGLYPHS = {
    # Cyrillic
    "а": "a", "в": "b", "е": "e", "г": "r", "к": "k", "қ": "k", "о": "o", "п": "n",
    "р": "p", "с": "c", "у": "y", "х": "x", "ь": "b", "і": "i", "ј": "j", "ѕ": "s",
    "ѡ": "w", "ԁ": "d", "ӏ": "l", "һ": "h", "ԛ": "q", "ԝ": "w",
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P",
    "С": "C", "Т": "T", "Х": "X", "І": "I", "Ј": "J", "Ѕ": "S", "Ь": "b", "Ӏ": "I",
    "Ԛ": "Q", "Ԝ": "W", "Ү": "Y",
    # Greek
    "α": "a", "ο": "o", "ρ": "p", "ν": "v", "τ": "t", "ι": "i", "κ": "k", "υ": "u",
    "ϲ": "c", "ϳ": "j", "ϝ": "f",
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M",
    "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X", "Ϝ": "F",
    # Armenian, Coptic, Tai Le / New Tai Lue
    "ո": "n", "ս": "u", "օ": "o", "ⲟ": "o", "ⲣ": "p", "ᥙ": "u", "᧐": "o",
    # Latin small capitals and IPA letters
    "ɑ": "a", "ɡ": "g", "ɩ": "i", "ɗ": "d", "ƅ": "b", "ᴠ": "v", "ᴡ": "w", "ᴢ": "z",
    # Roman numerals
    "ⅰ": "i", "ⅴ": "v", "ⅹ": "x", "ⅼ": "l", "ⅽ": "c", "ⅾ": "d", "ⅿ": "m",
}  # fmt: skip
_TABLE = str.maketrans(HOMOGLYPHS)
_CHARS = "".join(sorted(HOMOGLYPHS))
_CONFUSABLE = re.compile(f"[{_CHARS}]")
# A word: letters and look-alikes (some are digits elsewhere), joined by apostrophes, so
# that "Ι’m" is one word with a Latin letter in it.
_WORD = re.compile(rf"(?:[^\W\d_]|[{_CHARS}])+(?:['’ʼ](?:[^\W\d_]|[{_CHARS}])+)*")
_LATIN = re.compile(r"[A-Za-z]")
_APOSTROPHES = re.compile("[\u2019\u02bc]")
_CYRILLIC = re.compile("[\u0400-\u04ff\u0500-\u052f]")


def fold_homoglyphs(text: str) -> tuple[str, list[tuple[int, int]]]:
    """(text with look-alikes made Latin, spans of the words that were changed).

    A word is folded when it mixes Latin letters with look-alikes and comes out all
    Latin ("new" with a Cyrillic e), or when it is a lone Cyrillic "a" or "I" between
    Latin words. Genuine Russian or Greek text, Greek letters used as such ("alpha-helix"
    with a Greek alpha) and words with letters that have no Latin look-alike (IPA
    transcriptions, Turkish, accented names) are left alone.
    """
    if not _CONFUSABLE.search(text):
        return text, []
    spans: list[tuple[int, int]] = []
    chars = list(text)
    found = list(_WORD.finditer(text))
    for k, m in enumerate(found):
        word = m.group()
        if not _CONFUSABLE.search(word):
            continue
        folded = word.translate(_TABLE)
        if not _ascii_word(folded) or _joined(text, m.start(), m.end()):
            continue
        if not _LATIN.search(word):
            # A whole word in look-alikes: only a Cyrillic "a" or "I" among Latin words.
            if folded not in ("a", "A", "I") or not _CYRILLIC.search(word):
                continue
            near = [found[j].group() for j in (k - 1, k + 1) if 0 <= j < len(found)]
            if not near or not all(_ascii_word(w.translate(_TABLE)) for w in near):
                continue
        spans.append((m.start(), m.end()))
        chars[m.start() : m.end()] = folded
    return "".join(chars), spans


def _joined(text: str, start: int, end: int) -> bool:
    """Whether the word runs on into a combining mark or modifier letter (IPA "ɡe̯", "kɑː"):
    a transcription, not a disguised word."""
    for ch in text[end : end + 1] + text[max(0, start - 1) : start]:
        if not ch.isascii() and unicodedata.category(ch) in ("Mn", "Mc", "Lm", "Sk"):
            return True
    return False


def _ascii_word(word: str) -> bool:
    """Latin letters and apostrophes only."""
    return bool(_LATIN.search(word)) and _APOSTROPHES.sub("", word).isascii()
