"""Replaced words: the learned detector's view of each word, with the evidence it cannot see.

The encoder (model/detector.py) reads lower-cased sub-words, so a dictionary capital left
mid-sentence ("Negative effects") never reaches it; the n-gram unit scorer
(signals/substitution.py) knows which dictionary links a word and how well the candidates
fit; known tortured-phrase fingerprints are curated evidence. One logistic combiner over
these features, fitted by build/calibration.py, gives each word its probability of having
been written by a spinner.
"""

from __future__ import annotations

import numpy as np

from unspin.signals.stopwords import STOPWORDS
from unspin.text.tokens import SENTENCE_END, Token

WORD_FEATURES = (
    "bias",
    "logit",
    "logit_pos",
    "cap_mid",
    "ngram",
    "has_unit",
    "known",
    "stop",
    "short",
)
NGRAM_FEATURES = ("ngram", "has_unit", "known")
_OPENERS = {'"', "(", ":", "\u201c"}


def sentence_starts(tokens: list[Token]) -> np.ndarray:
    out = np.zeros(len(tokens), dtype=bool)
    prev = "."
    for i, t in enumerate(tokens):
        out[i] = prev in SENTENCE_END or prev in _OPENERS
        prev = t.text
    return out


def word_features(
    tokens: list[Token],
    word_tok: np.ndarray,
    logits: np.ndarray,
    cap_ratio: np.ndarray,
    unit_start: np.ndarray,
    unit_end: np.ndarray,
    unit_p: np.ndarray,
    unit_known: np.ndarray,
) -> np.ndarray:
    """Feature rows (len(word_tok), len(WORD_FEATURES)) for the word tokens `word_tok`.

    `logits` are the encoder's, per word token; `cap_ratio` (per token) is how often the
    word is capitalised in clean text; units are the n-gram scorer's, with their scores.
    """
    n = len(word_tok)
    X = np.zeros((n, len(WORD_FEATURES)))
    if n == 0:
        return X
    starts = sentence_starts(tokens)
    z = np.clip(logits, -12, 12)
    X[:, 0] = 1.0
    X[:, 1] = z / 4
    X[:, 2] = np.maximum(z, 0) / 4
    texts = [tokens[i].text for i in word_tok]
    is_cap = np.fromiter((t[0].isupper() and not t.isupper() for t in texts), bool, n)
    X[:, 3] = is_cap & ~starts[word_tok] & (cap_ratio[word_tok] < 0.2)
    # n-gram evidence per token: the best single-word unit's score (as a logit), and
    # whether a known fingerprint phrase covers the token.
    best = np.full(len(tokens), -np.inf)
    known = np.zeros(len(tokens), dtype=bool)
    single = unit_end - unit_start == 1
    if single.any():
        np.maximum.at(best, unit_start[single], unit_p[single])
    for s, e in zip(unit_start[unit_known], unit_end[unit_known]):
        known[s:e] = True
    b = best[word_tok]
    has = np.isfinite(b)
    pb = np.clip(np.where(has, b, 0.5), 1e-4, 1 - 1e-4)
    X[:, 4] = np.where(has, np.log(pb / (1 - pb)), 0.0) / 4
    X[:, 5] = has
    X[:, 6] = known[word_tok]
    X[:, 7] = np.fromiter((t.lower() in STOPWORDS for t in texts), bool, n)
    X[:, 8] = np.fromiter((len(t) <= 3 for t in texts), bool, n)
    return X
