"""Naive English inflection: guess a word's lemma and suffix, and put a suffix back on.

Spinners look synonyms up by lemma and re-inflect them; both spinners (the training one in
build/ and the benchmark one) do the same, through these two functions.
"""

from __future__ import annotations

from collections.abc import Iterator


def lemma_guesses(word: str) -> Iterator[tuple[str, str]]:
    """(lemma, suffix) guesses for a simple inflected form (-s, -es, -ies, -ed, -ing)."""
    if word.endswith("ies") and len(word) > 4:
        yield word[:-3] + "y", "s"
    if word.endswith("es") and len(word) > 4:
        yield word[:-2], "s"
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        yield word[:-1], "s"
    if word.endswith("ed") and len(word) > 4:
        yield word[:-2], "ed"
        yield word[:-1], "ed"
    if word.endswith("ing") and len(word) > 5:
        yield word[:-3], "ing"
        yield word[:-3] + "e", "ing"


def inflect(phrase: str, suffix: str) -> str:
    """Append a plural/-ed/-ing ending naively: to the last word for -s, the first otherwise."""
    words = phrase.split(" ")
    k = len(words) - 1 if suffix == "s" else 0
    w = words[k]
    if suffix in ("ed", "ing") and w.endswith("e"):
        w = w[:-1]
    if suffix == "s" and w.endswith(("s", "x", "z", "ch", "sh")):
        w += "es"
    elif suffix == "s" and w.endswith("y") and len(w) > 1 and w[-2] not in "aeiou":
        w = w[:-1] + "ies"
    else:
        w += suffix
    words[k] = w
    return " ".join(words)
