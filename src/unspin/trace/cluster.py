"""Group a collection into families of spun variants of one text.

Every document is fingerprinted; documents that share an LSH band, a sentence key (or an
exact digest) become candidate pairs; a pair is linked by the decision `trace` makes
(`attribute`: at least `min_similarity` of one is a rewrite of the other, heavy and
phrase-level rewrites and split or merged sentences included, names and numbers kept);
families are the connected components (union-find). Two spins of one source link to
each other even when the source is absent, since each keeps most of the source's
unswapped words.

This keeps fingerprints and compressed texts in memory (about 40% of the input size):
for collections beyond a few million documents, build an index with `unspin index` and
run `unspin trace` instead, which streams.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from unspin.trace.align import Text, align, attribute
from unspin.trace.fingerprint import FingerprintParams

MAX_BUCKET = 1000  # a key this many documents share (boilerplate, a common word) links nothing


@dataclass
class Family:
    """Documents that are spun variants of one another; `members` in input order."""

    members: list[str]
    links: list[tuple[str, str, float]] = field(default_factory=list)  # (a, b, similarity)

    @property
    def representative(self) -> str:
        return self.members[0]

    def to_dict(self) -> dict[str, Any]:
        return {
            "family": self.representative,
            "size": len(self.members),
            "members": self.members,
            "links": [{"a": a, "b": b, "similarity": round(s, 4)} for a, b, s in self.links],
        }


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, x: int) -> int:
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: int, b: int) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return False
        if rb < ra:
            ra, rb = rb, ra
        self.parent[rb] = ra  # the earliest document roots its family
        return True


def cluster(
    docs: Iterable[tuple[str, str]],
    *,
    min_similarity: float = 0.5,
    max_conflicts: float = 0.1,
    max_candidates: int = 10,
    jobs: int = 1,
    params: FingerprintParams | None = None,
) -> list[Family]:
    """Families of spun variants among (id, text) pairs, singletons included, input order."""
    from unspin.trace.engine import prepare_many

    params = params or FingerprintParams()
    ids: list[str] = []
    blobs: list[bytes | None] = []
    keys: list[tuple[int, ...]] = []
    digests: dict[bytes, int] = {}
    uf_pairs: list[tuple[int, int, float]] = []
    items = ((i, t, None, None) for i, t in docs)
    for n, p in enumerate(prepare_many(params, items, jobs=jobs)):
        ids.append(p.id)
        blobs.append(p.blob)
        if p.fp is None:
            keys.append(())
            continue
        keys.append(p.fp.keys)
        first = digests.setdefault(p.fp.digest, n)
        if first != n:
            uf_pairs.append((first, n, 1.0))
    uf = _UnionFind(len(ids))
    for a, b, _ in uf_pairs:
        uf.union(a, b)
    buckets: dict[int, list[int]] = {}
    for n, ks in enumerate(keys):
        for k in ks:
            buckets.setdefault(k, []).append(n)
    texts: dict[int, str] = {}

    def text(n: int) -> str:
        if n not in texts:
            blob = blobs[n]
            texts[n] = zlib.decompress(blob).decode("utf-8") if blob else ""
            if len(texts) > 4096:
                texts.pop(next(iter(texts)))
        return texts[n]

    links = list(uf_pairs)
    for n, ks in enumerate(keys):
        hits: dict[int, int] = {}
        for k in ks:
            bucket = buckets[k]
            if len(bucket) > MAX_BUCKET:
                continue
            for m in bucket:
                if m < n:
                    hits[m] = hits.get(m, 0) + 1
        ranked = sorted(hits, key=lambda m: (-hits[m], m))[:max_candidates]
        suspect = Text(text(n)) if ranked else None
        for m in ranked:
            if uf.find(m) == uf.find(n):
                continue
            al = align(suspect, text(m))
            if attribute([(m, al)], min_similarity, max_conflicts).sources:
                uf.union(m, n)
                links.append((m, n, al.similarity))
    families: dict[int, Family] = {}
    for n, rid in enumerate(ids):
        families.setdefault(uf.find(n), Family([])).members.append(rid)
    for a, b, s in links:
        families[uf.find(a)].links.append((ids[a], ids[b], s))
    return list(families.values())  # created in order of each family's first member
