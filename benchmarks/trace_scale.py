"""Index scale: build time, size on disk and query latency as the reference set grows.

Reference documents: the articles of the 2014 Wikipedia parts (01-05, about 194k articles,
~1.7 KB each), read in file order, then their long paragraphs as documents of their own,
with the held-out 2021 articles mixed in as the ones
that get spun. At each size N (default 50k, 100k, 200k) the index is built from scratch
with `-j` worker processes, then queried with

* spun copies (moby, 20%) of indexed held-out articles: latency and whether the true
  source comes back first, and
* held-out articles that are not indexed: latency of a query with no source (the worst
  case: every candidate has to be verified and rejected),

and an append of 1,000 documents to the full index is timed (it runs the integrity check
first). The last lines extrapolate linearly to 1M documents (size and build time grow
linearly; lookups are B-tree point queries, so latency should grow slowly: compare the
measured sizes).

Run: ``.venv/bin/python benchmarks/trace_scale.py --sizes 50000,100000,200000 --jobs 2``
(about 10 minutes on 2 cores). Writes bench-out/trace/scale.json and scale.md.
"""

from __future__ import annotations

import argparse
import json
import lzma
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from collections import deque
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "src"))

from benchmarks.spinner import Spinner, default_data_dir, load_dictionary  # noqa: E402
from benchmarks.trace_bench import load_articles  # noqa: E402

PARTS = [f"enwiki-slices/enwiki2014slice_part0{i}.txt.xz" for i in range(1, 6)]


def _paragraphs(lo: int, hi: int) -> Iterator[str]:
    """Paragraphs of the 2014 parts with lo <= words < hi, in file order."""
    for part in PARTS:
        with lzma.open(default_data_dir() / part, "rt", encoding="utf-8") as f:
            for line in f:
                if lo <= len(line.split()) < hi and not line.startswith("= "):
                    yield line.rstrip("\n")


def reference_articles() -> Iterator[str]:
    """Bodies of the 2014 articles, in file order (~194k); then, to reach a million, their
    paragraphs as documents of their own (60 words or more, then 30-59: ~670k in all);
    then pairs of paragraphs 1,000 apart joined into one document (distinct texts of web
    page size; each paragraph is shared by two of them)."""
    for part in PARTS:
        paras: list[str] = []
        with lzma.open(default_data_dir() / part, "rt", encoding="utf-8") as f:
            for line in f:
                line = line.rstrip("\n")
                if not line:
                    if paras:
                        yield "\n".join(paras)
                    paras = []
                elif not (line.startswith("= ") and line.endswith(" =")):
                    paras.append(line)
        if paras:
            yield "\n".join(paras)
    yield from _paragraphs(60, 1 << 30)
    yield from _paragraphs(30, 60)
    window: deque[str] = deque()
    for para in _paragraphs(30, 1 << 30):
        window.append(para)
        if len(window) > 1000:
            yield window.popleft() + "\n" + para


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))]


