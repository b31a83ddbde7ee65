"""Train the n-gram unit scorer and its candidate ranker (deterministic).

Training text: clean 2014 paragraphs never counted into the statistics (build/corpus.py),
spun by the benchmark spinner with OEWN+PPDB synonyms. Moby is never used to spin
training text, so the cross-dictionary benchmark (a Moby spinner against a detector
without Moby) measures generalisation to an unseen dictionary. Two more regimes spin
with OEWN (or PPDB) while the detector's lexicon lacks it, so the model also learns the
candidate-free evidence (a common word in a context it never occurs in). Measured on
tune paragraphs, the PPDB regime (and 65% more training paragraphs) raised the recall
of Moby-spun units at 1 false flag per 100 clean units from 0.094 to 0.21.

Its scores are one input of the learned detector's word combiner; the document model, the
bars and the cutoffs are fitted by build/calibration.py (the paragraphs between N_TRAIN and
LONG_FROM + 5 * N_LONG, once the tune share of an earlier design, are no longer used).
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
from unspin.verdict import Model, UnitNet, sigmoid

SEED = 20261124
N_TRAIN = 2400
N_LONG = 600
LONG_FROM = 5000
RATES = (0.0, 0.0, 0.05, 0.1, 0.2, 0.3)
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


def build(data: Path, out_dir: Path) -> None:
    Spinner, load_dictionary = _spinner()
    paras = dev_paragraphs(data)
    rnd = random.Random(SEED)
    rnd.shuffle(paras)
    # Training: the first N_TRAIN paragraphs and those after the long-document pool.
    train = paras[:N_TRAIN] + paras[LONG_FROM + 5 * N_LONG :]
    dicts = {name: load_dictionary(name, data) for name in dict.fromkeys(REGIMES)}
    docs = list(_training_docs(train, dicts, Spinner))
    no_net = UnitNet.untrained(len(FEATURES))
    placeholder = Model(no_net, DEFAULT_RANKER)

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
    placeholder = Model(no_net, ranker)
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

    meta = {
        "train_units": int(len(Y_)),
        "seed": SEED,
        "training_spinner": "benchmarks/spinner.py: " + ", ".join(REGIMES) + " (see REGIMES)",
    }
    (out_dir / "model.json").write_text(Model(w_tok, ranker).to_json(FEATURES, meta) + "\n")
