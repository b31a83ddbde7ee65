"""Trace spun copies to their sources, and group spun variants into families.

>>> from unspin.trace import Index, trace, cluster
>>> with Index("refs.db", mode="a") as idx:
...     idx.add([("doc-1", original_text)])
>>> for src in trace(spun_text, "refs.db"):
...     print(src.id, src.similarity, [(p.spun, p.original) for p in src.alignment.pairs])
>>> cluster([("a", text_a), ("b", text_b), ("c", text_c)])   # -> [Family, ...]

How it works: spin-invariant MinHash fingerprints (`fingerprint`), an LSH index in one
SQLite file (`index`), and verification by sentence and word alignment (`align`).
"""

from __future__ import annotations

from typing import Any

from unspin.trace.align import Alignment, WordPair, align
from unspin.trace.cluster import Family, cluster
from unspin.trace.fingerprint import Fingerprint, Fingerprinter, FingerprintParams
from unspin.trace.index import AddStats, Index, Source

__all__ = [
    "AddStats",
    "Alignment",
    "Family",
    "Fingerprint",
    "FingerprintParams",
    "Fingerprinter",
    "Index",
    "Source",
    "WordPair",
    "align",
    "cluster",
    "trace",
]


def trace(text: str, db: str | Index, **kw: Any) -> list[Source]:
    """Likely sources of `text` in the index at `db`, best first (see `Index.trace`)."""
    if isinstance(db, Index):
        return db.trace(text, **kw)
    with Index(db) as index:
        return index.trace(text, **kw)