def measure(
    n: int, planted: list[str], spun: list[str], unseen: list[str], jobs: int, tmp: Path
) -> dict:
    from unspin.trace import Index

    db = tmp / f"idx-{n}.db"
    every = max(1, n // len(planted))
    t0 = time.perf_counter()

    def docs() -> Iterator[tuple[str, str]]:
        it = reference_articles()
        k = 0
        for i in range(n):
            if i % every == 0 and k < len(planted):
                yield f"planted-{k}", planted[k]
                k += 1
            else:
                yield f"wiki-{i}", next(it)

    with Index(db, mode="a") as idx:
        idx.add(docs(), jobs=jobs)
        stats = idx.stats()
    build = time.perf_counter() - t0
    lat_spun: list[float] = []
    lat_unseen: list[float] = []
    correct = 0
    with Index(db) as idx:
        idx.trace(spun[0])  # warm the page cache once
        for k, text in enumerate(spun):
            t = time.perf_counter()
            got = idx.trace(text)
            lat_spun.append(time.perf_counter() - t)
            correct += bool(got) and got[0].id == f"planted-{k}"
        false = 0
        for text in unseen:
            t = time.perf_counter()
            false += bool(idx.trace(text))
            lat_unseen.append(time.perf_counter() - t)
    t0 = time.perf_counter()
    with Index(db, mode="a") as idx:
        check = time.perf_counter() - t0
        idx.add((f"extra-{i}", unseen[i % len(unseen)] + f" {i}") for i in range(1000))
    append = time.perf_counter() - t0
    db.unlink()
    return {
        "documents": n,
        "build_s": round(build, 1),
        "build_docs_per_s": round(n / build, 1),
        "bytes": stats["bytes"],
        "bytes_per_doc": round(stats["bytes"] / n, 1),
        "band_rows": stats["band_rows"],
        "query_spun_ms_p50": round(1000 * statistics.median(lat_spun), 2),
        "query_spun_ms_p95": round(1000 * pct(lat_spun, 0.95), 2),
        "query_unseen_ms_p50": round(1000 * statistics.median(lat_unseen), 2),
        "query_unseen_ms_p95": round(1000 * pct(lat_unseen, 0.95), 2),
        "top1_correct": correct / len(spun),
        "false_sources": false / len(unseen),
        "append_1000_s": round(append, 2),
        "integrity_check_s": round(check, 2),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="50000,100000,200000")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--out", default=str(REPO / "bench-out" / "trace"))
    ap.add_argument("--tmp", default=None, help="folder for the index files (default: /tmp)")
    args = ap.parse_args()
    held = load_articles()
    random.Random(7).shuffle(held)
    planted = held[: args.queries]
    unseen = held[args.queries : 2 * args.queries]
    spinner = Spinner(load_dictionary("moby"), 0.2, seed=11)
    spun = [spinner.spin(t).text for t in planted]
    rows = []
    with tempfile.TemporaryDirectory(prefix="trace-scale-", dir=args.tmp) as tmp:
        for n in (int(x) for x in args.sizes.split(",")):
            row = measure(n, planted, spun, unseen, args.jobs, Path(tmp))
            print(json.dumps(row), file=sys.stderr)
            rows.append(row)
    last = rows[-1]
    scale = 1_000_000 / last["documents"]
    extrapolated = {
        "documents": 1_000_000,
        "build_s": round(last["build_s"] * scale),
        "bytes": round(last["bytes"] * scale),
    }
    md = [
        "| documents | build (s) | docs/s | size on disk | bytes/doc | query p50 / p95, spun (ms) "
        "| query p50 / p95, no source (ms) | top-1 correct | false sources | append 1k (s) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        md.append(
            f"| {r['documents']:,} | {r['build_s']} | {r['build_docs_per_s']:,} | "
            f"{r['bytes'] / 2**20:,.0f} MiB | {r['bytes_per_doc']:,.0f} | "
            f"{r['query_spun_ms_p50']} / {r['query_spun_ms_p95']} | "
            f"{r['query_unseen_ms_p50']} / {r['query_unseen_ms_p95']} | "
            f"{r['top1_correct']:.3f} | {r['false_sources']:.3f} | {r['append_1000_s']} |"
        )
    if last["documents"] < 1_000_000:
        md.append(
            f"| 1,000,000 (extrapolated) | ~{extrapolated['build_s']:,} | | "
            f"~{extrapolated['bytes'] / 2**30:,.1f} GiB | | | | | | |"
        )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    md.append(f"\nPeak RSS of the building process: {peak_mb:,.0f} MB (workers: one each).")
    text = "\n".join(md) + "\n"
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "scale.md").write_text(text, encoding="utf-8")
    payload = {"rows": rows, "extrapolated_1m": extrapolated, "jobs": args.jobs}
    payload["peak_rss_mb_main"] = round(peak_mb)
    payload["cpus"] = os.cpu_count()
    (out / "scale.json").write_text(json.dumps(payload, indent=1), encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
