"""A trigram language model of clean English with Stupid Backoff, vectorised.

`logp(u, v, x)` is log P(x | u v) for whole arrays at once; `window(l2, l1, x, r1, r2)`
is how well x fits between its neighbours: the log-probability of x and of the two
words after it, which is what changes when x is swapped for another word.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from unspin.resources.stats import Stats

BACKOFF = np.log(0.4)


@dataclass
class Window:
    logp: np.ndarray  # fit of x between its neighbours
    seen_left: np.ndarray  # (l1, x) occurs in clean English
    seen_right: np.ndarray  # (x, r1) occurs
    seen_tri: np.ndarray  # (l1, x, r1) occurs


class LanguageModel:
    def __init__(self, stats: Stats) -> None:
        self.stats = stats
        uni = np.asarray(stats.unigrams, dtype=np.float64).copy()
        uni[0] = 1.0  # <unk> stands for many rare words; score it as one rare word
        uni[1] = max(uni[1], 1.0)
        self.uni = uni
        self.log_uni = np.log(np.maximum(uni, 1.0) / stats.total)

    def logp(self, u: np.ndarray, v: np.ndarray, x: np.ndarray) -> np.ndarray:
        s = self.stats
        return self._backoff(
            s.trigram_counts(u, v, x), s.bigram_counts(u, v), s.bigram_counts(v, x), self.uni[v], x
        )

    def _backoff(self, c3, c_uv, c2, c_v, x) -> np.ndarray:
        p1 = self.log_uni[x] + 2 * BACKOFF
        p2 = np.log(np.maximum(c2, 1e-9) / np.maximum(c_v, c2)) + BACKOFF
        p3 = np.log(np.maximum(c3, 1e-9) / np.maximum(c_uv, np.maximum(c3, 1.0)))
        return np.where(c3 > 0, p3, np.where(c2 > 0, p2, p1))

    def window(
        self, l2: np.ndarray, l1: np.ndarray, x: np.ndarray, r1: np.ndarray, r2: np.ndarray
    ) -> Window:
        """log P(x | l2 l1) + log P(r1 | l1 x) + log P(r2 | x r1), sharing lookups, with
        the counts of x next to its neighbours (evidence in its own right)."""
        s = self.stats
        b_l1x = s.bigram_counts(l1, x)
        b_xr1 = s.bigram_counts(x, r1)
        t_mid = s.trigram_counts(l1, x, r1)
        t1 = self._backoff(
            s.trigram_counts(l2, l1, x), s.bigram_counts(l2, l1), b_l1x, self.uni[l1], x
        )
        t2 = self._backoff(t_mid, b_l1x, b_xr1, self.uni[x], r1)
        t3 = self._backoff(
            s.trigram_counts(x, r1, r2), b_xr1, s.bigram_counts(r1, r2), self.uni[r1], r2
        )
        return Window(t1 + t2 + t3, b_l1x > 0, b_xr1 > 0, t_mid > 0)

    def sequences(self, seqs: list[list[int]]) -> np.ndarray:
        """For each id sequence, the sum of log P(ids[k] | ids[k-2] ids[k-1]) for k >= 2,
        all in one vectorised pass (phrases of any length)."""
        u, v, x, owner = [], [], [], []
        for j, ids in enumerate(seqs):
            for k in range(2, len(ids)):
                u.append(ids[k - 2])
                v.append(ids[k - 1])
                x.append(ids[k])
                owner.append(j)
        lp = self.logp(np.array(u, np.int64), np.array(v, np.int64), np.array(x, np.int64))
        return np.bincount(np.array(owner, np.int64), weights=lp, minlength=len(seqs))
