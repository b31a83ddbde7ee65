"""Pasted keywords: a search query dropped into a sentence where it breaks the grammar.

A run of lower-case content words that contains a query marker ("buy", "near me",
"cheap", "uk", a price or year word ...) is a candidate. It is flagged only when the
sentence reads better without it: the words around it do not follow on from the run
(unseen bigrams at both edges) while they do follow on from each other, or one edge is
punctuation. Quoted runs, list items and title-case runs are left alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from unspin.resources.stats import Stats
from unspin.text.tokens import Token

MARKERS = frozenset(
    """buy cheap cheapest best top near online sale price prices cost deals deal discount
    discounts coupon coupons review reviews uk usa us ny nyc london manchester birmingham
    sydney melbourne toronto dubai delhi mumbai california texas florida chicago 2019 2020
    2021 2022 2023 2024 2025 2026 hire rental rent services service shop store order
    free shipping delivery vs affordable wholesale""".split()
)
# Markers that ordinary prose rarely strings together lower-case: shopping intent and
# place names written as a search box takes them. Only a run with one of these (or
# "near me") can be a strong paste; "best", "price", "services" ... are everyday words.
COMMERCIAL = frozenset(
    """buy cheap cheapest online discount discounts coupon coupons deals wholesale
    affordable shipping uk usa ny nyc london manchester birmingham sydney melbourne
    toronto dubai delhi mumbai california texas florida chicago""".split()
)
# Any query marker, as a lower-case word (a cheap test of whether a text may hold a paste).
MARKER_RE = re.compile(r"\b(?:" + "|".join(sorted(MARKERS)) + r")\b")
QUERY_GLUE = frozenset("near me for in to vs and of with".split())
BREAKERS = frozenset(
    """the a an is are was were be been has have had that which who this these those it its
    he she they we i you his her their our not but or as at by on from""".split()
)
MAX_LEFT, MAX_RIGHT = 3, 4  # words a query may reach around its marker
MIN_JOIN = 5  # fewer bigram occurrences than this: the words do not follow on
# Scores of a paste: strong (flagged in any document) or weak (flagged only in a
# document judged spun); see _judge.
STRONG_KEYWORD = 0.95
WEAK_KEYWORD = 0.8
QUOTES = frozenset("\"“”‘’'")
# A determiner needs its noun: a run between one and punctuation ("to your account
# online,") is the noun phrase itself, not a paste that the sentence reads on without.
DETERMINERS = frozenset("the a an your my our their his her its this that these those".split())


@dataclass(frozen=True)
class KeywordSpan:
    tok_start: int
    tok_end: int
    score: float
    evidence: str


def find_keywords(
    text: str, tokens: list[Token], ids: np.ndarray, stats: Stats
) -> list[KeywordSpan]:
    out: list[KeywordSpan] = []
    n = len(tokens)
    i = 0
    lower = [t.text.lower() for t in tokens]
    while i < n:
        t = tokens[i].text
        if not (t.isalpha() and t.islower() and lower[i] in MARKERS):
            i += 1
            continue
        a = i
        while (
            a > max(0, i - MAX_LEFT)
            and _query_word(tokens[a - 1].text, lower[a - 1])
            and _adjacent(text, tokens[a - 1], tokens[a])
        ):
            a -= 1
        b = i + 1
        while (
            b < min(n, i + 1 + MAX_RIGHT)
            and _query_word(tokens[b].text, lower[b])
            and _adjacent(text, tokens[b - 1], tokens[b])
        ):
            b += 1
        # The pasted run starts and ends where the text stops following on: pick the
        # edges with the rarest bigram across them.
        a, b = _edges(ids, stats, a, i, b)
        while a < i and lower[a] in QUERY_GLUE:
            a += 1
        while b > i + 1 and lower[b - 1] in QUERY_GLUE - {"me"}:
            b -= 1
        span = _judge(text, tokens, ids, stats, a, b)
        if span:
            out.append(span)
        i = max(b, i + 1)
    return out


def _edges(ids: np.ndarray, stats: Stats, a: int, i: int, b: int) -> tuple[int, int]:
    n = len(ids)
    lefts = np.arange(max(a, 1), i + 1)
    rights = np.arange(i + 1, min(b, n - 1) + 1)
    # The widest run whose edges are both broken; else the rarest edges.
    if len(lefts):
        c = stats.bigram_counts(ids[lefts - 1], ids[lefts])
        a = int(lefts[c < MIN_JOIN][0]) if (c < MIN_JOIN).any() else int(lefts[np.argmin(c)])
    if len(rights):
        c = stats.bigram_counts(ids[rights - 1], ids[rights])
        b = int(rights[c < MIN_JOIN][-1]) if (c < MIN_JOIN).any() else int(rights[np.argmin(c)])
    return a, b


def _query_word(tok: str, low: str) -> bool:
    return (tok.isalpha() and tok.islower() and low not in BREAKERS) or tok.isdigit()


def _adjacent(text: str, t1: Token, t2: Token) -> bool:
    return text[t1.end : t2.start] == " "


def _judge(text, tokens, ids, stats: Stats, a: int, b: int) -> KeywordSpan | None:
    if b - a < 2:
        return None
    n = len(tokens)
    # Context: quoted, a list line, or a heading-like line -> legitimate use.
    before = text[max(0, tokens[a].start - 1) : tokens[a].start]
    after = text[tokens[b - 1].end : tokens[b - 1].end + 1]
    if before in QUOTES or after in QUOTES:
        return None
    line_start = text.rfind("\n", 0, tokens[a].start) + 1
    line_head = text[line_start : line_start + 2].lstrip()
    if line_head[:1] in {"-", "*", "•"} or (line_head[:1].isdigit() and "." in line_head):
        return None
    if a == 0 or b >= n:
        return None
    left, right = tokens[a - 1].text, tokens[b].text
    left_punct = not left[0].isalnum()
    right_punct = not right[0].isalnum()
    if left_punct and right_punct:
        return None  # a run between punctuation is a list item or a title, not a paste
    if right_punct and left.lower() in DETERMINERS:
        return None
    l_id, r_id = ids[a - 1 : a], ids[b : b + 1]
    in_l = stats.bigram_counts(l_id, ids[a : a + 1])[0]
    in_r = stats.bigram_counts(ids[b - 1 : b], r_id)[0]
    bridged = stats.bigram_counts(l_id, r_id)[0]
    broken_l, broken_r = in_l < MIN_JOIN or left_punct, in_r < MIN_JOIN or right_punct
    # Both edges broken, or one edge broken around a longer run; and the sentence reads
    # on without the run (its neighbours follow each other in clean English).
    if not (broken_l and broken_r) and not ((broken_l or broken_r) and b - a >= 3):
        return None
    if not (bridged > 0 or left_punct or right_punct):
        return None
    # Both edges broken around a commercial run is strong evidence (flagged in any
    # document); one edge, or everyday marker words, are not.
    run = [t.text.lower() for t in tokens[a:b]]
    commercial = any(w in COMMERCIAL for w in run) or " near me" in " " + " ".join(run)
    score = STRONG_KEYWORD if (broken_l and broken_r and commercial) else WEAK_KEYWORD
    return KeywordSpan(
        a, b, score, "search-query words that break the sentence; it reads on without them"
    )
