"""Train the unit and document models and tune their thresholds (deterministic).

Training text: clean 2014 paragraphs never counted into the statistics (build/corpus.py),
spun by the benchmark spinner with OEWN+PPDB synonyms. Moby is never used to spin
training text, so the cross-dictionary benchmark (a Moby spinner against a detector
without Moby) measures generalisation to an unseen dictionary. Two more regimes spin
with OEWN (or PPDB) while the detector's lexicon lacks it, so the model also learns the
candidate-free evidence (a common word in a context it never occurs in). Measured on
tune paragraphs, the PPDB regime (and 65% more training paragraphs) raised the recall
of Moby-spun units at 1 false flag per 100 clean units from 0.094 to 0.21.

Thresholds are tuned on separate shares of the dev paragraphs: the strict bar keeps
false flags in clean text under 1 per STRICT_WORDS words; the spun cutoff keeps clean
texts judged spun under 0.1% (short) / 0.25% (long texts).
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import numpy as np

from unspin.build.corpus import dev_paragraphs
from unspin.build.mlp import fit_unit_net
from unspin.resources.lexicon import ALL_SOURCES
from unspin.resources.paths import REPO_ROOT
from unspin.signals.substitution import DEFAULT_RANKER, FEATURES
from unspin.verdict import DOC_FEATURES, LONG_WORDS, DocEvidence, Model, UnitNet, sigmoid

SEED = 20261124
N_TRAIN = 2400
N_TUNE = 1600
N_LONG = 600
LONG_FROM = 5000
RATES = (0.0, 0.0, 0.05, 0.1, 0.2, 0.3)
# The strict bar allows 1 false flag per this many clean tune words. Not 10,000 (the
# issue's 1 per 5,000 with a 2x margin): held-out 2021 text is newer than the 2014 tune
# text and draws 1.4-3x the false flags of the tune estimate (measured across retrains).
STRICT_WORDS = 30_000
# Spinner dictionary per training paragraph, in turn; the detector's lexicon lacks
# the spinner's dictionary except in the OEWN+PPDB regime.
REGIMES = ("oewn+ppdb", "oewn", "oewn+ppdb", "ppdb")


def fit_logistic(X: np.ndarray, y: np.ndarray, l2: float = 1.0, iters: int = 30) -> np.ndarray:
    """L2-regularised logistic regression by Newton's method (no randomness)."""
    w = np.zeros(X.shape[1])
    reg = np.full(X.shape[1], l2)
    reg[0] = 1e-6  # do not shrink the bias
    for _ in range(iters):
        p = sigmoid(X @ w)
        grad = X.T @ (p - y) + reg * w
        H = (X * (p * (1 - p))[:, None]).T @ X + np.diag(reg)
        step = np.linalg.solve(H, grad)
        w -= step
        if np.abs(step).max() < 1e-7:
            break
    return w


def _spinner():
    sys.path.insert(0, str(REPO_ROOT / "benchmarks"))
    from spinner import Spinner, load_dictionary  # benchmark code, used only at build time

    return Spinner, load_dictionary


def _labelled_units(analyzer, text: str, spans: list[dict]):
    """Units of `text`, each labelled 1 if it overlaps a span the spinner changed, with
    the spinner's original for it ("" where none)."""
    tokens, units, _ = analyzer.units(text)
    if units is None or len(units) == 0:
        return None, np.zeros(0), tokens, []
    starts = np.array([tokens[a].start for a in units.tok_start])
    ends = np.array([tokens[b - 1].end for b in units.tok_end])
    y = np.zeros(len(units))
    originals = [""] * len(units)
    for s in spans:
        hit = np.flatnonzero((starts < s["end"]) & (ends > s["start"]))
        y[hit] = 1
        for j in hit:
            originals[j] = s["original"].lower()
    return units, y, tokens, originals


def _analyzers(out_dir: Path, model: Model | None) -> dict:
    """An analyzer per training regime (see REGIMES), all using `model`."""
    from unspin.analyzer import Analyzer

    out = {}
    for regime in dict.fromkeys(REGIMES):
        lacks = set() if "+" in regime else {regime}
        a = Analyzer(data_dir=out_dir, dictionaries=tuple(s for s in ALL_SOURCES if s not in lacks))
        if model is not None:
            a.__dict__["model"] = model
        out[regime] = a
    return out


