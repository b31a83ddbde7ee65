"""The reverse thesaurus (built by build/lexicon.py), loaded lazily.

`candidates(word_id)` gives the originals a spinner may have replaced with that word;
`phrases` maps multi-word spun forms to originals. Each link carries source flags, so an
Analyzer can be restricted to some dictionaries (the cross-dictionary benchmark does).
"""

from __future__ import annotations

import gzip
from functools import cached_property
from pathlib import Path

import numpy as np

SOURCES = {"oewn": 1, "ppdb": 2, "moby": 4, "pps": 8, "template": 16}
ALL_SOURCES = tuple(SOURCES)
MAX_CANDIDATES = 48

# Function-word and phrase rewrites that spinners make (spun form, original). Written from
# what spinners are known to do (SpinBot-style "on the off chance that" for "if").
FUNCTION_REWRITES: tuple[tuple[str, str], ...] = (
    ("in the event that", "if"),
    ("on the off chance that", "if"),
    ("utilize", "use"),
    ("utilise", "use"),
    ("make use of", "use"),
    ("for example", "such as"),
    ("all the more", "more"),
    ("as of late", "recently"),
    ("so as to", "to"),
    ("on the grounds that", "because"),
    ("because of the way that", "because"),
    ("in light of the fact that", "because"),
    ("due to the fact that", "because"),
    ("be that as it may", "however"),
    ("in any case", "however"),
    ("nonetheless", "however"),
    ("additionally", "also"),
    ("moreover", "also"),
    ("a ton of", "a lot of"),
    ("numerous", "many"),
    ("approximately", "about"),
    ("assist", "help"),
    ("demonstrate", "show"),
    ("are able to", "can"),
    ("is able to", "can"),
    ("prior to", "before"),
    ("subsequent to", "after"),
    ("with respect to", "about"),
    ("regarding", "about"),
    ("in spite of the fact that", "although"),
    ("despite the fact that", "although"),
    ("individual from", "member of"),
    ("an individual from", "a member of"),
    ("a portion of", "some of"),
    ("some portion of", "part of"),
    ("the greater part of", "most of"),
    ("a large portion of", "many of"),
    ("as a rule", "usually"),
    ("by and large", "generally"),
    ("in the interim", "meanwhile"),
    ("inferable from", "due to"),
    ("as indicated by", "according to"),
    ("as per", "according to"),
    ("concerning", "about"),
    ("the way that", "the fact that"),
    ("in this manner", "therefore"),
    ("along these lines", "therefore"),
    ("amid", "during"),
    ("in the midst of", "during"),
    ("it had been", "it was"),
    ("they had been", "they were"),
    ("there had been", "there was"),
    ("in addition to that", "also"),
    ("at the end of the day", "ultimately"),
    ("with regards to", "when it comes to"),
    ("in the course of", "during"),
    ("owing to", "due to"),
    ("thusly", "thus"),
    ("presently", "now"),
)


def _mapped(path: Path) -> np.ndarray:
    """Memory-map an artifact as a plain ndarray: pages are shared between processes
    and loaded on first touch; a plain view avoids np.memmap's per-slice overhead."""
    return np.asarray(np.load(path, mmap_mode="r"))


class Lexicon:
    def __init__(self, directory: Path, sources: tuple[str, ...] = ALL_SOURCES) -> None:
        self.dir = directory
        unknown = set(sources) - set(SOURCES)
        if unknown:
            raise ValueError(f"unknown dictionaries: {sorted(unknown)}; known: {ALL_SOURCES}")
        self.mask = sum(SOURCES[s] for s in sources)

    @cached_property
    def offsets(self) -> np.ndarray:
        return _mapped(self.dir / "lexicon.offsets.npy")

    @cached_property
    def _cands(self) -> np.ndarray:
        return _mapped(self.dir / "lexicon.cands.npy")

    @cached_property
    def _sources(self) -> np.ndarray:
        return _mapped(self.dir / "lexicon.sources.npy")

    def candidates(self, word_id: int) -> tuple[np.ndarray, np.ndarray]:
        """(original ids, source flags) for one spun word id, masked to our dictionaries."""
        a, b = int(self.offsets[word_id]), int(self.offsets[word_id + 1])
        ids, src = self._cands[a:b], self._sources[a:b]
        keep = (src & self.mask) != 0
        return np.asarray(ids[keep]), np.asarray(src[keep])

    @cached_property
    def phrases(self) -> dict[str, list[tuple[str, int]]]:
        table: dict[str, list[tuple[str, int]]] = {}
        with gzip.open(self.dir / "phrases.tsv.gz", "rt", encoding="utf-8") as f:
            for line in f:
                spun, original, flags = line.rstrip("\n").split("\t")
                f_ = int(flags) & self.mask
                if f_ and " " in spun:
                    table.setdefault(spun, []).append((original, f_))
        return table

    @cached_property
    def phrase_heads(self) -> frozenset[str]:
        return frozenset(p.split(" ", 1)[0] for p in self.phrases)

    @cached_property
    def fingerprints(self) -> frozenset[str]:
        """Known tortured phrases (the pps source): curated evidence of a spinner."""
        pps = SOURCES["pps"]
        return frozenset(p for p, links in self.phrases.items() if any(f & pps for _, f in links))

    def has_fingerprint(self, words: list[str]) -> bool:
        """Whether lower-case `words` contain a known tortured phrase (2-5 words)."""
        known = self.fingerprints
        heads = self.phrase_heads
        n = len(words)
        for i, w in enumerate(words):
            if w in heads:
                for k in range(2, min(5, n - i) + 1):
                    if " ".join(words[i : i + k]) in known:
                        return True
        return False
