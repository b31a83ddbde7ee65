"""Statistics of clean English: vocabulary, unigram/bigram/trigram counts (memory-mapped).

Lookups are vectorised: give arrays of token ids, get arrays of counts. Absent n-grams
count 0. See build/ngrams.py for the file formats.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

import numpy as np

from unspin.text.tokens import Token, norm_token

ID_BITS = 20
DIR_BITS = 20
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


def fingerprint(keys: np.ndarray) -> np.ndarray:
    """32-bit fingerprint of 64-bit n-gram keys (splitmix64 finaliser, high half)."""
    z = keys.astype(np.uint64) + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(32)).astype(np.uint32)


def encode_counts(counts: np.ndarray) -> np.ndarray:
    """1-byte log code: exact-ish to 6%, up to ~8M."""
    return np.clip(np.round(np.log(counts.astype(np.float64)) * 16), 0, 255).astype(np.uint8)


_DECODE = np.exp(np.arange(256) / 16.0)


def _mapped(path: Path) -> np.ndarray:
    """Memory-map an artifact as a plain ndarray: pages are shared between processes
    and loaded on first touch; a plain view avoids np.memmap's per-slice overhead."""
    return np.asarray(np.load(path, mmap_mode="r"))


class NgramTable:
    """A sorted fingerprint array with 1-byte counts."""

    def __init__(self, stem: Path) -> None:
        self.keys = _mapped(stem.with_suffix(".keys.npy"))
        self.codes = _mapped(stem.with_suffix(".counts.npy"))

    def __len__(self) -> int:
        return len(self.keys)

    @cached_property
    def _directory(self) -> tuple[np.ndarray, int]:
        """Start of each bucket of fingerprints sharing their top DIR_BITS bits, and the
        depth of binary search a bucket needs; built at load time (one O(n) pass)."""
        sizes = np.bincount(
            np.asarray(self.keys) >> np.uint32(32 - DIR_BITS), minlength=1 << DIR_BITS
        )
        directory = np.zeros(len(sizes) + 1, dtype=np.int64)
        np.cumsum(sizes, out=directory[1:])
        return directory, int(sizes.max()).bit_length()

    def counts(self, keys: np.ndarray) -> np.ndarray:
        fp = fingerprint(keys)
        directory, depth = self._directory
        bucket = fp >> np.uint32(32 - DIR_BITS)
        lo, hi = directory[bucket], directory[bucket + 1]
        table = self.keys
        last = len(table) - 1
        for _ in range(depth):  # vectorised lower_bound inside each (small) bucket
            mid = (lo + hi) >> 1
            right = (lo < hi) & (table[np.minimum(mid, last)] < fp)
            lo = np.where(right, mid + 1, lo)
            hi = np.where(right, hi, mid)
        pos = np.minimum(lo, last)
        hit = table[pos] == fp
        return np.where(hit, _DECODE[self.codes[pos]], 0.0)


class Stats:
    """Vocabulary + n-gram counts, loaded lazily from the artifact directory."""

    def __init__(self, directory: Path) -> None:
        self.dir = directory

    @cached_property
    def vocab(self) -> list[str]:
        return (self.dir / "vocab.txt").read_text(encoding="utf-8").split("\n")[:-1]

    @cached_property
    def index(self) -> dict[str, int]:
        return {w: i for i, w in enumerate(self.vocab)}

    def ids_of(self, tokens: list[Token]) -> np.ndarray:
        """Vocabulary ids of tokens (0 for words outside it)."""
        get = self.index.get
        return np.fromiter((get(norm_token(t.text), 0) for t in tokens), np.int64, len(tokens))

    @cached_property
    def unigrams(self) -> np.ndarray:
        return _mapped(self.dir / "unigrams.npy")

    @cached_property
    def capitals(self) -> np.ndarray:
        return _mapped(self.dir / "capitals.npy")

    @cached_property
    def total(self) -> float:
        return float(self.unigrams.sum())

    @cached_property
    def vectors(self) -> np.ndarray:
        """Unit-length topical word vectors (float32) for the most frequent words."""
        return np.load(self.dir / "vectors.npy").astype(np.float32) / 127.0

    def vectors_of(self, ids: np.ndarray) -> np.ndarray:
        v = self.vectors
        return v[np.where(ids < len(v), ids, 0)]

    @cached_property
    def bigrams(self) -> NgramTable:
        return NgramTable(self.dir / "bigrams")

    @cached_property
    def trigrams(self) -> NgramTable:
        return NgramTable(self.dir / "trigrams")

    def bigram_counts(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return self.bigrams.counts((a.astype(np.int64) << ID_BITS) | b)

    def trigram_counts(self, a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
        key = (((a.astype(np.int64) << ID_BITS) | b) << ID_BITS) | c
        return self.trigrams.counts(key)
