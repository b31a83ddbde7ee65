"""Metrics of the evaluation harness, checked with simple scoring functions on built sets."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks import metrics, sets  # noqa: E402
from benchmarks.detectors import Pred  # noqa: E402
from benchmarks.sets import Doc  # noqa: E402
from benchmarks.spinner import default_data_dir  # noqa: E402


def test_auroc_matches_pairwise_definition() -> None:
    rng = random.Random(0)
    pos = [rng.choice([0.1, 0.5, 0.7, 0.9]) for _ in range(40)]
    neg = [rng.choice([0.1, 0.3, 0.5, 0.7]) for _ in range(30)]
    pairs = [(1.0 if p > n else 0.5 if p == n else 0.0) for p in pos for n in neg]
    assert metrics.auroc(pos, neg) == pytest.approx(sum(pairs) / len(pairs))
    assert metrics.auroc([1, 2], [0, 0]) == 1.0
    assert metrics.auroc([0.5], [0.5]) == 0.5
    assert metrics.auroc([], [1.0]) is None


def test_document_metrics_at_verdict() -> None:
    pos = [Pred(0.9, "spun"), Pred(0.8, "spun"), Pred(0.4, "uncertain"), Pred(0.2, "clean")]
    neg = [Pred(0.95, "spun"), Pred(0.1, "clean"), Pred(0.1, "clean"), Pred(0.3, "clean")]
    d = metrics.document_metrics(pos, neg)
    assert d["precision"] == pytest.approx(2 / 3)
    assert d["recall"] == pytest.approx(0.5)
    assert d["f1"] == pytest.approx(2 * (2 / 3) * 0.5 / (2 / 3 + 0.5))
    assert d["fpr"] == pytest.approx(0.25)
    assert d["auroc"] == pytest.approx(metrics.auroc([0.9, 0.8, 0.4, 0.2], [0.95, 0.1, 0.1, 0.3]))


def _doc() -> Doc:
    text = "The colossal information era made counterfeit consciousness popular."
    spans = [
        {"start": 4, "end": 24, "original": "big data", "kind": "substitution"},
        {"start": 34, "end": 59, "original": "artificial intelligence", "kind": "substitution"},
    ]
    for s in spans:
        s["text"] = text[s["start"] : s["end"]]
    return Doc("t", text, 1, spans)


def _flag(start: int, end: int, original: str, alts: list[str] | None = None) -> dict:
    return {"start": start, "end": end, "kind": "substitution", "original": original,
            "alternatives": alts or [original]}  # fmt: skip


def test_span_metrics_oracle_and_silence() -> None:
    doc = _doc()
    oracle = Pred(1.0, "spun", [_flag(s["start"], s["end"], s["original"]) for s in doc.spans])
    m = metrics.span_metrics([doc], [oracle])
    assert (m["span_precision"], m["span_recall"], m["restore_top1"], m["restore_top5"]) == (
        1.0, 1.0, 1.0, 1.0,
    )  # fmt: skip
    silent = metrics.span_metrics([doc], [Pred(0.0, "clean", [])])
    assert silent["span_recall"] == 0.0 and silent["span_precision"] is None


def test_span_metrics_overlap_partial_restore_and_top5() -> None:
    doc = _doc()
    flags = [
        # half of "colossal information", restored as "big" -> region gives "big information"
        _flag(4, 12, "big"),
        # right place, wrong top-1, correct among the alternatives (case-insensitive)
        _flag(34, 59, "fake mind", ["fake mind", "Artificial Intelligence"]),
        # a false flag on a clean word
        _flag(0, 3, "A"),
    ]
    m = metrics.span_metrics([doc], [Pred(0.9, "spun", flags)])
    assert m["span_precision"] == pytest.approx(2 / 3)
    assert m["span_recall"] == 1.0
    assert m["restore_top1"] == 0.0
    assert m["restore_top5"] == pytest.approx(0.5)
    # Two flags that together cover one true span restore it when both are right.
    both = [_flag(4, 12, "big"), _flag(13, 24, "data")]
    m2 = metrics.span_metrics([doc], [Pred(0.9, "spun", both)])
    assert m2["restore_top1"] == pytest.approx(1.0) and m2["span_recall"] == 0.5


def test_clean_metrics_counts_every_flag() -> None:
    docs = [Doc("a", "one two three four five", 0), Doc("b", "six seven eight nine ten", 0)]
    preds = [Pred(0.1, "clean", [_flag(0, 3, "x")]), Pred(0.9, "spun", [])]
    c = metrics.clean_metrics(docs, preds)
    assert c["false_flags_per_1k_words"] == pytest.approx(100.0)
    assert c["docs_with_flag"] == 0.5 and c["judged_spun"] == 0.5


def test_rarity_scorer_separates_spun_from_clean_on_small_sets() -> None:
    """A crude scorer on real small sets: metrics must register the gap (and not be perfect)."""
    b = sets.Builder(default_data_dir(), sets.SMALL)
    clean = b.build("clean-wiki").docs
    spun = b.build("spun-cross-dict-30").docs
    common = set(" ".join(d.text for d in clean).lower().split())

    def score(text: str) -> Pred:
        words = text.lower().split()
        spans = []
        pos = 0
        for w in text.split():
            pos = text.index(w, pos)
            if w.lower() not in common:
                spans.append(_flag(pos, pos + len(w), ""))
            pos += len(w)
        return Pred(sum(w not in common for w in words) / max(len(words), 1), "", spans)

    au = metrics.auroc([score(d.text).score for d in spun], [score(d.text).score for d in clean])
    assert au is not None and au > 0.8  # the clean vocabulary is the scorer's own training data
    m = metrics.span_metrics(spun, [score(d.text) for d in spun])
    # Deleting a flagged word restores only where the spinner inserted one ("it was once").
    assert 0.0 < m["span_recall"] <= 1.0 and m["restore_top1"] < 0.1
    assert set(m["recall_by_swap"]) <= {"synonym", "function"}


def test_sets_are_deterministic_and_truthful() -> None:
    b1 = sets.Builder(default_data_dir(), sets.SMALL)
    b2 = sets.Builder(default_data_dir(), sets.SMALL)
    for name in ("spun-in-dict-20", "pps-in-context", "keyword-insertion", "spinbot-sample"):
        s1, s2 = b1.build(name), b2.build(name)
        assert [d.text for d in s1.docs] == [d.text for d in s2.docs]
        assert s1.docs, name
        for d in s1.docs:
            for s in d.spans:
                assert d.text[s["start"] : s["end"]] == s["text"], (name, s)
    clean = {d.text for d in b1.build("clean-wiki").docs}
    spun_sources = set(b1.pool("spun", sets.SMALL.spun, "spun"))
    assert not clean & spun_sources  # disjoint pools
