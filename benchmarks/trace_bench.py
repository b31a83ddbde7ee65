"""Trace benchmark: find the source of spun copies, against datatrove and datasketch MinHash.

Data (held out, never used to build anything): articles of enwiki2021slice_part01 with at
least 50 words, shuffled with a fixed seed. The first ``--n-ref`` form the reference set;
spun copies of the first ``--n-query`` of them are the queries, one set per condition:

* ``in-R``: benchmarks/spinner.py with the "oewn+ppdb" dictionary at rate R (5/10/20/30%)
* ``cross-R``: the same spinner with the "moby" dictionary (unspin's trace lexicon is
  built from OEWN+Moby, so this is the fairer cross-check against the *detector's* names,
  not a dictionary unspin has never seen; see `lexicon-heldout` below)
* ``shuffle``: sentences shuffled, then 20% moby spin
* ``drop-add``: a fifth of the sentences dropped, sentences of an unrelated article added
  (about a fifth of the length), then 20% moby spin
* ``stitch``: the first half of the sentences of the source and the second half of another
  reference article, 20% moby spin (the first source must be found)

Negatives: articles *not* in the reference set whose nearest reference article by TF-IDF
cosine is >= 0.3 (same topic). They are split into ``unrelated`` (word 5-gram Jaccard with
that neighbour < 0.1: different text on the same topic) and ``templated`` (articles cut
from a shared template, e.g. two constituency stubs that differ only in names and numbers).
A negative that gets any source reported is a false match.

Peers, same inputs, same run: datasketch MinHashLSH (word 5-gram shingles at threshold
0.8, the usual dedup setting, and word 1-gram shingles at 0.5, tuned for spinning) and
datatrove's MinHash dedup pipeline (default config: 5-grams, 14 buckets x 8 hashes) run
as its three stages; a query counts as found when datatrove puts it in its source's cluster.

Run: ``.venv/bin/python benchmarks/trace_bench.py`` (about 6 minutes on 2 cores; ``--quick``
for a smoke run). Writes bench-out/trace/results.json and results.md.
"""

from __future__ import annotations

import argparse
import importlib
import json
import lzma
import os
import random
import re
import shutil
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "src"))

from benchmarks import trace_sets  # noqa: E402
from benchmarks.data import WEB_GENRES, web_documents  # noqa: E402
from benchmarks.spinner import Spinner, default_data_dir, load_dictionary  # noqa: E402

HELD_OUT = "enwiki-slices/enwiki2021slice_part01.txt.xz"
TUNING = "enwiki-slices/enwiki2014slice_part04.txt.xz"  # --tune: training data, not held out
_SENT = re.compile(r"(?<=[.!?])\s+|\n+")
_WORD = re.compile(r"\w+")


