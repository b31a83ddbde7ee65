"""Fit the word combiner, the document model, the bars and the cutoffs (verdict.json).

Input: the CALIBRATION share of build/detector.py (2014 Wikipedia dev paragraphs and the
last documents of every web-genre main file, never seen by the encoder's training), each
text once clean and once spun by the training spinner at 5-45%, as paragraphs and as
~2.3 KB documents. Nothing held out is read.

- Word combiner: logistic regression over signals/replaced.WORD_FEATURES. The n-gram
  inputs stay only if they add: the ablation (fit on one half, measured on the other) is
  printed and kept in verdict.json's meta.
- Document model: logistic regression over verdict.WORD_DOC_FEATURES, on balanced clean
  and spun texts, so `spun_probability` is calibrated at even odds on this mix.
- Spun cutoffs: at most 0.25% of clean calibration texts (short and long separately) judged
  spun. Strict bar: at most 1 false flag per STRICT_WORDS clean words. Bar in documents
  judged spun: best F0.5 on spun texts.
- Screen (the cascade's first stage, model/screen.py): logistic regression over the
  student's SCREEN_FEATURES; it clears a text only under a bar that lets through all but
  SCREEN_LOSS of the texts spun from a dictionary the screen never learned from (PPDB)
  that the full path does not call clean.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import numpy as np

from unspin.build.detector import SEED, make_spinner, paragraph_shares
from unspin.build.model import fit_logistic
from unspin.build.screen import SOURCES as SCREEN_SOURCES
from unspin.model.screen import capitals_mid_sentence, screen_features
from unspin.signals.replaced import NGRAM_FEATURES, WORD_FEATURES
from unspin.verdict import LONG_WORDS, Calibration, WordEvidence, sigmoid

STRICT_WORDS = 10_000
SCREEN_LOSS = 0.005  # share of the unseen spins found by the full path the screen may clear
SCREEN_UNSEEN = tuple(s for s in ("oewn", "ppdb") if s not in SCREEN_SOURCES)
CLEAN_CUTOFF = 0.2  # spun_probability under which the verdict is "clean"
N_WIKI = 600
N_WEB = 900
N_DOCS = 300
DOC_PARAGRAPHS = 5
_W = {k: i for i, k in enumerate(WORD_FEATURES)}


def calibration_texts(data: Path, quick: bool = False) -> list[str]:
    shares = paragraph_shares(data)["calibration"]
    rng = random.Random(SEED + 1)
    wiki, web = list(shares["wiki"]), list(shares["web"])
    rng.shuffle(wiki)
    # Web paragraphs keep their order (documents are consecutive runs of them).
    n_wiki, n_web, n_docs = (40, 60, 20) if quick else (N_WIKI, N_WEB, N_DOCS)
    docs = []
    for pool in (shares["wiki"], shares["web"]):
        for i in range(0, len(pool) - DOC_PARAGRAPHS, DOC_PARAGRAPHS * 7):
            docs.append("\n".join(pool[i : i + DOC_PARAGRAPHS]))
    rng.shuffle(docs)
    web_sample = rng.sample(web, min(n_web, len(web)))
    return wiki[:n_wiki] + web_sample + docs[:n_docs]


def _labels(rows, spans: list[tuple[int, int]]) -> np.ndarray:
    starts = np.array([rows.tokens[i].start for i in rows.word_tok], dtype=int)
    ends = np.array([rows.tokens[i].end for i in rows.word_tok], dtype=int)
    y = np.zeros(len(starts))
    for s, e in spans:
        y[(starts < e) & (ends > s)] = 1
    return y


def collect(analyzer, texts: list[str], spinner, clean: bool = True) -> list[dict]:
    """Per text, clean (unless `clean` is False) and spun: word rows, labels, word count."""
    items = []
    for t in texts:
        if clean:
            items.append((t, [], []))
        s = spinner.spin(t, rate=random.Random(f"{SEED}{t}").uniform(0.05, 0.45))
        items.append((s.text, s.spans, s.rewrites))
    out = []
    stats = analyzer.stats
    for b in range(0, len(items), 64):
        chunk = items[b : b + 64]
        encs = [analyzer.detector.encode(t) for t, _, _ in chunk]
        scores = analyzer.detector.score([], encs)
        for (text, spans, rewrites), enc, ws in zip(chunk, encs, scores):
            starts = [s for s, _ in ws.words]
            rows = analyzer.word_rows(text, 0, len(text), ws, starts)
            if not len(rows.word_tok):
                continue
            cap_mid = capitals_mid_sentence(text, enc, stats.capitals, stats.index)
            out.append(
                dict(
                    rows=rows,
                    y=_labels(rows, spans),
                    spun=bool(spans),
                    words=len(rows.word_tok),
                    text=text,
                    rewrites=rewrites,
                    screen=screen_features(analyzer.screener.word_logits(enc), cap_mid),
                )
            )
    return out


def fit_screen(
    items: list[dict], unseen: list[dict], w_doc: np.ndarray, clean_cutoff: float
) -> tuple:
    """The cascade's screen: a logistic model over SCREEN_FEATURES (spun or not), and per
    length group the bar under which it clears a text. `unseen` are spins with synonyms
    from a dictionary the screen never learned from (build/screen.SOURCES): the bar lets
    through all but SCREEN_LOSS of those the full path does not call clean (the recall the
    screen may lose on an unknown spinner; clean texts the full path calls uncertain may be
    cleared), and never exceeds the clean cutoff (a cleared text is reported clean with
    the screen's probability)."""
    S = np.vstack([it["screen"] for it in items])
    L = np.array([1.0 if it["spun"] else 0.0 for it in items])
    words = np.array([it["words"] for it in items])
    w = fit_logistic(S, L, l2=0.1)
    ps = sigmoid(S @ w)
    u_ps = sigmoid(np.vstack([it["screen"] for it in unseen]) @ w)
    u_doc = sigmoid(np.vstack([it["doc"] for it in unseen]) @ w_doc)
    u_words = np.array([it["words"] for it in unseen])
    bars, info = [], {}
    for name, long in (("short", False), ("long", True)):
        group, u_group = (words >= LONG_WORDS) == long, (u_words >= LONG_WORDS) == long
        must = np.sort(u_ps[u_group & (u_doc >= clean_cutoff)])
        k = int(len(must) * SCREEN_LOSS)
        bar = float(min(must[k], clean_cutoff)) if len(must) else 0.0
        bars.append(bar)
        info[name] = {
            "bar": round(bar, 6),
            "clean_texts_cleared": round(float((ps[group & (L == 0)] < bar).mean()), 4),
            "spun_texts_cleared": round(float((ps[group & (L == 1)] < bar).mean()), 4),
            "unseen_dictionary_spun_cleared": round(float((u_ps[u_group] < bar).mean()), 4),
            "unseen_found_by_full_path_cleared": round(float((must < bar).mean()), 4),
        }
    return w, (bars[0], bars[1]), info


def restoration_weight(analyzer, items: list[dict], limit: int) -> tuple[float, dict]:
    """The weight of the encoder's in-place view in candidate ranking (analyzer.rerank)
    with the most exact restorations of spans that match a rewrite of the spinner."""
    from unspin.analyzer import rerank

    spun = [it for it in items if it["spun"]][:limit]
    cases = []
    for it, report in zip(spun, analyzer.analyze_many([it["text"] for it in spun])):
        truth = {(a, b): o.lower() for a, b, o in it["rewrites"]}
        subs = [sp for sp in report.spans if (sp.start, sp.end) in truth and sp.alternatives]
        cases.append((it["text"], subs, truth))
    results = {}
    for w in (0.0, 0.25, 0.5, 1.0, 2.0):
        hit = n = 0
        for text, subs, truth in cases:
            fits = analyzer.candidate_fit(text, subs)
            for sp in rerank(subs, fits, w):
                n += 1
                hit += sp.original.lower() == truth[(sp.start, sp.end)]
        results[w] = round(hit / max(n, 1), 4)
    best = max(results, key=lambda w: (results[w], -w))
    return best, {"exact_by_weight": results, "spans": n}


def _recall_at(q: np.ndarray, y: np.ndarray, clean_q: np.ndarray, per_words: int) -> float:
    """Recall of spun words at the bar that allows 1 false flag per `per_words` clean words."""
    allowed = int(len(clean_q) / per_words)
    srt = np.sort(clean_q)[::-1]
    bar = srt[allowed] + 1e-6 if len(srt) > allowed else 0.5
    return float((q[y > 0] >= bar).mean()) if (y > 0).any() else 0.0


def fit_words(items: list[dict], cols: list[int]) -> np.ndarray:
    X = np.vstack([it["rows"].X[:, cols] for it in items])
    y = np.concatenate([it["y"] for it in items])
    return fit_logistic(X, y, l2=1.0)


def ablation(items: list[dict]) -> dict:
    half = len(items) // 2
    a, b = items[:half], items[half:]
    out = {}
    for name, drop in (("all", ()), ("no_ngram", NGRAM_FEATURES), ("encoder_only", None)):
        if drop is None:
            cols = [_W["bias"], _W["logit"], _W["logit_pos"]]
        else:
            cols = [i for k, i in _W.items() if k not in drop]
        w = fit_words(a, cols)
        q = np.concatenate([sigmoid(it["rows"].X[:, cols] @ w) for it in b if it["spun"]])
        y = np.concatenate([it["y"] for it in b if it["spun"]])
        cq = np.concatenate([sigmoid(it["rows"].X[:, cols] @ w) for it in b if not it["spun"]])
        out[name] = {
            f"recall_at_1_per_{k}": round(_recall_at(q, y, cq, k), 4) for k in (1000, 10000)
        }
    return out


def _doc_features(cal_words: np.ndarray, it: dict) -> np.ndarray:
    ev = WordEvidence()
    rows = it["rows"]
    q = sigmoid(rows.X @ cal_words)
    ev.add_words([t.text for t in rows.tokens if t.text[0].isalpha()])
    ev.pps_hits += int(rows.known.sum())
    ev.add_scores(q, sigmoid(rows.logits), rows.X[:, _W["cap_mid"]])
    return ev.features(0, 0)


def build(data: Path, out_dir: Path, quick: bool = False) -> None:
    from unspin.analyzer import Analyzer

    analyzer = Analyzer(data_dir=out_dir)
    # The combiner is fitted below; the analyzer's own verdict.json is not needed here.
    spinner = make_spinner(data, out_dir, SEED + 7)
    texts = calibration_texts(data, quick)
    items = collect(analyzer, texts, spinner)
    random.Random(SEED).shuffle(items)
    abl = ablation(items)
    print(f"  word combiner ablation (held-out half): {abl}", file=sys.stderr)
    use_ngram = abl["all"]["recall_at_1_per_10000"] > abl["no_ngram"]["recall_at_1_per_10000"]
    cols = [i for k, i in _W.items() if use_ngram or k not in NGRAM_FEATURES]
    w_sub = fit_words(items, cols)
    w_words = np.zeros(len(WORD_FEATURES))
    w_words[cols] = w_sub

    D = np.vstack([_doc_features(w_words, it) for it in items])
    L = np.array([1.0 if it["spun"] else 0.0 for it in items])
    words = np.array([it["words"] for it in items])
    w_doc = fit_logistic(D, L, l2=0.1)
    p_doc = sigmoid(D @ w_doc)
    cutoffs = []
    for group in (words < LONG_WORDS, words >= LONG_WORDS):
        clean_p = np.sort(p_doc[(L == 0) & group])
        q = clean_p[int(np.ceil(len(clean_p) * 0.9975)) - 1] + 1e-3 if len(clean_p) else 0.5
        cutoffs.append(float(min(max(0.5, q), 0.999)))
    spun_cutoff, long_cutoff = cutoffs

    qs = [sigmoid(it["rows"].X @ w_words) for it in items]
    P = np.concatenate([q for q, it in zip(qs, items) if it["spun"]])
    Y = np.concatenate([it["y"] for it in items if it["spun"]])
    best, threshold = -1.0, 0.5
    for t in np.arange(0.3, 0.99, 0.01):
        flagged = P >= t
        tp = float((flagged & (Y > 0)).sum())
        prec = tp / max(flagged.sum(), 1)
        rec = tp / max((Y > 0).sum(), 1)
        f = 1.25 * prec * rec / max(0.25 * prec + rec, 1e-9)
        if f > best:
            best, threshold = f, float(round(t, 2))
    clean_q = np.sort(np.concatenate([q for q, it in zip(qs, items) if not it["spun"]]))[::-1]
    allowed = int(len(clean_q) / STRICT_WORDS)
    strict = float(min(0.999, clean_q[allowed] + 1e-4)) if len(clean_q) > allowed else 0.9
    strict = max(strict, threshold)
    meta = {
        "seed": SEED,
        "texts": len(items),
        "ablation": abl,
        "ngram_inputs": bool(use_ngram),
        "calibrated_on": "2014 Wikipedia dev + web-genre main-file calibration share, "
        "half clean, half spun by build/training_spinner.py at 5-45%",
    }
    cal = Calibration(
        w_words, w_doc, threshold, strict, spun_cutoff, long_cutoff, CLEAN_CUTOFF, meta=meta
    )
    analyzer.__dict__["calibration"] = cal
    weight, rest = restoration_weight(analyzer, items, 60 if quick else 600)
    print(f"  restoration weight {weight}: {rest}", file=sys.stderr)
    meta["restoration"] = rest
    unseen_spinner = make_spinner(data, out_dir, SEED + 11, sources=SCREEN_UNSEEN)
    unseen = collect(analyzer, texts, unseen_spinner, clean=False)
    for it in unseen:
        it["doc"] = _doc_features(w_words, it)
    w_screen, screen_bars, screen_info = fit_screen(items, unseen, w_doc, CLEAN_CUTOFF)
    print(f"  screen: {screen_info}", file=sys.stderr)
    meta["screen"] = screen_info
    cal = Calibration(
        w_words,
        w_doc,
        threshold,
        strict,
        spun_cutoff,
        long_cutoff,
        CLEAN_CUTOFF,
        weight,
        screen_weights=w_screen,
        screen_bars=screen_bars,
        meta=meta,
    )
    (out_dir / "verdict.json").write_text(cal.to_json(WORD_FEATURES) + "\n")
    print(
        f"  threshold {threshold}, strict {strict:.3f}, spun cutoff {spun_cutoff:.3f} "
        f"(long {long_cutoff:.3f})",
        file=sys.stderr,
    )
