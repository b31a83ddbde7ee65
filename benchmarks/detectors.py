"""Detectors the harness runs on the same inputs: unspin itself and the peers.

Each detector turns texts into `Pred`s (a document score, a verdict, flagged spans), so the
metrics treat them alike. Peers are optional installs of the benchmark environment only;
a missing one is skipped with a note, never made a dependency of unspin.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field


@dataclass
class Pred:
    score: float  # higher = more likely spun
    verdict: str  # "spun" | "clean" | "uncertain" | "unsupported" | "" (no verdict)
    spans: list[dict] = field(default_factory=list)  # start, end, kind, original, alternatives
    extra: dict = field(default_factory=dict)


class Unavailable(Exception):
    """A peer that is not installed here (the harness records the reason and goes on)."""


# -- unspin ------------------------------------------------------------------------------------
def no_moby_sources() -> tuple[str, ...]:
    """Every dictionary source unspin has, except Moby (the cross-dictionary spinner's)."""
    try:
        from unspin.resources.lexicon import ALL_SOURCES

        return tuple(s for s in ALL_SOURCES if s != "moby")
    except ImportError:
        return ("oewn", "ppdb", "pps")


class UnspinDetector:
    def __init__(self, dictionaries: tuple[str, ...] | None = None, screen: bool = True) -> None:
        import unspin

        self.dictionaries = dictionaries
        self.name = "unspin" if dictionaries is None else "unspin (no Moby)"
        if not screen:
            self.name += ", slow path (no screen)"
        self.analyzer = (
            unspin.Analyzer(screen=screen)
            if dictionaries is None
            else unspin.Analyzer(dictionaries=dictionaries, screen=screen)
        )

    def __call__(self, texts: Sequence[str]) -> list[Pred]:
        out = []
        for r in self.analyzer.analyze_many(list(texts)):
            spans = [
                {
                    "start": s.start,
                    "end": s.end,
                    "kind": s.kind,
                    "original": s.original,
                    "alternatives": [a.text for a in s.alternatives],
                    "score": s.score,
                }
                for s in r.spans
            ]
            p = 0.0 if r.spun_probability is None else r.spun_probability  # unsupported: 0
            out.append(Pred(float(p), r.verdict, spans))
        return out


# -- peers -------------------------------------------------------------------------------------
_WORD = re.compile(r"[A-Za-z]+(?:'[a-z]+)?")


class WordfreqRarity:
    """Unigram-rarity baseline: spinners pick rarer synonyms, so rare words are suspects.

    Document score: mean of max(0, 5 - Zipf frequency) over lowercase words; a span for each
    lowercase word under Zipf 2.5. It has no notion of context and no restoration.
    """

    name = "wordfreq rarity"
    span_zipf = 2.5

    def __init__(self) -> None:
        try:
            from wordfreq import zipf_frequency
        except ImportError as exc:
            raise Unavailable("wordfreq is not installed (pip install -e '.[bench]')") from exc
        self._zipf = zipf_frequency
        self._cache: dict[str, float] = {}

    def zipf(self, w: str) -> float:
        z = self._cache.get(w)
        if z is None:
            z = self._cache[w] = self._zipf(w, "en")
        return z

    def __call__(self, texts: Sequence[str]) -> list[Pred]:
        out = []
        for text in texts:
            total, n, spans = 0.0, 0, []
            for m in _WORD.finditer(text):
                w = m.group()
                if not w[0].islower():
                    continue
                z = self.zipf(w)
                total += max(0.0, 5.0 - z)
                n += 1
                if z < self.span_zipf:
                    spans.append(
                        {"start": m.start(), "end": m.end(), "kind": "substitution",
                         "original": "", "alternatives": []}
                    )  # fmt: skip
            out.append(Pred(total / n if n else 0.0, "", spans))
        return out


class TorturePhrases:
    """The PyPI package `torturephrases-estimator`: a fixed list of known tortured phrases,
    matched as lowercase substrings. Loaded once (its module-level helper reloads per call)."""

    name = "torturephrases-estimator"

    def __init__(self) -> None:
        try:
            from TorturePhrases_Estimator.torture_phrases import TorturePhrasesEstimator
        except ImportError as exc:
            raise Unavailable(
                "torturephrases-estimator is not installed; it is a benchmark-only peer: "
                "`.venv/bin/pip install torturephrases-estimator`"
            ) from exc
        self.est = TorturePhrasesEstimator()

    def __call__(self, texts: Sequence[str]) -> list[Pred]:
        out = []
        for text in texts:
            found, count = self.est.identify_tortured_phrases(text)
            low = text.lower()
            spans = []
            for phrase in found:
                i = low.find(phrase)
                while i >= 0:
                    spans.append({"start": i, "end": i + len(phrase), "kind": "substitution",
                                  "original": "", "alternatives": []})  # fmt: skip
                    i = low.find(phrase, i + 1)
            out.append(Pred(float(count), "spun" if count else "clean", spans))
        return out


DATATROVE_FILTERS = ("gopher-repetition", "gopher-quality", "c4", "fineweb")


def datatrove_filter(name: str) -> Callable[[str], bool]:
    """One datatrove quality filter as text -> kept?"""
    try:
        from datatrove.data import Document
        from datatrove.pipeline import filters as F
    except ImportError as exc:
        raise Unavailable(
            "datatrove is not installed (pip install 'datatrove[processing]')"
        ) from exc
    try:
        import spacy  # noqa: F401  (datatrove's English word tokenizer needs it)
    except ImportError as exc:
        raise Unavailable("datatrove's English tokenizer needs spacy (pip install spacy)") from exc
    cls = {
        "gopher-repetition": F.GopherRepetitionFilter,
        "gopher-quality": F.GopherQualityFilter,
        "c4": F.C4QualityFilter,
        "fineweb": F.FineWebQualityFilter,
    }[name]
    flt = cls()

    def keep(text: str) -> bool:
        res = flt.filter(Document(text=text, id="x"))
        return bool(res[0] if isinstance(res, tuple) else res)

    keep("Warm-up text so that tokenizers load before timing. It has two sentences.")
    return keep


class DatatroveFilters:
    """datatrove's Gopher/C4/FineWeb quality filters; score = how many reject the text."""

    name = "datatrove quality filters"

    def __init__(self) -> None:
        self.filters = {n: datatrove_filter(n) for n in DATATROVE_FILTERS}

    def reject_flags(self, text: str) -> dict[str, bool]:
        return {n: not keep(text) for n, keep in self.filters.items()}

    def __call__(self, texts: Sequence[str]) -> list[Pred]:
        out = []
        for text in texts:
            flags = self.reject_flags(text)
            n = sum(flags.values())
            out.append(Pred(float(n), "spun" if n else "clean", [], {"rejected": flags}))
        return out
