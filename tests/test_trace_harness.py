"""The trace sets that behave like real spinners (benchmarks/trace_sets.py) and the trace
benchmark end to end at tiny size, so they cannot rot."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks import trace_sets  # noqa: E402
from benchmarks.spinner import default_data_dir  # noqa: E402
from unspin.trace.align import MIN_EVIDENCE  # noqa: E402

ARTICLES = [
    "The Tyne Bridge in Newcastle was opened by King George V in 1928, and it was designed by "
    "Mott, Hay and Anderson. It was built by Dorman Long of Middlesbrough, which also built the "
    "Sydney Harbour Bridge. The arch spans 161 metres over the river and carries the A167 road "
    "between Newcastle and Gateshead.",
    "The Kepler space telescope was launched by NASA in March 2009 to find planets orbiting other "
    "stars. Over nine years it observed about 530,506 stars, and it confirmed 2,662 exoplanets. "
    "Its fuel ran out in October 2018 and it was retired.",
    "Margaret Okafor was born in 1962 in Enugu. She studied chemistry at the University of Lagos, "
    "and later she worked for the Nigerian National Petroleum Corporation in Port Harcourt. In "
    "1994 she founded Okafor Laboratories, which developed cheap water filters for clinics.",
    "Rain fell on the valley for three days. The farmers moved their sheep to the higher fields, "
    "and the school closed while the river was high. By Sunday the water had gone down again.",
]


def test_real_dev_sources() -> None:
    refs, pages = trace_sets.real_dev(default_data_dir())
    with_source = [p for p in pages if p.sources]
    assert len(pages) == 16 and len(with_source) == 10
    four = [p for p in with_source if len(p.sources) == 4]
    assert len(four) == 1 and four[0].id.startswith("rs04")
    keys = {k for k, _t in refs}
    assert all(p.sources <= keys for p in with_source)
    assert len(refs) == sum(len(p.sources) for p in with_source)


def test_heavy_rewriter_reaches_its_share() -> None:
    rw = trace_sets.HeavyRewriter(default_data_dir(), seed=3)
    text = " ".join(ARTICLES)
    out = rw.rewrite(text, 0.4)
    assert trace_sets.rewritten_share(text, out) >= 0.4
    assert rw.rewrite(text, 0.4) == out  # deterministic


def test_restructure_splits_and_merges() -> None:
    rng = random.Random(1)
    text = ARTICLES[0]
    outs = {trace_sets.restructure(text, random.Random(k), split=1.0, merge=0.0) for k in range(3)}
    assert all(len(trace_sets.sentences(o)) > len(trace_sets.sentences(text)) for o in outs)
    merged = trace_sets.restructure(ARTICLES[1], rng, split=0.0, merge=1.0)
    assert len(trace_sets.sentences(merged)) == 1


def test_stitched_pages_and_attribution() -> None:
    rw = trace_sets.HeavyRewriter(default_data_dir(), seed=3)
    st = trace_sets.stitch(ARTICLES, range(len(ARTICLES)), rw, random.Random(5))
    assert 3 <= len(st.sources) <= 4 and len(set(st.sources)) == len(st.sources)
    assert [d for *_, d in st.pieces] == st.sources
    assert st.pieces[0][0] == 0 and st.pieces[-1][1] == len(st.text)
    # Pieces are prose, never a heading on its own.
    with_headings = ["Results\n" + a.replace(". ", ".\nHistory\n", 1) for a in ARTICLES]
    for seed in range(8):
        page = trace_sets.stitch(with_headings, range(len(ARTICLES)), rw, random.Random(seed))
        assert all(len(page.text[a:b].split()) >= MIN_EVIDENCE for a, b, _ in page.pieces)
    a, b, d = st.pieces[1]
    right = [{"start": a, "end": b, "source": str(d)}]
    wrong = [{"start": a, "end": b, "source": None}]
    doc_of = {str(x): x for x in st.sources}
    assert trace_sets.attribution_accuracy(right, st.pieces, doc_of) == (1, 1)
    assert trace_sets.attribution_accuracy(wrong, st.pieces, doc_of) == (0, 1)


def test_missed_sources_says_why_a_source_was_lost(tmp_path: Path) -> None:
    from unspin.trace import Index

    rw = trace_sets.HeavyRewriter(default_data_dir(), seed=3)
    st = trace_sets.stitch(ARTICLES, range(len(ARTICLES)), rw, random.Random(5))
    with Index(tmp_path / "i.db", mode="a") as idx:
        idx.add((str(i), t) for i, t in enumerate(ARTICLES[:3]))
        ids = trace_sets.reference_ids(idx)
        args = (idx, ids, st.text, st.pieces)
        assert trace_sets.missed_sources(*args, set(st.sources), 0.5) == {}
        every = trace_sets.missed_sources(*args, set(), 0.5)
        assert sum(every.values()) == len(st.pieces) and set(every) <= set(trace_sets.MISSED)
        # A piece said to come from the fourth article, which is not indexed, was never
        # a candidate.
        a, b, _d = st.pieces[0]
        lost = trace_sets.missed_sources(idx, ids, st.text, [(a, b, 3)], set(), 0.5)
        assert lost == {"not a candidate": 1}


def test_trace_bench_real_sets_tiny(tmp_path: Path) -> None:
    out = tmp_path / "out"
    r = subprocess.run(
        [
            sys.executable, str(REPO / "benchmarks" / "trace_bench.py"), "--sets", "real",
            "--systems", "unspin", "--n-ref", "300", "--n-query", "4", "--n-web", "40",
            "--jobs", "1", "--out", str(out),
        ],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr[-2000:]
    res = json.loads((out / "results.json").read_text())["results"]["unspin"]
    for c in ("real-dev", "readme", "heavy-40", "heavy-50", "heavy-60", "stitch-3to6"):
        assert 0.0 <= res[c]["recall_top1"] <= 1.0 and res[c]["queries"] > 0
    assert res["real-dev"]["queries"] == 10 and len(res["real-dev"]["pages"]) == 10
    assert 0.0 <= res["stitch-3to6"]["attribution_accuracy"] <= 1.0
    lost = res["stitch-3to6"]["sources_lost"]
    assert list(lost) == list(trace_sets.MISSED) and 0.0 <= sum(lost.values()) <= 1.0
    assert res["real-nosource"]["queries"] == 6
    assert "| stitch-3to6 |" in (out / "results.md").read_text()