def _training_docs(paras, dicts, Spinner):
    """(text, spans, regime) for the unit model: clean and spun at several rates."""
    for k, text in enumerate(paras):
        rate = RATES[k % len(RATES)]
        dname = REGIMES[(k // len(RATES)) % len(REGIMES)]  # every regime sees every rate
        spun = Spinner(dicts[dname], rate=rate, seed=SEED + k).spin(text) if rate else None
        yield (spun.text, spun.spans) if spun else (text, []), dname


def _doc_evidence(analyzer, model: Model, text: str, spans: list[dict]):
    """(document features, unit scores, unit labels, words) of one tune text."""
    units, y, tokens, _ = _labelled_units(analyzer, text, spans)
    if units is None:
        return None
    p = model.unit_scores(units.features)
    single = units.features[:, FEATURES.index("is_phrase")] == 0
    ev = DocEvidence()
    ev.add_words([t.text for t in tokens if t.text[0].isalpha()])
    ev.add_units(p[single], units.features[single])
    return ev.features(0, 0), p, y, ev.words


def build(data: Path, out_dir: Path) -> None:
    Spinner, load_dictionary = _spinner()
    paras = dev_paragraphs(data)
    rnd = random.Random(SEED)
    rnd.shuffle(paras)
    # Training: the first N_TRAIN paragraphs and those after the long-document pool.
    train = paras[:N_TRAIN] + paras[LONG_FROM + 5 * N_LONG :]
    tune = paras[N_TRAIN : N_TRAIN + N_TUNE]
    dev = paras[N_TRAIN + N_TUNE : LONG_FROM]  # clean only: for the strict bar
    # Documents of ~2.3 KB (five paragraphs joined) too, so the verdict is calibrated for
    # web-page-sized texts as well as paragraphs.
    pool = paras[LONG_FROM : LONG_FROM + 5 * N_LONG]
    tune = tune + ["\n".join(pool[i : i + 5]) for i in range(0, len(pool), 5)]
    dicts = {name: load_dictionary(name, data) for name in dict.fromkeys(REGIMES)}
    docs = list(_training_docs(train, dicts, Spinner))
    n_doc = len(DOC_FEATURES)
    no_net = UnitNet.untrained(len(FEATURES))
    placeholder = Model(no_net, np.zeros(n_doc), 0.5, 0.9, 0.5, 0.2, DEFAULT_RANKER)

    # 1. Candidate ranker: which candidate is the original the spinner replaced.
    analyzers = _analyzers(out_dir, placeholder)
    PX, PY = [], []
    for (text, spans), dname in docs:
        analyzer = analyzers[dname]
        units, y, _, originals = _labelled_units(analyzer, text, spans)
        if units is None or not analyzer.scorer.last_pairs:
            continue
        owner, c_ids, pair = analyzer.scorer.last_pairs
        vocab = analyzer.stats.vocab
        truth = np.array([originals[o] == vocab[c] for o, c in zip(owner, c_ids)], dtype=bool)
        has_truth = np.zeros(len(units), bool)
        has_truth[owner[truth]] = True
        sel = has_truth[owner]
        PX.append(pair[sel])
        PY.append(truth[sel].astype(float))
    ranker = fit_logistic(
        np.column_stack([np.ones(sum(len(x) for x in PX)), np.vstack(PX)]), np.concatenate(PY)
    )[1:]
    print(f"  ranker: {sum(len(y) for y in PY):,} candidate pairs", file=sys.stderr)

    # 2. Unit scorer (build/mlp.py), with units scored through the trained ranker.
    placeholder = Model(no_net, placeholder.doc_weights, 0.5, 0.9, 0.5, 0.2, ranker)
    analyzers = _analyzers(out_dir, placeholder)
    X, Y = [], []
    for (text, spans), dname in docs:
        analyzer = analyzers[dname]
        units, y, _, _ = _labelled_units(analyzer, text, spans)
        if units is not None:
            X.append(units.features)
            Y.append(y)
    X_, Y_ = np.vstack(X), np.concatenate(Y)
    w_tok = fit_unit_net(X_, Y_)
    print(f"  unit model: {len(Y_):,} units, {Y_.mean():.1%} spun", file=sys.stderr)

    # 3. Document model and thresholds on the tune share.
    model = Model(w_tok, placeholder.doc_weights, 0.5, 0.9, 0.5, 0.2, ranker)
    full = _analyzers(out_dir, model)["oewn+ppdb"]
    feats, labels, clean_units, spun_units = [], [], [], []
    doc_words: list[int] = []
    for k, text in enumerate(tune):
        rate = (0.0, 0.05, 0.1, 0.2, 0.3)[k % 5] if k % 2 else 0.0
        spun = (
            Spinner(dicts["oewn+ppdb"], rate=rate, seed=SEED + 10_000 + k).spin(text)
            if rate
            else None
        )
        scored = _doc_evidence(full, model, spun.text if spun else text, spun.spans if spun else [])
        if scored is None:
            continue
        f, p, y, words = scored
        feats.append(f)
        labels.append(1.0 if rate else 0.0)
        doc_words.append(words)
        (spun_units if rate else clean_units).append((p, y, words))
    D, L = np.vstack(feats), np.array(labels)
    w_doc = fit_logistic(D, L, l2=0.1)
    p_doc = sigmoid(D @ w_doc)
    # Spun cutoffs, separately for short texts (paragraphs: at most 0.1% of clean tune
    # ones judged spun; measured: 0.25% left 0.66% of held-out paragraphs judged spun) and
    # long ones (~2.3 KB documents: at most 0.25%); never below 0.5.
    words_arr = np.array(doc_words)
    cutoffs = []
    for group, keep in ((words_arr < LONG_WORDS, 0.999), (words_arr >= LONG_WORDS, 0.9975)):
        clean_p = np.sort(p_doc[(L == 0) & group])
        q = clean_p[int(np.ceil(len(clean_p) * keep)) - 1] + 1e-3 if len(clean_p) else 0.5
        cutoffs.append(float(max(0.5, q)))
    spun_cutoff, long_cutoff = cutoffs
    clean_cutoff = float(min(0.2, spun_cutoff / 2))

    # Bar in spun documents: the best F0.5 (precision counts double) on spun paragraphs.
    P = np.concatenate([p for p, _, _ in spun_units])
    Yt = np.concatenate([y for _, y, _ in spun_units])
    best, threshold = -1.0, 0.5
    for t in np.arange(0.3, 0.99, 0.01):
        flagged = P >= t
        tp = float((flagged & (Yt > 0)).sum())
        prec = tp / max(flagged.sum(), 1)
        rec = tp / max((Yt > 0).sum(), 1)
        f = 1.25 * prec * rec / max(0.25 * prec + rec, 1e-9)
        if f > best:
            best, threshold = f, float(round(t, 2))
    # Strict bar (documents not judged spun): at most 1 false flag per STRICT_WORDS clean
    # words, counted over the clean tune texts and the clean dev share.
    clean_docs_p = list(p_doc[L == 0])
    for text in dev:
        scored = _doc_evidence(full, model, text, [])
        if scored is not None:
            clean_units.append(scored[1:])
            clean_docs_p.append(float(sigmoid(scored[0] @ w_doc)))
    clean_words = sum(w for _, _, w in clean_units)
    probe = Model(w_tok, w_doc, threshold, 1.0, spun_cutoff, 0.2, ranker, long_cutoff)
    flaggable = [p for (p, _, w), pd in zip(clean_units, clean_docs_p) if pd < probe.cutoff(w)]
    all_clean = np.sort(np.concatenate(flaggable))[::-1]
    allowed = int(clean_words / STRICT_WORDS)
    strict = float(min(0.999, all_clean[allowed] + 1e-4)) if len(all_clean) > allowed else 0.9
    strict = max(strict, threshold)
    final = Model(w_tok, w_doc, threshold, strict, spun_cutoff, clean_cutoff, ranker, long_cutoff)
    meta = {
        "train_units": int(len(Y_)),
        "tune_docs": int(len(L)),
        "seed": SEED,
        "training_spinner": "benchmarks/spinner.py: " + ", ".join(REGIMES) + " (see REGIMES)",
    }
    (out_dir / "model.json").write_text(final.to_json(FEATURES, meta) + "\n")
    print(
        f"  threshold {threshold}, strict {final.strict_threshold:.3f}, "
        f"spun cutoff {spun_cutoff:.3f} (long texts {long_cutoff:.3f}), "
        f"clean cutoff {clean_cutoff:.3f}",
        file=sys.stderr,
    )
