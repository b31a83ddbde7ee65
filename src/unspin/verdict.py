"""From evidence to decisions: word scores, the document probability, and the verdict.

model.json: the n-gram unit scorer, a small network (build/mlp.py) trained by
build/model.py, and its candidate ranker; its scores are one input of the word combiner.
verdict.json (build/calibration.py): the word combiner over the learned detector's logit
and the other evidence, the document model over the word scores of the whole text (so one
odd word in a clean paragraph is not enough to call it spun), and the bars: flags in a
document not judged spun must clear a stricter one (gating).
"""

from __future__ import annotations

import heapq
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from unspin.model.screen import SCREEN_FEATURES
from unspin.signals.stopwords import STOPWORDS
from unspin.signals.substitution import FEATURES

_UF = {k: i for i, k in enumerate(FEATURES)}

LONG_WORDS = 200
MAX_WORDS_FEATURE = 1_000  # longer texts are scored like this length (no extrapolation)
_BINS = 1_000


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -40, 40)))


def _rounded(a: np.ndarray) -> list:
    return np.round(a.astype(float), 6).tolist()


_NET_FIELDS = ("mean", "scale", "w1", "b1", "w2", "b2")


@dataclass(frozen=True)
class UnitNet:
    """Unit features -> probability that the unit was spun: standardise, one tanh layer,
    a logistic output."""

    mean: np.ndarray
    scale: np.ndarray
    w1: np.ndarray
    b1: np.ndarray
    w2: np.ndarray
    b2: np.ndarray

    def __call__(self, features: np.ndarray) -> np.ndarray:
        if len(features) == 0:
            return np.zeros(0)
        h = np.tanh(((features - self.mean) / self.scale) @ self.w1 + self.b1)
        return sigmoid(h @ self.w2 + self.b2[0])

    def to_dict(self) -> dict:
        return {k: _rounded(getattr(self, k)) for k in _NET_FIELDS}

    @classmethod
    def from_dict(cls, d: dict) -> UnitNet:
        return cls(*(np.array(d[k], dtype=float) for k in _NET_FIELDS))

    @classmethod
    def untrained(cls, n_features: int) -> UnitNet:
        """Scores every unit 0.5: a placeholder while the features are being collected."""
        k = n_features
        return cls(np.zeros(k), np.ones(k), np.zeros((k, 1)), *(np.zeros(1) for _ in range(3)))


@dataclass(frozen=True)
class Model:
    """The n-gram unit scorer (model.json): its network and the candidate ranker."""

    unit_net: UnitNet
    ranker: np.ndarray  # weights over substitution.CANDIDATE_FEATURES

    def unit_scores(self, features: np.ndarray) -> np.ndarray:
        return self.unit_net(features)

    @classmethod
    def load(cls, path: Path) -> Model:
        d = json.loads(path.read_text())
        return cls(UnitNet.from_dict(d["token"]["net"]), np.array(d["ranker"]["weights"]))

    def to_json(self, token_features: tuple[str, ...], meta: dict) -> str:
        return json.dumps(
            {
                "version": 3,
                "token": {"features": list(token_features), "net": self.unit_net.to_dict()},
                "ranker": {"weights": [round(float(x), 6) for x in self.ranker]},
                "meta": meta,
            },
            indent=1,
            sort_keys=True,
        )


# -- the learned detector's verdict (verdict.json, fitted by build/calibration.py) ------------

WORD_DOC_FEATURES = (
    "bias",
    "frac_q50",
    "frac_q80",
    "frac_q95",
    "top_mean",
    "mean_q",
    "log_mean_odds",
    "mean_enc",
    "cap_mid",
    "log_words",
    "pps_hits",
    "keywords",
    "artifacts",
)


@dataclass
class WordEvidence:
    """Word scores of a document, accumulated block by block (bounded memory): what the
    document verdict needs, and the word count and language check."""

    n: int = 0
    sum_q: float = 0.0
    sum_odds: float = 0.0
    sum_enc: float = 0.0
    cap_mid: int = 0
    over: list[int] = field(default_factory=lambda: [0, 0, 0])
    top: list[float] = field(default_factory=list)
    hist_n: np.ndarray = field(default_factory=lambda: np.zeros(_BINS))
    hist_sum: np.ndarray = field(default_factory=lambda: np.zeros(_BINS))
    words: int = 0
    stops: int = 0
    latin: int = 0
    pps_hits: int = 0

    def add_scores(self, q: np.ndarray, enc: np.ndarray, cap_mid: np.ndarray) -> None:
        """Combined word scores `q`, the encoder's own probabilities, capitals mid-sentence."""
        if len(q) == 0:
            return
        self.n += len(q)
        self.sum_q += float(q.sum())
        self.sum_odds += float((q / np.maximum(1 - q, 1e-6)).sum())
        self.sum_enc += float(enc.sum())
        self.cap_mid += int(cap_mid.sum())
        for k, t in enumerate((0.5, 0.8, 0.95)):
            self.over[k] += int((q > t).sum())
        b = np.minimum((q * _BINS).astype(int), _BINS - 1)
        self.hist_n += np.bincount(b, minlength=_BINS)
        self.hist_sum += np.bincount(b, weights=q, minlength=_BINS)
        for x in np.sort(q)[-5:]:
            heapq.heappush(self.top, float(x))
            if len(self.top) > 5:
                heapq.heappop(self.top)

    def top_mean(self) -> float:
        """Mean of the top max(5, 5%) word scores: exact up to 100 words, from a 1,000-bin
        histogram beyond (constant memory), so it does not saturate as texts grow."""
        if self.n <= 100:
            return float(np.mean(self.top)) if self.top else 0.0
        k = int(np.ceil(0.05 * self.n))
        n_rev, s_rev = self.hist_n[::-1], self.hist_sum[::-1]
        cum = np.cumsum(n_rev)
        last = int(np.searchsorted(cum, k))
        full = float(s_rev[:last].sum())
        taken = float(cum[last - 1]) if last else 0.0
        part = s_rev[last] / max(n_rev[last], 1) * (k - taken)
        return (full + float(part)) / k

    def add_words(self, words: list[str]) -> None:
        """Word tokens of a block: for the word count and the language check."""
        self.words += len(words)
        self.stops += sum(1 for w in words if w.lower() in STOPWORDS)
        self.latin += sum(1 for w in words if w.isascii())

    def features(self, keywords: int, artifacts: int) -> np.ndarray:
        n = max(self.n, 1)
        per100 = 100.0 / max(self.words, 1)
        return np.array(
            [
                1.0,
                self.over[0] / n,
                self.over[1] / n,
                self.over[2] / n,
                self.top_mean(),
                self.sum_q / n,
                float(np.log(max(self.sum_odds / n, 1e-6))) / 5,
                self.sum_enc / n,
                min(self.cap_mid * per100, 10.0) / 5,
                float(np.log1p(min(self.words, MAX_WORDS_FEATURE))) / 5,
                min(self.pps_hits * per100, 5.0),
                min(keywords * per100, 5.0),
                min(artifacts * per100, 5.0),
            ]
        )


