"""The report contract: what unspin says about one text (see DESIGN.md).

Fields may be added, none renamed. ``start``/``end`` are code-point indices into the
exact input, so ``text == input[start:end]`` always holds.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Kind = Literal["substitution", "keyword", "artifact"]
Verdict = Literal["spun", "clean", "uncertain", "unsupported"]


@dataclass(frozen=True)
class Alternative:
    text: str
    score: float


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str
    kind: Kind
    original: str
    score: float
    alternatives: tuple[Alternative, ...] = ()
    evidence: str = ""

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["alternatives"] = [asdict(a) for a in self.alternatives]
        d["score"] = round(self.score, 4)
        for a in d["alternatives"]:
            a["score"] = round(a["score"], 4)
        return d


@dataclass(frozen=True)
class Report:
    spun_probability: float | None  # None for an `unsupported` verdict: nothing was judged
    verdict: Verdict
    spans: tuple[Span, ...]
    restored: str
    language: str
    words: int
    reason: str = ""
    signals: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "spun_probability": (
                None if self.spun_probability is None else round(self.spun_probability, 4)
            ),
            "verdict": self.verdict,
            "spans": [s.to_dict() for s in self.spans],
            "restored": self.restored,
            "language": self.language,
            "words": self.words,
            "reason": self.reason,
            "signals": {k: round(v, 4) for k, v in self.signals.items()},
        }
