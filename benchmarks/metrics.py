"""Document, span, restoration and clean-text metrics, computed the same way for every detector.

Conventions (stated once, used everywhere):
- a document is "judged spun" when its verdict is "spun" (the default threshold);
- a flag is correct when it overlaps a true span; a true span is found when a flag overlaps it;
- restoration is scored over the true spans that were found: the text of the region covered by
  the true span and its overlapping flags, restored with the flags' originals, must equal the
  original wording (case-insensitive, whitespace collapsed). When flag and truth have the same
  extent this is exactly "span.original equals the true original"; top-5 tries each of the
  flag's first five alternatives.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from benchmarks.detectors import Pred
from benchmarks.sets import Doc


def auroc(pos: Sequence[float], neg: Sequence[float]) -> float | None:
    """Probability that a random positive scores above a random negative (ties count half)."""
    if len(pos) == 0 or len(neg) == 0:
        return None
    scores = np.concatenate([np.asarray(pos, float), np.asarray(neg, float)])
    order = scores.argsort(kind="mergesort")
    ranks = np.empty(len(scores))
    sorted_scores = scores[order]
    # average ranks over ties
    i = 0
    n = len(scores)
    while i < n:
        j = i
        while j + 1 < n and sorted_scores[j + 1] == sorted_scores[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2 + 1
        i = j + 1
    r_pos = ranks[: len(pos)].sum()
    u = r_pos - len(pos) * (len(pos) + 1) / 2
    return float(u / (len(pos) * len(neg)))


def _div(a: float, b: float) -> float | None:
    return a / b if b else None


def _f1(p: float | None, r: float | None) -> float | None:
    if r == 0:
        return 0.0  # nothing found: F1 is 0 even when precision is undefined
    if p is None or r is None or p + r == 0:
        return None if p is None or r is None else 0.0
    return 2 * p * r / (p + r)


def document_metrics(pos: Sequence[Pred], neg: Sequence[Pred]) -> dict:
    """AUROC of the score; F1, precision, recall and FPR of verdict == 'spun'."""
    tp = sum(p.verdict == "spun" for p in pos)
    fp = sum(p.verdict == "spun" for p in neg)
    precision = _div(tp, tp + fp)
    recall = _div(tp, len(pos))
    return {
        "positives": len(pos),
        "negatives": len(neg),
        "auroc": auroc([p.score for p in pos], [p.score for p in neg]),
        "precision": precision,
        "recall": recall,
        "f1": _f1(precision, recall),
        "fpr": _div(fp, len(neg)),
    }


def _overlaps(a: dict, b: dict) -> bool:
    return a["start"] < b["end"] and b["start"] < a["end"]


_WS = re.compile(r"\s+")


def _norm(s: str) -> str:
    return _WS.sub(" ", s).strip().lower()


def _apply(text: str, base: int, spans: list[tuple[int, int, str]]) -> str:
    out, pos = [], base
    for s, e, rep in sorted(spans):
        out.append(text[pos:s])
        out.append(rep)
        pos = e
    return "".join(out)


def _restored_region(doc: Doc, truth: dict, flags: list[dict], main: dict, alt: str) -> bool:
    """Does restoring with `alt` for `main` (and top-1 for other flags) give the original here?"""
    lo, hi = min(truth["start"], main["start"]), max(truth["end"], main["end"])
    changed = True
    while changed:  # close the region over every truth and flag that touches it
        changed = False
        for s in doc.spans + flags:
            if s["start"] < hi and lo < s["end"] and (s["start"] < lo or s["end"] > hi):
                lo, hi = min(lo, s["start"]), max(hi, s["end"])
                changed = True
    text = doc.text

    def inside(s: dict) -> bool:
        return lo <= s["start"] and s["end"] <= hi

    want = _apply(text, lo, [(s["start"], s["end"], s["original"]) for s in doc.spans if inside(s)])
    want += text[max(lo, max((s["end"] for s in doc.spans if inside(s)), default=lo)) : hi]
    got_spans = [
        (f["start"], f["end"], alt if f is main else f["original"]) for f in flags if inside(f)
    ]
    got = _apply(text, lo, got_spans)
    got += text[max(lo, max((f["end"] for f in flags if inside(f)), default=lo)) : hi]
    return _norm(want) == _norm(got)


def span_metrics(docs: Sequence[Doc], preds: Sequence[Pred], kinds: set[str] | None = None) -> dict:
    """Span precision/recall/F1 by overlap, and restoration top-1/top-5 over found spans."""
    n_flags = n_flag_ok = n_true = n_found = top1 = top5 = 0
    by_swap: dict[str, list[int]] = {}
    for doc, pred in zip(docs, preds):
        flags = [f for f in pred.spans if kinds is None or f["kind"] in kinds]
        n_flags += len(flags)
        n_flag_ok += sum(any(_overlaps(f, t) for t in doc.spans) for f in flags)
        for t in doc.spans:
            n_true += 1
            hits = [f for f in flags if _overlaps(f, t)]
            slot = by_swap.setdefault(t.get("swap", t["kind"]), [0, 0])
            slot[0] += 1
            if not hits:
                continue
            n_found += 1
            slot[1] += 1
            main = max(hits, key=lambda f: min(f["end"], t["end"]) - max(f["start"], t["start"]))
            if _restored_region(doc, t, flags, main, main["original"]):
                top1 += 1
                top5 += 1
                continue
            alts = [a for a in main.get("alternatives", [])[:5] if a != main["original"]]
            if any(_restored_region(doc, t, flags, main, a) for a in alts):
                top5 += 1
    precision = _div(n_flag_ok, n_flags)
    recall = _div(n_found, n_true)
    return {
        "flags": n_flags,
        "true_spans": n_true,
        "span_precision": precision,
        "span_recall": recall,
        "span_f1": _f1(precision, recall),
        "restore_top1": _div(top1, n_found),
        "restore_top5": _div(top5, n_found),
        "recall_by_swap": {k: _div(v[1], v[0]) for k, v in sorted(by_swap.items())},
    }


def words(text: str) -> int:
    return len(text.split())


def clean_metrics(docs: Sequence[Doc], preds: Sequence[Pred]) -> dict:
    """False flags on clean text: per 1,000 words, share of documents flagged, verdicts."""
    n_words = sum(words(d.text) for d in docs)
    n_flags = sum(len(p.spans) for p in preds)
    n = len(docs)
    verdicts: dict[str, int] = {}
    for p in preds:
        verdicts[p.verdict] = verdicts.get(p.verdict, 0) + 1
    kinds: dict[str, int] = {}
    for p in preds:
        for s in p.spans:
            kinds[s["kind"]] = kinds.get(s["kind"], 0) + 1
    return {
        "docs": n,
        "words": n_words,
        "false_flags": n_flags,
        "false_flags_per_1k_words": _div(1000 * n_flags, n_words),
        "docs_with_flag": _div(sum(bool(p.spans) for p in preds), n),
        "judged_spun": _div(verdicts.get("spun", 0), n),
        "uncertain": _div(verdicts.get("uncertain", 0), n),
        "unsupported": _div(verdicts.get("unsupported", 0), n),
        "false_flags_by_kind": kinds,
    }


def judged_spun(preds: Sequence[Pred]) -> float | None:
    return _div(sum(p.verdict == "spun" for p in preds), len(preds))


def flagged_share(preds: Sequence[Pred]) -> float | None:
    """Share of documents with at least one flagged span."""
    return _div(sum(bool(p.spans) for p in preds), len(preds))


def pr_curve(pos: Sequence[float], neg: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    """Precision and recall of 'score >= t' for every distinct threshold t (for plots)."""
    scores = np.concatenate([np.asarray(pos, float), np.asarray(neg, float)])
    labels = np.concatenate([np.ones(len(pos)), np.zeros(len(neg))])
    order = np.argsort(-scores, kind="mergesort")
    scores, labels = scores[order], labels[order]
    tp = np.cumsum(labels)
    fp = np.cumsum(1 - labels)
    last = np.r_[scores[1:] != scores[:-1], True]  # one point per distinct threshold
    tp, fp = tp[last], fp[last]
    precision = tp / np.maximum(tp + fp, 1)
    recall = tp / max(len(pos), 1)
    return precision, recall


# -- real text ---------------------------------------------------------------------------------
def verdict_summary(preds: Sequence[Pred]) -> dict:
    """Share judged spun, mean score (unspin: spun_probability) and the verdict counts."""
    verdicts: dict[str, int] = {}
    for p in preds:
        verdicts[p.verdict] = verdicts.get(p.verdict, 0) + 1
    return {
        "pages": len(preds),
        "judged_spun": judged_spun(preds),
        "mean_spun_probability": _div(sum(p.score for p in preds), len(preds)),
        "verdicts": dict(sorted(verdicts.items())),
    }


def flag_rate(docs: Sequence[Doc], preds: Sequence[Pred]) -> dict:
    """Flagged spans (all kinds, and by kind) per 1,000 words."""
    n_words = sum(words(d.text) for d in docs)
    kinds: dict[str, int] = {}
    for p in preds:
        for s in p.spans:
            kinds[s["kind"]] = kinds.get(s["kind"], 0) + 1
    n = sum(kinds.values())
    return {
        "words": n_words,
        "flags": n,
        "flags_per_1k_words": _div(1000 * n, n_words),
        "flags_by_kind": dict(sorted(kinds.items())),
    }


def swap_counts(text: str, truth: Sequence[dict], flags: Sequence[dict]) -> dict:
    """Aligned-swap counts for one page against its alignment truth.

    truth: the page's changed regions (sets.alignment_truth), each with "change"; only
    "swap" regions are truth swaps, the others (rewrite, moved, insert) are other changes.
    Only substitution flags count. A flag is on a swap when it overlaps one; a swap is found
    when a flag overlaps it. A found swap is restored exactly when replacing the flags that
    overlap it by their `original`s gives the original words (case-insensitive, whitespace
    collapsed); when flag and swap have the same extent, that is `original` == the original.
    """
    swaps = [t for t in truth if t["change"] == "swap"]
    other = [t for t in truth if t["change"] != "swap"]
    subs = [f for f in flags if f["kind"] == "substitution"]
    on_swap = [any(_overlaps(f, t) for t in swaps) for f in subs]
    on_other = [not hit and any(_overlaps(f, t) for t in other) for f, hit in zip(subs, on_swap)]
    doc = Doc("", text, 1, swaps)
    found = exact = 0
    for t in swaps:
        hits = [f for f in subs if _overlaps(f, t)]
        if not hits:
            continue
        found += 1
        main = max(hits, key=lambda f: min(f["end"], t["end"]) - max(f["start"], t["start"]))
        exact += _restored_region(doc, t, subs, main, main["original"])
    return {
        "swaps": len(swaps),
        "other_changes": len(other),
        "flags": len(subs),
        "flags_on_swaps": sum(on_swap),
        "flags_on_other_changes": sum(on_other),
        "flags_on_unchanged": len(subs) - sum(on_swap) - sum(on_other),
        "found": found,
        "restored_exactly": exact,
        "words": words(text),
    }


def swap_summary(counts: Sequence[dict]) -> dict:
    """Pooled `swap_counts` of several pages: swap recall and precision, exact restoration
    (over the found swaps), and flags on unchanged text per 1,000 words (invented swaps)."""
    keys = ("swaps", "other_changes", "flags", "flags_on_swaps", "flags_on_other_changes",
            "flags_on_unchanged", "found", "restored_exactly", "words")  # fmt: skip
    tot = {k: sum(c[k] for c in counts) for k in keys}
    return {
        "pages": len(counts),
        **tot,
        "swap_recall": _div(tot["found"], tot["swaps"]),
        "swap_precision": _div(tot["flags_on_swaps"], tot["flags"]),
        "precision_any_change": _div(
            tot["flags_on_swaps"] + tot["flags_on_other_changes"], tot["flags"]
        ),
        "exact_restoration": _div(tot["restored_exactly"], tot["found"]),
        "flags_on_unchanged_per_1k_words": _div(1000 * tot["flags_on_unchanged"], tot["words"]),
    }


SWAP_GROUPS = ("word_spinner", "paraphrase")  # kind groups whose aligned swaps are scored


def real_dev_metrics(docs: Sequence[Doc], preds: Sequence[Pred]) -> dict:
    """real-dev: verdicts by kind group, the originals as clean text, aligned swaps for the
    word-spinner and paraphrase pages that have an original, and one record per page."""
    spun = [(d, p) for d, p in zip(docs, preds) if d.label == 1]
    orig = {d.meta.get("page"): (d, p) for d, p in zip(docs, preds) if d.label == 0}
    groups: dict[str, list[tuple[Doc, Pred]]] = {}
    for d, p in spun:
        groups.setdefault(d.group, []).append((d, p))
    by_kind = {}
    for g, items in groups.items():
        by_kind[g] = {
            **verdict_summary([p for _, p in items]),
            **flag_rate([d for d, _ in items], [p for _, p in items]),
            "with_original": sum(d.meta.get("has_original", False) for d, _ in items),
        }
    pages, counts_by_group = [], {g: [] for g in SWAP_GROUPS}
    for d, p in spun:
        rec: dict = {
            "id": d.id, "kind": d.meta.get("kind", d.group), "group": d.group,
            "words": words(d.text), "verdict": p.verdict, "spun_probability": p.score,
            "flags": len(p.spans), "flags_by_kind": flag_rate([d], [p])["flags_by_kind"],
            "has_original": bool(d.meta.get("has_original")),
        }  # fmt: skip
        if rec["has_original"]:
            rec["changes"] = d.meta.get("changes", {})
            rec["swap_counts"] = swap_counts(d.text, d.spans, p.spans)
            if d.group in counts_by_group:
                counts_by_group[d.group].append(rec["swap_counts"])
        if d.id in orig:
            od, op = orig[d.id]
            rec["original"] = {"words": words(od.text), "verdict": op.verdict,
                               "spun_probability": op.score, "flags": len(op.spans)}  # fmt: skip
        pages.append(rec)
    originals = list(orig.values())
    return {
        "by_kind": by_kind,
        "originals": {
            **clean_metrics([d for d, _ in originals], [p for _, p in originals]),
            "mean_spun_probability": _div(sum(p.score for _, p in originals), len(originals)),
        },
        "swaps": {g: swap_summary(c) for g, c in counts_by_group.items()},
        "pages": pages,
    }


def by_group_clean(docs: Sequence[Doc], preds: Sequence[Pred]) -> dict:
    """`clean_metrics` (plus mean score) for each Doc.group, and their unweighted mean."""
    groups: dict[str, list[tuple[Doc, Pred]]] = {}
    for d, p in zip(docs, preds):
        groups.setdefault(d.group, []).append((d, p))
    out = {}
    for g, items in sorted(groups.items()):
        out[g] = {
            **clean_metrics([d for d, _ in items], [p for _, p in items]),
            "mean_spun_probability": _div(sum(p.score for _, p in items), len(items)),
        }
    macro = {}
    for k in ("false_flags_per_1k_words", "judged_spun", "docs_with_flag"):
        vals = [v[k] for v in out.values() if v[k] is not None]
        macro[k] = _div(sum(vals), len(vals))
    return {"genres": out, "macro_mean": macro}
