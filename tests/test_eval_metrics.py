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


# -- real text: alignment truth and aligned-swap metrics ----------------------------------------
_ORIG = (
    'Early yesterday morning the big dog ran fast to the "old" house in the village. '
    "It\u2019s hungry, so it was sad."
)
_SPUN = (
    "The large canine ran fast towards the \u201cold\u201d house within a small rural settlement "
    "by rivers. It's really hungry and tired of waiting for dinner, so, it was sad early "
    "yesterday morning too."
)


def test_alignment_truth_names_each_change() -> None:
    spans, counts = sets.alignment_truth(_ORIG, _SPUN)
    # curly vs straight quotes and case alone are not changes; "so," is punctuation only
    assert counts == {"swap": 2, "rewrite": 1, "moved": 1, "insert": 2, "delete": 0,
                      "punctuation": 1}  # fmt: skip
    by = {s["text"]: (s["change"], s["original"]) for s in spans}
    assert by["large canine"] == ("swap", "big dog")
    assert by["towards"] == ("swap", "to")
    assert by["within a small rural settlement by rivers"] == ("rewrite", "in the village")
    assert by["early yesterday morning too"][0] == "moved"  # its deletion is "moved_from"
    assert by["really"] == ("insert", "")
    for s in spans:
        assert _SPUN[s["start"] : s["end"]] == s["text"]
    # align_spans (spinbot-sample's truth) is every replaced or inserted region
    assert len(sets.align_spans(_ORIG, _SPUN)) == 7


def test_swap_rule_boundaries() -> None:
    def change(m: int, n: int) -> str:
        r = {"op": "replace", "start": 0, "end": 1, "text": "x", "original": "y",
             "orig_words": m, "spun_words": n}  # fmt: skip
        return sets.classify_regions([r])[0]["change"]

    assert change(1, 1) == change(1, 3) == change(4, 4) == change(4, 2) == "swap"
    assert change(1, 4) == change(5, 5) == change(1, 5) == change(2, 7) == "rewrite"
    assert change(0, 2) == "insert" and change(2, 0) == "delete" and change(0, 0) == "punctuation"


def _at(text: str, phrase: str, original: str, kind: str = "substitution") -> dict:
    s = text.index(phrase)
    return {"start": s, "end": s + len(phrase), "kind": kind, "original": original,
            "alternatives": [original]}  # fmt: skip


def test_swap_counts_on_a_hand_made_page() -> None:
    truth, _ = sets.alignment_truth(_ORIG, _SPUN)
    flags = [
        _at(_SPUN, "large canine", "Big Dog"),  # found, restored exactly (case-insensitive)
        _at(_SPUN, "towards", "into"),  # found, wrong original
        _at(_SPUN, "fast", "quickly"),  # unchanged text: an invented swap
        _at(_SPUN, "rural", "village"),  # inside the rewrite: another change, not a swap
        _at(_SPUN, "really", "", "keyword"),  # not a substitution: ignored
    ]
    c = metrics.swap_counts(_SPUN, truth, flags)
    assert c["swaps"] == 2 and c["other_changes"] == 4 and c["flags"] == 4
    assert (c["flags_on_swaps"], c["flags_on_other_changes"], c["flags_on_unchanged"]) == (2, 1, 1)
    assert c["found"] == 2 and c["restored_exactly"] == 1
    s = metrics.swap_summary([c, metrics.swap_counts(_SPUN, truth, [])])
    assert s["pages"] == 2 and s["swaps"] == 4
    assert s["swap_recall"] == pytest.approx(0.5)
    assert s["swap_precision"] == pytest.approx(0.5)
    assert s["precision_any_change"] == pytest.approx(0.75)
    assert s["exact_restoration"] == pytest.approx(0.5)
    assert s["flags_on_unchanged_per_1k_words"] == pytest.approx(1000 / (2 * len(_SPUN.split())))


def test_swap_counts_partial_and_split_flags() -> None:
    truth, _ = sets.alignment_truth(_ORIG, _SPUN)
    half = metrics.swap_counts(_SPUN, truth, [_at(_SPUN, "canine", "dog")])
    assert half["found"] == 1 and half["restored_exactly"] == 0  # "large dog" != "big dog"
    split = [_at(_SPUN, "large", "big"), _at(_SPUN, "canine", "dog")]
    both = metrics.swap_counts(_SPUN, truth, split)
    assert both["found"] == 1 and both["restored_exactly"] == 1 and both["flags_on_swaps"] == 2
    none = metrics.swap_summary([metrics.swap_counts(_SPUN, truth, [])])
    assert none["swap_recall"] == 0.0 and none["swap_precision"] is None