# -- data ----------------------------------------------------------------------------------------
def load_articles(min_words: int = 50, part: str = HELD_OUT) -> list[str]:
    """Article bodies (title line dropped) of the held-out slice, in file order."""
    out: list[str] = []
    title = None
    paras: list[str] = []
    with lzma.open(default_data_dir() / part, "rt", encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line:
                if title is not None and paras:
                    out.append("\n".join(paras))
                title, paras = None, []
            elif title is None and line.startswith("= ") and line.endswith(" ="):
                title = line
            else:
                paras.append(line)
    if title is not None and paras:
        out.append("\n".join(paras))
    return [t for t in out if len(t.split()) >= min_words]


def sentences(text: str) -> list[str]:
    return [s for s in _SENT.split(text) if s.strip()]


def shingles(text: str, n: int) -> set[str]:
    w = _WORD.findall(text.lower())
    return {" ".join(w[i : i + n]) for i in range(max(1, len(w) - n + 1))}


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / max(1, len(a | b))


Query = tuple[str, int, frozenset[int]]  # text, its main source, every reference it copies


def build_conditions(
    ref: list[str], outside: list[str], n_query: int, seed: int
) -> dict[str, list[Query]]:
    """Condition name -> queries; `outside` holds articles not in the reference set."""
    dicts = {"in": load_dictionary("oewn+ppdb"), "cross": load_dictionary("moby")}
    conds: dict[str, list[Query]] = {}
    for name, d in dicts.items():
        for rate in (0.05, 0.10, 0.20, 0.30):
            sp = Spinner(d, rate, seed)
            conds[f"{name}-{int(rate * 100)}"] = [
                (sp.spin(ref[i]).text, i, frozenset([i])) for i in range(n_query)
            ]
    moby20 = Spinner(dicts["cross"], 0.20, seed)
    rng = random.Random(seed)
    shuffled, dropadd, stitched = [], [], []
    for i in range(n_query):
        s = sentences(ref[i])
        rng.shuffle(s)
        shuffled.append((moby20.spin(" ".join(s)).text, i, frozenset([i])))
        s = sentences(ref[i])
        keep = [x for x in s if rng.random() >= 0.2] or s[:1]
        other = sentences(outside[rng.randrange(len(outside))])
        extra_words = max(5, sum(len(x.split()) for x in keep) // 5)
        added, w = [], 0
        for x in other:
            if w >= extra_words:
                break
            added.append(x)
            w += len(x.split())
        for x in added:
            keep.insert(rng.randrange(len(keep) + 1), x)
        dropadd.append((moby20.spin(" ".join(keep)).text, i, frozenset([i])))
        s = sentences(ref[i])
        donor = rng.randrange(n_query, len(ref))
        other = sentences(ref[donor])
        half = s[: max(1, (len(s) + 1) // 2)] + other[len(other) // 2 :]
        stitched.append((moby20.spin(" ".join(half)).text, i, frozenset([i, donor])))
    conds["shuffle"] = shuffled
    conds["drop-add"] = dropadd
    conds["stitch"] = stitched
    return conds


def build_negatives(
    ref: list[str], pool: list[str], max_neg: int
) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """(unrelated, templated) same-topic negatives: (text, index of its nearest ref)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vec = TfidfVectorizer(min_df=2, max_df=0.5, sublinear_tf=True, stop_words="english")
    m = vec.fit_transform(ref + pool)
    r, p = m[: len(ref)], m[len(ref) :]
    unrelated: list[tuple[str, int]] = []
    templated: list[tuple[str, int]] = []
    for start in range(0, p.shape[0], 1000):
        sims = (p[start : start + 1000] @ r.T).toarray()
        best = sims.argmax(1)
        for k, j in enumerate(best):
            if sims[k, j] < 0.3:
                continue
            text = pool[start + k]
            jac = jaccard(shingles(text, 5), shingles(ref[j], 5))
            (unrelated if jac < 0.1 else templated).append((text, int(j)))
    return unrelated[:max_neg], templated[:max_neg]


@dataclass
class RealSets:
    """The conditions that behave like real spinners (benchmarks/trace_sets.py)."""

    ref: list[str] = field(default_factory=list)  # appended to the reference set
    conds: dict[str, list[Query]] = field(default_factory=dict)
    negs: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    canon: dict[int, int] = field(default_factory=dict)  # doc -> first doc of its source
    pieces: dict[str, list[list[tuple[int, int, int]]]] = field(default_factory=dict)
    shares: dict[str, float] = field(default_factory=dict)  # mean share of words rewritten
    pages: dict[str, list[str]] = field(default_factory=dict)  # query ids (real pages)


def build_real_sets(ref: list[str], n_query: int, seed: int, n_web: int, tune: bool) -> RealSets:
    """Distractors (web-genre documents, held-out files unless `tune`), the real-dev
    sources (not when tuning), the README pair, heavy rewrites and many-source stitches."""
    data = default_data_dir()
    out = RealSets()
    base = len(ref)
    suffix = ".txt.xz" if tune else "_heldout.txt.xz"
    per_file = [
        [b for _t, b in web_documents(data / "web-genres" / f"{stem}{suffix}")]
        for stem in WEB_GENRES
    ]
    web: list[str] = []
    for k in range(max(len(x) for x in per_file)):
        web += [x[k] for x in per_file if k < len(x) and len(x[k].split()) >= 50]
    out.ref += web[:n_web]

    def add(text: str) -> int:
        out.ref.append(text)
        return base + len(out.ref) - 1

    if not tune:
        refs, pages = trace_sets.real_dev(data)
        first: dict[str, int] = {}
        for key, text in refs:
            doc = add(text)
            out.canon[doc] = first.setdefault(key, doc)
        pos: list[Query] = []
        for page in pages:
            if not page.sources:
                out.negs.setdefault("real-nosource", []).append((page.text, -1))
                continue
            # The source of the page's first paragraph is the one that must rank first.
            main = first[trace_sets.REAL_SOURCES[page.id[:4]][0]]
            pos.append((page.text, main, frozenset(first[k] for k in page.sources)))
            out.pages.setdefault("real-dev", []).append(page.id)
        out.conds["real-dev"] = pos
    original, spun = trace_sets.readme_pair()
    doc = add(original)
    out.conds["readme"] = [(spun, doc, frozenset([doc]))]
    rewriter = trace_sets.HeavyRewriter(data, seed)
    for share in (0.4, 0.5, 0.6):
        name = f"heavy-{int(share * 100)}"
        items = [(rewriter.rewrite(ref[i], share), i, frozenset([i])) for i in range(n_query)]
        out.conds[name] = items
        out.shares[name] = float(
            np.mean([trace_sets.rewritten_share(ref[q[1]], q[0]) for q in items])
        )
    rng = random.Random(seed)
    stitched = [trace_sets.stitch(ref, range(len(ref)), rewriter, rng) for _ in range(n_query)]
    out.conds["stitch-3to6"] = [(s.text, s.sources[0], frozenset(s.sources)) for s in stitched]
    out.pieces["stitch-3to6"] = [s.pieces for s in stitched]
    return out


def use_oewn_only_lexicon() -> None:
    """Swap trace's mutable-word list for one built from OEWN alone (same normalisation as
    `unspin.build.trace_lexicon`), in this process and the workers it forks."""
    from unspin.build import trace_lexicon
    from unspin.trace import fingerprint

    words: set[str] = set()
    data = default_data_dir() / "oewn"
    with open(data / "oewn_lemmas.tsv", encoding="utf-8") as f:
        next(f)
        for line in f:
            w = trace_lexicon._norm(line.split("\t", 1)[0])
            if trace_lexicon._WORD.match(w):
                words.add(w)
    frozen = frozenset(words)
    fingerprint.mutable_words = lambda: frozen  # type: ignore[assignment]
    fingerprint.lexicon_digest.cache_clear()
    fingerprint._anchor_cached.cache_clear()
    fingerprint._name_cached.cache_clear()
    importlib.import_module("unspin.trace.align")._cut_after.cache_clear()


# -- systems -------------------------------------------------------------------------------------
class Result:
    """Per-condition counts for one system."""

    def __init__(self) -> None:
        self.rows: dict[str, dict[str, float]] = {}

    def positive(
        self,
        cond: str,
        items: list[Query],
        found: list[list[int]],
        canon: dict[int, int] | None = None,
    ) -> None:
        """`canon` maps copies of one source (real-dev) to one document id."""
        if canon:
            found = [list(dict.fromkeys(canon.get(d, d) for d in f)) for f in found]
        n = len(items)
        top1 = sum(1 for (_, p, _), f in zip(items, found) if f and f[0] == p)
        anyhit = sum(1 for (_, p, _), f in zip(items, found) if p in f)
        every = sum(1 for (_, _, t), f in zip(items, found) if t <= set(f))
        reported = sum(len(f) for f in found)
        right = sum(len(set(f) & truth) for (_, _, truth), f in zip(items, found))
        self.rows[cond] = {
            "queries": n,
            "recall_top1": top1 / n,
            "recall_any": anyhit / n,
            "recall_all_sources": every / n,
            "reported": reported,
            "correct": right,
            "false_sources": reported - right,
            "precision": right / reported if reported else 1.0,
        }

    def negative(self, cond: str, nn: list[int], found: list[list[int]]) -> None:
        n = len(nn)
        self.rows[cond] = {
            "queries": n,
            "false_match_any": sum(1 for f in found if f) / n if n else 0.0,
            "false_match_pair": sum(1 for j, f in zip(nn, found) if j in f) / n if n else 0.0,
        }


Candidates = list[
    list[tuple[int, float, int, int]]
]  # per query: (doc, similarity, sentences, conflicts)
SWEEP = (0.3, 0.4, 0.5, 0.6, 0.7)
REAL_CONDS = ("real-dev", "readme", "heavy-40", "heavy-50", "heavy-60", "stitch-3to6")


def run_unspin(
    ref: list[str],
    conds: dict[str, list[Query]],
    negs: dict[str, list[tuple[str, int]]],
    workdir: Path,
    jobs: int,
    min_similarity: float,
    real: RealSets | None = None,
    sweep: bool = True,
) -> tuple[dict[float, Result], dict[str, float]]:
    """Index, then trace every query keeping every verified candidate, so the decision rule
    (`is_match`) can be applied at several thresholds from one run."""
    from unspin.trace import Index
    from unspin.trace.engine import trace_many

    real = real or RealSets()
    db = workdir / "unspin.db"
    t0 = time.perf_counter()
    with Index(db, mode="a") as idx:
        idx.add(((str(i), t) for i, t in enumerate(ref)), jobs=jobs)
        stats = idx.stats()
    build_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    sentences_of: dict[str, list[list[dict]]] = {}
    found_of: dict[str, list[list[int]]] = {}

    def query(texts: list[str], cond: str = "", **kw: object) -> Candidates:
        recs = ((str(k), text, None) for k, text in enumerate(texts))
        out = []
        per_sentence = []
        for _rid, res, _err in trace_many(str(db), recs, jobs=jobs, **kw):
            sources = getattr(res, "sources", res) or []
            out.append([(int(x.id), x.alignment) for x in sources])
            per_sentence.append([x.to_dict() for x in getattr(res, "sentences", [])])
        if cond:
            sentences_of[cond] = per_sentence
        return out

    # 1. What `unspin trace` answers at its default settings (timed).
    default = Result()
    for c, items in conds.items():
        found = query([q[0] for q in items], c, min_similarity=min_similarity)
        found_of[c] = [[d for d, _ in f] for f in found]
        default.positive(c, items, found_of[c], real.canon)
    for c, items in negs.items():
        found = query([t for t, _ in items], min_similarity=min_similarity)
        default.negative(c, [j for _, j in items], [[d for d, _ in f] for f in found])
    n_q = sum(len(v) for v in conds.values()) + sum(len(v) for v in negs.values())
    query_s = time.perf_counter() - t0
    for c, pieces in real.pieces.items():
        right = total = 0
        for sents, truth in zip(sentences_of[c], pieces):
            r, t = trace_sets.attribution_accuracy(sents, truth, {str(d): d for *_, d in truth})
            right, total = right + r, total + t
        default.rows[c]["attribution_accuracy"] = right / total if total else None
    if real.pieces:  # why the sources trace did not report were lost
        with Index(db) as idx:
            ids = trace_sets.reference_ids(idx)
            for c, pieces in real.pieces.items():
                missed: Counter[str] = Counter()
                for (text, _p, _t), truth, found in zip(conds[c], pieces, found_of[c]):
                    missed += trace_sets.missed_sources(
                        idx, ids, text, truth, set(found), min_similarity
                    )
                n_src = sum(len(t) for t in pieces)
                default.rows[c]["sources_lost"] = {k: missed[k] / n_src for k in trace_sets.MISSED}
    for c, ids in real.pages.items():
        default.rows[c]["pages"] = {
            pid: _answer(sents, found)
            for pid, sents, found in zip(ids, sentences_of[c], query([q[0] for q in conds[c]]))
        }
    # 2. Every verified candidate kept, to show the decision at other thresholds.
    results: dict[float, Result] = {-1.0: default}  # the default run, keyed apart
    if not sweep:
        return results, _speed(ref, build_s, n_q, query_s, stats, jobs)
    cand_pos = {
        c: query([q[0] for q in items], keep_all=True, top=20) for c, items in conds.items()
    }
    cand_neg = {c: query([q[0] for q in items], keep_all=True, top=20) for c, items in negs.items()}
    for tau in SWEEP:
        res = Result()
        for c, items in conds.items():
            res.positive(c, items, [_decide(x, tau) for x in cand_pos[c]], real.canon)
        for c, items in negs.items():
            res.negative(c, [j for _, j in items], [_decide(x, tau) for x in cand_neg[c]])
        results[tau] = res
    return results, _speed(ref, build_s, n_q, query_s, stats, jobs)


def _speed(ref: list, build_s: float, n_q: int, query_s: float, stats: dict, jobs: int) -> dict:
    return {
        "build_docs_per_s": len(ref) / build_s,
        "queries_per_s": n_q / query_s,
        "index_bytes": stats["bytes"],
        "jobs": jobs,
    }


def _answer(sents: list[dict], found: list) -> dict:
    """What trace said about one real page: its sources and how many sentences each explains."""
    return {
        "sources": [doc for doc, _al in found],
        "similarity": [round(al.similarity, 3) for _doc, al in found],
        "sentences_attributed": sum(1 for s in sents if s.get("source") is not None),
        "sentences": len(sents),
    }


def _decide(cands: list, tau: float) -> list[int]:
    """unspin's own decision (`attribute`) applied to the verified candidates of one query."""
    from unspin.trace.align import attribute

    return [doc for doc, _al, _share in attribute(cands, tau).sources]


def run_datasketch(
    ref: list[str],
    conds: dict[str, list[Query]],
    negs: dict[str, list[tuple[str, int]]],
    ngram: int,
    threshold: float,
) -> tuple[Result, dict[str, float]]:
    from datasketch import MinHash, MinHashLSH

    def mh(text: str) -> MinHash:
        m = MinHash(num_perm=128, seed=1)
        m.update_batch([s.encode("utf-8") for s in shingles(text, ngram)])
        return m

    t0 = time.perf_counter()
    lsh = MinHashLSH(threshold=threshold, num_perm=128)
    for i, t in enumerate(ref):
        lsh.insert(str(i), mh(t))
    build_s = time.perf_counter() - t0
    res = Result()
    t0 = time.perf_counter()
    for cond, items in conds.items():
        found = []
        for text, primary, _ in items:
            f = sorted(int(k) for k in lsh.query(mh(text)))
            # LSH answers an unordered set: count the true source as first when present.
            found.append([primary] + [k for k in f if k != primary] if primary in f else f)
        res.positive(cond, items, found)
    for cond, items in negs.items():
        res.negative(
            cond, [j for _, j in items], [[int(k) for k in lsh.query(mh(t))] for t, _ in items]
        )
    n_q = sum(len(v) for v in conds.values()) + sum(len(v) for v in negs.values())
    return res, {
        "build_docs_per_s": len(ref) / build_s,
        "queries_per_s": n_q / (time.perf_counter() - t0),
    }


def run_datatrove(
    ref: list[str],
    conds: dict[str, list[Query]],
    negs: dict[str, list[tuple[str, int]]],
    workdir: Path,
) -> tuple[Result, dict[str, float]]:
    """datatrove's MinHash dedup stages 1-3 on reference (rank 0) + queries (rank 1)."""
    import logging

    from datatrove.data import Document
    from datatrove.pipeline.dedup.minhash import (
        MinhashConfig,
        MinhashDedupBuckets,
        MinhashDedupCluster,
        MinhashDedupSignature,
    )
    from datatrove.utils.logging import logger

    logger.remove()
    logging.disable(logging.WARNING)
    cfg = MinhashConfig()
    base = workdir / "datatrove"
    t0 = time.perf_counter()
    MinhashDedupSignature(str(base / "ref"), cfg).run(
        (Document(text=t, id=str(i)) for i, t in enumerate(ref)), rank=0, world_size=2
    )
    sig_s = time.perf_counter() - t0

    def found_for(texts: list[str], name: str) -> list[list[int]]:
        d = base / name
        shutil.copytree(base / "ref", d / "sigs")
        MinhashDedupSignature(str(d / "sigs"), cfg).run(
            (Document(text=t, id=str(k)) for k, t in enumerate(texts)), rank=1, world_size=2
        )
        for b in range(cfg.num_buckets):
            MinhashDedupBuckets(str(d / "sigs"), str(d / "buckets"), config=cfg).run(
                rank=b, world_size=cfg.num_buckets
            )
        MinhashDedupCluster(
            str(d / "buckets"), str(d / "clusters"), config=cfg, save_cluster_id=True
        ).run()
        maps: list[dict[int, int]] = []
        for f in (0, 1):
            path = d / "clusters" / f"{f:06d}.clusters"
            arr = (
                np.fromfile(path, dtype="<u4").reshape(-1, 2) if path.exists() else np.zeros((0, 2))
            )
            maps.append({int(a): int(b) for a, b in arr})
        shutil.rmtree(d)
        members: dict[int, list[int]] = {}
        for doc, c in sorted(maps[0].items()):
            members.setdefault(c, []).append(doc)
        return [members.get(maps[1][k], []) if k in maps[1] else [] for k in range(len(texts))]

    res = Result()
    t0 = time.perf_counter()
    for cond, items in conds.items():
        found = found_for([q[0] for q in items], cond)
        found = [
            [p] + [k for k in f if k != p] if p in f else f for (_, p, _), f in zip(items, found)
        ]
        res.positive(cond, items, found)
    for cond, items in negs.items():
        res.negative(cond, [j for _, j in items], found_for([t for t, _ in items], cond))
    n_q = sum(len(v) for v in conds.values()) + sum(len(v) for v in negs.values())
    return res, {
        "signature_docs_per_s": len(ref) / sig_s,
        "queries_per_s": n_q / (time.perf_counter() - t0),
    }


# -- report --------------------------------------------------------------------------------------
def markdown(
    results: dict[str, Result],
    sweep: dict[float, Result],
    speeds: dict[str, dict[str, float]],
    meta: dict,
) -> str:
    systems = list(results)
    first = next(iter(results.values())).rows
    conds = [c for c in first if "false_match_any" not in first[c]]
    negs = [c for c in first if c not in conds]
    lines = [
        f"Reference: {meta['n_ref']:,} held-out articles; {meta['n_query']} queries per "
        f"condition; negatives: {meta['n_unrelated']} unrelated and {meta['n_templated']} "
        f"templated same-topic articles not in the reference. unspin at min_similarity "
        f"{meta['min_similarity']}.",
        "",
        "Recall of the true source (unspin: the top reported source is the true one, and in "
        "brackets: the true source is among those reported; peers: the source is anywhere "
        "in the LSH answer or datatrove cluster):",
        "",
        "| condition | " + " | ".join(systems) + " |",
        "|---|" + "---|" * len(systems),
    ]
    for c in conds:
        cells = []
        for s in systems:
            r = results[s].rows[c]
            if s == "unspin":
                cells.append(f"{r['recall_top1']:.3f} ({r['recall_any']:.3f})")
            else:
                cells.append(f"{r['recall_any']:.3f}")
        lines.append(f"| {c} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "Precision (reported sources that are true sources, all positive conditions pooled) "
        "and false matches on same-topic negatives (share of negatives with any source "
        "reported):",
        "",
        "| system | precision | sources reported | " + " | ".join(negs) + " |",
        "|---|---|---|" + "---|" * len(negs),
    ]
    for s in systems:
        rows = [results[s].rows[c] for c in conds]
        rep = sum(r["reported"] for r in rows)
        right = sum(r["correct"] for r in rows)
        cells = [f"{results[s].rows[c]['false_match_any']:.4f}" for c in negs]
        lines.append(
            f"| {s} | {right / rep if rep else 1:.4f} | {rep:,} | " + " | ".join(cells) + " |"
        )
    lines += [
        "",
        "unspin's decision threshold (min_similarity; at most 10% of aligned sentences may "
        "change a name or number):",
        "",
        "| min_similarity | in-30 | cross-30 | drop-add | stitch (any) | precision | "
        + " | ".join(negs)
        + " |",
        "|---|---|---|---|---|---|" + "---|" * len(negs),
    ]
    for tau, res in sorted(sweep.items()):
        if tau < 0:
            continue
        rows = [res.rows[c] for c in conds]
        rep = sum(r["reported"] for r in rows)
        right = sum(r["correct"] for r in rows)
        cells = [
            f"{res.rows[c]['recall_top1']:.3f}" if c in res.rows else "—"
            for c in ("in-30", "cross-30", "drop-add", "stitch")
        ]
        cells.append(f"{right / rep if rep else 1:.4f}")
        cells += [f"{res.rows[c]['false_match_any']:.4f}" for c in negs]
        lines.append(f"| {tau} | " + " | ".join(cells) + " |")
    real = [c for c in conds if c in REAL_CONDS]
    if real and "unspin" in results:
        lines += [
            "",
            "Conditions that behave like real spinners (unspin at its defaults; top-1: the true "
            "first source is reported first; all: every source of the query is reported; "
            "false: reported sources that are not the query's; attribution: suspect sentences "
            "attributed to the source they came from):",
            "",
            "| condition | queries | words rewritten | top-1 | all sources | false sources "
            "| attribution |",
            "|---|---|---|---|---|---|---|",
        ]
        for c in real:
            r = results["unspin"].rows[c]
            share = meta.get("shares", {}).get(c)
            att = r.get("attribution_accuracy")
            lines.append(
                f"| {c} | {r['queries']} | {f'{share:.0%}' if share else '—'} | "
                f"{r['recall_top1']:.3f} | {r['recall_all_sources']:.3f} | "
                f"{r['false_sources']} | {f'{att:.3f}' if att is not None else '—'} |"
            )
        for c in real:
            lost = results["unspin"].rows[c].get("sources_lost")
            if lost:
                parts = ", ".join(f"{k} {v:.1%}" for k, v in lost.items())
                lines += ["", f"{c}: sources not reported, as a share of all its sources: {parts}."]
    lines += ["", "Speed (same run, 2 shared cores):", ""]
    for s in systems:
        lines.append(f"- {s}: " + ", ".join(f"{k} {v:,.1f}" for k, v in speeds[s].items()))
    return "\n".join(lines) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n-ref", type=int, default=10000)
    ap.add_argument("--n-query", type=int, default=500)
    ap.add_argument("--n-neg", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--min-similarity", type=float, default=0.5)
    ap.add_argument("--systems", default="unspin,datasketch-5g,datasketch-1g,datatrove")
    ap.add_argument("--quick", action="store_true", help="1,000 references, 50 queries")
    ap.add_argument(
        "--trace-lexicon",
        choices=("shipped", "oewn-only"),
        default="shipped",
        help="oewn-only: trace with a lexicon built from OEWN alone, so that the moby "
        "spinner uses a thesaurus trace has never seen (an ablation, not a shipped mode)",
    )
    ap.add_argument("--n-web", type=int, default=3000, help="web-genre distractors indexed")
    ap.add_argument(
        "--sets",
        default="synthetic,real",
        help="synthetic: the spinner conditions and same-topic negatives; real: the "
        "conditions that behave like real spinners (real-dev, readme, heavy-R, stitch-3to6)",
    )
    ap.add_argument(
        "--tune",
        action="store_true",
        help="everything from training data (2014 slice part 04, the web-genre main files), "
        "real-dev left out: for tuning, never for the reported numbers",
    )
    ap.add_argument(
        "--no-sweep", dest="sweep", action="store_false", help="skip the threshold sweep"
    )
    ap.add_argument("--out", default=str(REPO / "bench-out" / "trace"))
    args = ap.parse_args()
    if args.trace_lexicon == "oewn-only":
        use_oewn_only_lexicon()
    if args.quick:
        args.n_ref, args.n_query, args.n_neg, args.n_web = 1000, 50, 100, 300
    t_all = time.perf_counter()
    sets = set(args.sets.split(","))
    docs = load_articles(part=TUNING if args.tune else HELD_OUT)
    random.Random(args.seed).shuffle(docs)
    ref = docs[: args.n_ref]
    pool = docs[args.n_ref : args.n_ref + 8 * args.n_neg]
    outside = docs[args.n_ref + 8 * args.n_neg :]
    conds: dict[str, list[Query]] = {}
    negs: dict[str, list[tuple[str, int]]] = {}
    unrelated: list[tuple[str, int]] = []
    templated: list[tuple[str, int]] = []
    if "synthetic" in sets:
        conds = build_conditions(ref, outside, args.n_query, args.seed)
        unrelated, templated = build_negatives(ref, pool, args.n_neg)
        negs = {"neg-unrelated": unrelated, "neg-templated": templated}
    real = RealSets()
    if "real" in sets:
        real = build_real_sets(ref, args.n_query, args.seed, args.n_web, args.tune)
        conds.update(real.conds)
        negs.update(real.negs)
        ref = ref + real.ref
    print(f"data ready in {time.perf_counter() - t_all:.0f}s", file=sys.stderr)
    results: dict[str, Result] = {}
    speeds: dict[str, dict[str, float]] = {}
    sweep: dict[float, Result] = {}
    with tempfile.TemporaryDirectory(prefix="trace-bench-") as tmp:
        work = Path(tmp)
        for name in args.systems.split(","):
            t0 = time.perf_counter()
            if name == "unspin":
                sweep, speeds[name] = run_unspin(
                    ref, conds, negs, work, args.jobs, args.min_similarity, real, args.sweep
                )
                results[name] = sweep.pop(-1.0)
            elif name == "datasketch-5g":
                results[name], speeds[name] = run_datasketch(ref, conds, negs, 5, 0.8)
            elif name == "datasketch-1g":
                results[name], speeds[name] = run_datasketch(ref, conds, negs, 1, 0.5)
            elif name == "datatrove":
                results[name], speeds[name] = run_datatrove(ref, conds, negs, work)
            else:
                raise SystemExit(f"unknown system {name}")
            print(f"{name}: {time.perf_counter() - t0:.0f}s", file=sys.stderr)
    meta = {
        "n_ref": len(ref),
        "n_query": args.n_query,
        "n_unrelated": len(unrelated),
        "n_templated": len(templated),
        "seed": args.seed,
        "min_similarity": args.min_similarity,
        "seconds": round(time.perf_counter() - t_all, 1),
        "n_web": len(real.ref),
        "shares": real.shares,
        "tune": args.tune,
        "cpus": os.cpu_count(),
    }
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    md = markdown(results, sweep, speeds, meta)
    (out / "results.md").write_text(md, encoding="utf-8")
    payload = {
        "meta": meta,
        "speed": speeds,
        "results": {k: v.rows for k, v in results.items()},
        "unspin_sweep": {str(k): v.rows for k, v in sweep.items()},
    }
    (out / "results.json").write_text(json.dumps(payload, indent=1), encoding="utf-8")
    print(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
