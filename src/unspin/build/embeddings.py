"""Word vectors for topical fit: PPMI of co-occurrence within +-4 words, reduced by SVD.

A spinner's synonym is often off-topic for its paragraph ("bosom" in a text about cancer
screening); the original is on-topic. Vectors for the TOP most frequent words are built
from the same 2014 counting share as the n-grams, deterministically (fixed ARPACK start
vector, signs fixed), and stored as int8 (64 dims, ~4 MB).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.linalg import svds

from unspin.build.ngrams import corpus_ids

TOP = 60_000
DIMS = 64
WINDOW = 4


def build(data_dir: Path, out_dir: Path) -> None:
    t0 = time.time()
    _, ids, _, _ = corpus_ids(data_dir)
    ids = ids.astype(np.int64)
    counts: dict[int, int] = {}
    rows, cols, vals = [], [], []
    for d in range(1, WINDOW + 1):
        a, b = ids[:-d], ids[d:]
        ok = (a > 2) & (a < TOP) & (b > 2) & (b < TOP)
        keys, n = np.unique(a[ok] * TOP + b[ok], return_counts=True)
        rows.append(keys // TOP)
        cols.append(keys % TOP)
        vals.append(n.astype(np.float64) / d)  # nearer words count more
    del counts
    r, c, v = np.concatenate(rows), np.concatenate(cols), np.concatenate(vals)
    m = coo_matrix((np.r_[v, v], (np.r_[r, c], np.r_[c, r])), shape=(TOP, TOP)).tocsr()
    m.sum_duplicates()
    total = m.sum()
    row = np.asarray(m.sum(axis=1)).ravel()
    ctx = row**0.75
    ctx /= ctx.sum()
    coo = m.tocoo()
    pmi = np.log(coo.data / total) - np.log(row[coo.row] / total) - np.log(ctx[coo.col])
    keep = pmi > 0
    ppmi = coo_matrix((pmi[keep], (coo.row[keep], coo.col[keep])), shape=(TOP, TOP)).tocsr()
    print(f"  PPMI matrix: {ppmi.nnz:,} entries ({time.time() - t0:.0f}s)", file=sys.stderr)
    u, s, _ = svds(ppmi, k=DIMS, v0=np.ones(TOP) / np.sqrt(TOP), random_state=0)
    order = np.argsort(-s)
    u, s = u[:, order], s[order]
    sign = np.sign(u[np.abs(u).argmax(axis=0), np.arange(DIMS)])
    vec = u * sign * np.sqrt(s)
    norm = np.linalg.norm(vec, axis=1, keepdims=True)
    vec = np.where(norm > 0, vec / np.maximum(norm, 1e-12), 0)
    np.save(out_dir / "vectors.npy", np.round(vec * 127).astype(np.int8))
    print(f"  vectors: {TOP:,} x {DIMS} ({time.time() - t0:.0f}s)", file=sys.stderr)