def test_real_dev_metrics_groups_pages_and_originals() -> None:
    truth, changes = sets.alignment_truth(_ORIG, _SPUN)
    docs = [
        Doc("p1", _SPUN, 1, truth, "word_spinner", {"kind": "word_spinner", "has_original": True,
                                                   "changes": changes}),
        Doc("p2", "Some fluent rewrite of a text here.", 1, [], "paraphrase",
            {"kind": "llm_paraphrase", "has_original": False}),
        Doc("p1/original", _ORIG, 0, group="original", meta={"page": "p1"}),
    ]  # fmt: skip
    preds = [
        Pred(0.9, "spun", [_at(_SPUN, "large canine", "big dog")]),
        Pred(0.4, "uncertain", [_at(docs[1].text, "fluent", "good")]),
        Pred(0.2, "clean", [_at(_ORIG, "fast", "quick")]),
    ]
    m = metrics.real_dev_metrics(docs, preds)
    assert m["by_kind"]["word_spinner"]["judged_spun"] == 1.0
    assert m["by_kind"]["paraphrase"]["judged_spun"] == 0.0
    assert m["by_kind"]["paraphrase"]["flags_per_1k_words"] == pytest.approx(1000 / 7)
    assert m["originals"]["docs"] == 1 and m["originals"]["judged_spun"] == 0.0
    assert m["originals"]["false_flags_per_1k_words"] == pytest.approx(1000 / len(_ORIG.split()))
    ws = m["swaps"]["word_spinner"]
    assert ws["pages"] == 1 and ws["swap_recall"] == 0.5 and ws["exact_restoration"] == 1.0
    assert m["swaps"]["paraphrase"]["pages"] == 0  # its only page has no original
    p1 = next(p for p in m["pages"] if p["id"] == "p1")
    assert p1["original"]["verdict"] == "clean" and p1["changes"]["swap"] == 2
    assert "swap_counts" not in next(p for p in m["pages"] if p["id"] == "p2")


def test_by_group_clean_and_macro_mean() -> None:
    docs = [Doc("a", "one two three four", 0, group="g1"), Doc("b", "five six", 0, group="g2")]
    preds = [Pred(0.1, "clean", [_flag(0, 3, "x")]), Pred(0.9, "spun", [])]
    g = metrics.by_group_clean(docs, preds)
    assert g["genres"]["g1"]["false_flags_per_1k_words"] == pytest.approx(250.0)
    assert g["genres"]["g2"]["judged_spun"] == 1.0
    assert g["macro_mean"]["judged_spun"] == pytest.approx(0.5)
    assert g["macro_mean"]["false_flags_per_1k_words"] == pytest.approx(125.0)


def test_web_documents_format(tmp_path: Path) -> None:
    import lzma

    from benchmarks import data

    p = tmp_path / "x_heldout.txt.xz"
    with lzma.open(p, "wt", encoding="utf-8") as f:
        f.write("= First =\nPara one.\nPara two.\n\n= Second = doc =\nOnly para.\n")
    assert data.web_documents(p) == [
        ("First", "Para one.\nPara two."),
        ("Second = doc", "Only para."),
    ]


def test_real_sets_are_deterministic_and_truthful() -> None:
    d = default_data_dir()
    if not (d / "real-spun-dev").is_dir() or not (d / "web-genres").is_dir():
        pytest.skip("shared real-text data absent")
    b1, b2 = sets.Builder(d, sets.SMALL), sets.Builder(d, sets.SMALL)
    for name in sets.REAL_SETS:
        s1, s2 = b1.build(name), b2.build(name)
        assert [x.text for x in s1.docs] == [x.text for x in s2.docs] and s1.docs
        for doc in s1.docs:
            for s in doc.spans:
                assert doc.text[s["start"] : s["end"]] == s["text"], (name, s)
    rd = b1.build("real-dev")
    assert sum(x.label for x in rd.docs) == 16 and sum(1 - x.label for x in rd.docs) == 10
    assert {x.group for x in rd.docs if x.label} == {
        "word_spinner", "paraphrase", "homoglyph_obfuscation", "keyword_stuffed_rewrite",
    }  # fmt: skip
    web = b1.build("clean-web").docs
    per: dict[str, int] = {}
    for x in web:
        per[x.group] = per.get(x.group, 0) + 1
    assert max(per.values()) == sets.SMALL.web_per_genre and len(per) == 9
