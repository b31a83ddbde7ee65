"""Words to sub-word windows and back, the same way at build time and at run time.

A word is a token of `unspin.text.tokens.TOKEN_RE` that starts with a letter or digit; the
model reads each word through its first sub-word. Long texts are cut into windows of at most
`window` sub-words that overlap by `2 * margin`; each word is scored by the window where it
sits farthest from an edge, so every word has left and right context.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from unspin.text.tokens import TOKEN_RE

CLS_ID = 101
SEP_ID = 102
PAD_ID = 0


@dataclass
class Encoded:
    """A text's words as (start, end) offsets, its sub-word ids (no special tokens) and,
    per word, the index of its first sub-word (-1 where none starts inside it)."""

    words: list[tuple[int, int]]
    ids: np.ndarray
    first: np.ndarray


@dataclass
class Window:
    """One model input: sub-word ids (with [CLS]/[SEP]) and, for the words it scores, their
    index in the document and the position of their first sub-word in `ids`."""

    ids: np.ndarray
    word_index: np.ndarray
    position: np.ndarray


def words_of(text: str) -> list[tuple[int, int]]:
    """(start, end) of every word (letters or digits first) in `text`."""
    return [(m.start(), m.end()) for m in TOKEN_RE.finditer(text) if m.group()[0].isalnum()]


def first_subwords(offsets: list[tuple[int, int]], words: list[tuple[int, int]]) -> np.ndarray:
    """For each word, the index of its first sub-word (-1 where none starts inside it)."""
    starts = np.array([s for s, _ in offsets], dtype=np.int64)
    out = np.full(len(words), -1, dtype=np.int64)
    if not len(starts):
        return out
    ws = np.array([s for s, _ in words], dtype=np.int64)
    we = np.array([e for _, e in words], dtype=np.int64)
    j = np.searchsorted(starts, ws, side="left")
    ok = j < len(starts)
    jj = np.minimum(j, len(starts) - 1)
    ok &= starts[jj] < we
    out[ok] = j[ok]
    return out


def windows(
    ids: np.ndarray, first: np.ndarray, window: int = 128, margin: int = 16
) -> list[Window]:
    """Cut a document's sub-words into overlapping windows; each word scored exactly once."""
    body = window - 2
    n = len(ids)
    valid = np.flatnonzero(first >= 0)
    pos = first[valid]
    out: list[Window] = []
    if n <= body:
        spans = [(0, n, 0, n)]
    else:
        step = body - 2 * margin
        spans = []
        a = 0
        while True:
            b = min(a + body, n)
            core_lo = a if a == 0 else a + margin
            core_hi = b if b == n else b - margin
            spans.append((a, b, core_lo, core_hi))
            if b == n:
                break
            a += step
    for a, b, lo, hi in spans:
        # `pos` ascends with the words, so a window's words are one slice (linear in size).
        i, j = np.searchsorted(pos, lo, side="left"), np.searchsorted(pos, hi, side="left")
        if i == j:
            continue
        w_ids = np.concatenate(([CLS_ID], ids[a:b], [SEP_ID])).astype(np.int64)
        out.append(Window(w_ids, valid[i:j], pos[i:j] - a + 1))
    return out


def pad_batch(batch: list[Window]) -> tuple[np.ndarray, np.ndarray]:
    """Right-padded ids and attention mask for a list of windows."""
    length = max(len(w.ids) for w in batch)
    ids = np.full((len(batch), length), PAD_ID, dtype=np.int64)
    mask = np.zeros((len(batch), length), dtype=np.int64)
    for i, w in enumerate(batch):
        ids[i, : len(w.ids)] = w.ids
        mask[i, : len(w.ids)] = 1
    return ids, mask
