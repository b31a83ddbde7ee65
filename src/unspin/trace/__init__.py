"""Trace spun copies to their sources, and group spun variants into families.

>>> from unspin.trace import Index, trace, explain, cluster
>>> with Index("refs.db", mode="a") as idx:
...     idx.add([("doc-1", original_text)])
>>> for src in trace(spun_text, "refs.db"):
...     print(src.id, src.similarity, [(p.spun, p.original) for p in src.alignment.pairs])
>>> for s in explain(stitched_text, "refs.db").sentences:   # sentence by sentence
...     print(s.start, s.end, s.source, s.source_start, s.source_end, s.changed)
>>> cluster([("a", text_a), ("b", text_b), ("c", text_c)])   # -> [Family, ...]

How it works: spin-invariant MinHash fingerprints and sentence keys (`fingerprint`), an
LSH index in one SQLite file (`index`), and verification by sentence and word alignment
that accepts heavy, phrase-level rewrites and split or merged sentences (`align`).
"""

from __future__ import annotations

from typing import Any

from unspin.trace.align import Alignment, SentenceMatch, WordPair, align
from unspin.trace.cluster import Family, cluster
from unspin.trace.fingerprint import Fingerprint, Fingerprinter, FingerprintParams
from unspin.trace.index import AddStats, Index, SentenceSource, Source, Trace

__all__ = [
    "AddStats",
    "Alignment",
    "Family",
    "Fingerprint",
    "FingerprintParams",
    "Fingerprinter",
    "Index",
    "SentenceMatch",
    "SentenceSource",
    "Source",
    "Trace",
    "WordPair",
    "align",
    "cluster",
    "explain",
    "trace",
]


def trace(text: str, db: str | Index, **kw: Any) -> list[Source]:
    """Likely sources of `text` in the index at `db`, best first (see `Index.explain`)."""
    return explain(text, db, **kw).sources


def explain(text: str, db: str | Index, **kw: Any) -> Trace:
    """The sources of `text` in the index at `db` and, for every sentence, the source
    stretch it was rewritten from (see `Index.explain`)."""
    if isinstance(db, Index):
        return db.explain(text, **kw)
    with Index(db) as index:
        return index.explain(text, **kw)