@dataclass(frozen=True)
class Calibration:
    """Word combiner, document model, bars and cutoffs of the learned detector."""

    word_weights: np.ndarray  # over signals.replaced.WORD_FEATURES
    doc_weights: np.ndarray  # over WORD_DOC_FEATURES
    threshold: float  # word score needed to flag a span in a document judged spun
    strict_threshold: float  # ... in a document not judged spun
    spun_cutoff: float  # spun_probability at or above which the verdict is "spun"
    long_cutoff: float  # ... for texts of LONG_WORDS words or more
    clean_cutoff: float  # ... below which it is "clean" (between: "uncertain")
    restoration_weight: float = 0.0  # weight of the encoder's view when ranking candidates
    # The cascade (model/screen.py): weights over SCREEN_FEATURES, and the screen
    # probability under which a short / long text is cleared as clean (0: never).
    screen_weights: np.ndarray | None = None
    screen_bars: tuple[float, float] = (0.0, 0.0)
    meta: dict = field(default_factory=dict)

    def word_scores(self, X: np.ndarray) -> np.ndarray:
        return sigmoid(X @ self.word_weights) if len(X) else np.zeros(0)

    def cutoff(self, words: int) -> float:
        return self.long_cutoff if words >= LONG_WORDS else self.spun_cutoff

    def bar(self, p_doc: float, threshold: float | None = None, words: int = 0) -> float:
        """Word score needed to flag a span: the tuned bar in a document judged spun, the
        strict bar otherwise. A user's threshold moves both bars by the same amount."""
        low = self.threshold if threshold is None else threshold
        if p_doc >= self.cutoff(words):
            return low
        return min(max(self.strict_threshold + low - self.threshold, low), 0.9999)

    def doc_probability(self, feats: np.ndarray) -> float:
        return float(sigmoid(feats @ self.doc_weights))

    def screen_probability(self, feats: np.ndarray) -> float:
        if self.screen_weights is None:
            return 1.0
        return float(sigmoid(feats @ self.screen_weights))

    def screen_bar(self, words: int) -> float:
        """Screen probability under which a text is cleared without the full detector."""
        return self.screen_bars[1] if words >= LONG_WORDS else self.screen_bars[0]

    @classmethod
    def load(cls, path: Path) -> Calibration:
        d = json.loads(path.read_text())
        return cls(
            np.array(d["word"]["weights"], dtype=float),
            np.array(d["doc"]["weights"], dtype=float),
            d["threshold"],
            d["strict_threshold"],
            d["spun_cutoff"],
            d["long_cutoff"],
            d["clean_cutoff"],
            d.get("restoration_weight", 0.0),
            np.array(d["screen"]["weights"], dtype=float) if "screen" in d else None,
            tuple(d["screen"]["bars"]) if "screen" in d else (0.0, 0.0),
            d.get("meta", {}),
        )

    def to_json(self, word_features: tuple[str, ...]) -> str:
        return json.dumps(
            {
                "version": 1,
                "word": {"features": list(word_features), "weights": _rounded(self.word_weights)},
                "doc": {"features": list(WORD_DOC_FEATURES), "weights": _rounded(self.doc_weights)},
                "threshold": self.threshold,
                "strict_threshold": self.strict_threshold,
                "spun_cutoff": self.spun_cutoff,
                "long_cutoff": self.long_cutoff,
                "clean_cutoff": self.clean_cutoff,
                "restoration_weight": self.restoration_weight,
                **(
                    {}
                    if self.screen_weights is None
                    else {
                        "screen": {
                            "features": list(SCREEN_FEATURES),
                            "weights": _rounded(self.screen_weights),
                            "bars": [round(float(b), 6) for b in self.screen_bars],
                        }
                    }
                ),
                "meta": self.meta,
            },
            indent=1,
            sort_keys=True,
        )
