"""The single-document engine: text in, Report out.

normalise (homoglyphs) -> tokens with offsets -> units scored by the substitution signal
-> pasted keywords and artifacts -> document probability -> span decisions (gated by the
document) -> restoration. Long texts are cut into blocks at line breaks and streamed, so
memory stays bounded; only the evidence needed for the document verdict is kept.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from unspin.errors import DataError
from unspin.report import Alternative, Report, Span
from unspin.resources.lexicon import ALL_SOURCES, Lexicon
from unspin.resources.paths import ARTIFACT_DIR
from unspin.resources.stats import Stats
from unspin.restoration import apply_spans, match_case
from unspin.signals.artifacts import find_artifacts
from unspin.signals.keywords import STRONG_KEYWORD, find_keywords
from unspin.signals.lm import LanguageModel
from unspin.signals.substitution import FEATURES, SubstitutionScorer
from unspin.text.normalize import fold_homoglyphs
from unspin.text.tokens import SENTENCE_END, TOKEN_RE, Token
from unspin.verdict import DocEvidence, Model

MIN_WORDS = 8
TWO_PASS_CHARS = 1_000_000
KNOWN_FINGERPRINT_FACTOR = 0.5
BLOCK_CHARS = 20_000
REQUIRED = (
    "vocab.txt",
    "unigrams.npy",
    "bigrams.keys.npy",
    "trigrams.keys.npy",
    "lexicon.offsets.npy",
    "phrases.tsv.gz",
    "model.json",
)
_F = {k: i for i, k in enumerate(FEATURES)}
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f]")


@dataclass
class _Candidate:
    start: int
    end: int
    score: float
    alternatives: list[tuple[str, float]]
    sentence_start: bool
    pps: bool
    evidence: str


class Analyzer:
    """Loads the shipped statistics once (lazily, memory-mapped); reuse it for many texts.

    `dictionaries` restricts the reverse thesaurus to some sources (oewn, ppdb, moby, pps,
    template); `threshold` is the unit score needed to flag a span (0-1, default tuned).
    """

    def __init__(
        self,
        threshold: float | None = None,
        dictionaries: tuple[str, ...] = ALL_SOURCES,
        data_dir: Path | None = None,
    ) -> None:
        self.data_dir = Path(data_dir) if data_dir else ARTIFACT_DIR
        self.dictionaries = tuple(dictionaries)
        self._threshold = threshold
        Lexicon(self.data_dir, self.dictionaries)  # validate names early

    # -- lazily loaded resources -----------------------------------------------------------
    def _check(self, names: tuple[str, ...] = REQUIRED) -> None:
        missing = [f for f in names if not (self.data_dir / f).is_file()]
        if missing:
            raise DataError(
                f"artifacts missing in {self.data_dir}: {', '.join(missing)} (run `make data`)"
            )

    @cached_property
    def stats(self) -> Stats:
        self._check(REQUIRED[:-1])
        return Stats(self.data_dir)

    @cached_property
    def lexicon(self) -> Lexicon:
        return Lexicon(self.data_dir, self.dictionaries)

    @cached_property
    def scorer(self) -> SubstitutionScorer:
        return SubstitutionScorer(
            self.stats, self.lexicon, LanguageModel(self.stats), self.model.ranker
        )

    @cached_property
    def model(self) -> Model:
        self._check()
        try:
            return Model.load(self.data_dir / "model.json")
        except (ValueError, KeyError) as exc:
            raise DataError(f"model.json is corrupt: {exc}") from None

    # -- public API --------------------------------------------------------------------------
    def analyze(self, text: str, *, threshold: float | None = None) -> Report:
        if not isinstance(text, str):
            raise TypeError(f"analyze() needs str, not {type(text).__name__}")
        if not text.strip():
            return _unsupported(text, 0, "empty text")
        if len(_CONTROL.findall(text[:100_000])) > 8:
            return _unsupported(text, 0, "looks like binary data, not text")
        model = self.model
        thr = (
            model.threshold
            if threshold is None and self._threshold is None
            else (threshold if threshold is not None else self._threshold)
        )
        assert thr is not None

        folded, glyph_spans = fold_homoglyphs(text)
        ev = DocEvidence()
        cands: list[_Candidate] = []
        keyword_spans: list[Span] = []
        # Long texts take two passes so memory stays bounded: the first only gathers the
        # document's evidence, the second keeps just the spans that clear the final bar.
        two_pass = len(folded) > TWO_PASS_CHARS
        for base, end in _blocks(folded):
            self._block(folded, base, end, ev, None if two_pass else cands, keyword_spans, thr)

        artifacts = [
            Span(
                a.start,
                a.end,
                text[a.start : a.end],
                "artifact",
                a.original,
                0.99,
                (Alternative(a.original, 0.99),),
                a.evidence,
            )
            for a in find_artifacts(text, glyph_spans, folded)
        ]
        reason = _language_problem(ev)
        p_doc = self._doc_probability(ev, len(keyword_spans), len(artifacts))
        if reason:
            return _unsupported(text, ev.words, reason, p_doc, keep=artifacts)

        bar = model.bar(p_doc, thr, ev.words)
        if two_pass:
            for base, end in _blocks(folded):
                self._block(folded, base, end, None, cands, None, bar)
        # Pasted keywords are judged by their own rule, not the unit model's calibration:
        # strong ones in any document, weak ones where the document's bar admits them.
        # A user's threshold moves the keyword bar as it moves the others.
        keyword_bar = min(bar, STRONG_KEYWORD + thr - model.threshold)
        keywords = [
            Span(k.start, k.end, text[k.start : k.end], "keyword", "", k.score, (), k.evidence)
            for k in keyword_spans
            if k.score >= keyword_bar
        ]
        spans = self._decide(text, cands, bar) + keywords + artifacts
        spans = _without_overlaps(spans)
        if ev.words < MIN_WORDS:
            verdict, reason = (
                "unsupported",
                f"too short to judge ({ev.words} words; need {MIN_WORDS})",
            )
        elif p_doc >= model.cutoff(ev.words):
            verdict = "spun"
        elif p_doc < model.clean_cutoff:
            verdict = "clean"
        else:
            verdict = "uncertain"
        return Report(
            spun_probability=p_doc,
            verdict=verdict,
            spans=tuple(spans),
            restored=apply_spans(text, spans) if spans else text,
            language="en",
            words=ev.words,
            reason=reason,
            signals={
                "units": ev.n,
                "flag_share": ev.over[0] / max(ev.n, 1),
                "keywords": len(keyword_spans),
                "artifacts": len(artifacts),
            },
        )

    def analyze_many(self, texts: list[str], *, threshold: float | None = None) -> list[Report]:
        return [self.analyze(t, threshold=threshold) for t in texts]

    def units(self, text: str, start: int = 0, end: int | None = None):
        """Tokens and scored units of text[start:end] (offsets into `text`)."""
        tokens = [
            Token(m.group(), m.start(), m.end())
            for m in TOKEN_RE.finditer(text, start, len(text) if end is None else end)
        ]
        ids = self.scorer.ids_of(tokens)
        return tokens, self.scorer.score(tokens, ids) if tokens else None, ids

    # -- internals ---------------------------------------------------------------------------
    def _block(self, full, base, end, ev, cands, keyword_spans, keep_from) -> None:
        """Score one block: add to `ev` (the document's evidence), keep units scoring at
        least `keep_from` in `cands`, pasted keywords in `keyword_spans` (each optional)."""
        tokens, units, ids = self.units(full, base, end)
        if not tokens:
            return
        p = self.model.unit_scores(units.features)
        pps = units.features[:, _F["src_pps"]] > 0 if len(units) else np.zeros(0, bool)
        phrase = units.features[:, _F["is_phrase"]] > 0 if len(units) else np.zeros(0, bool)
        # Known fingerprints (curated tortured phrases) are trusted unless the model of
        # clean English clearly prefers the text as written.
        known = pps & phrase & (units.features[:, _F["gain"]] > -2)
        p = np.where(known, np.maximum(p, 0.99), p)
        if ev is not None:
            ev.add_words([t.text for t in tokens if t.text[0].isalpha()])
            ev.pps_hits += int(known.sum())
            if len(p):
                ev.add_units(p[~phrase], units.features[~phrase])
        if keyword_spans is not None:
            for k in find_keywords(full, tokens, ids, self.stats):
                s, e = tokens[k.tok_start].start, tokens[k.tok_end - 1].end
                # text is filled in later from the original input, not the folded copy
                keyword_spans.append(Span(s, e, "", "keyword", "", k.score, (), k.evidence))
        if cands is None:
            return
        for j in np.flatnonzero(p >= keep_from):
            a, b = int(units.tok_start[j]), int(units.tok_end[j])
            prev = tokens[a - 1].text if a > 0 else "."
            alts = units.alternatives[j]
            cands.append(
                _Candidate(
                    tokens[a].start,
                    tokens[b - 1].end,
                    float(p[j]),
                    alts,
                    prev in SENTENCE_END or prev in {'"', "(", ":"},
                    bool(known[j]),
                    _evidence(units.features[j], alts),
                )
            )

    def _doc_probability(self, ev: DocEvidence, keywords: int, artifacts: int) -> float:
        if ev.n == 0:
            return 0.0 if keywords + artifacts == 0 else 0.5
        p = self.model.doc_probability(ev.features(keywords, artifacts))
        # Known fingerprints (curated tortured phrases) are rare in training text, so the
        # model cannot weigh them; each one halves the odds that the text is clean.
        return 1.0 - (1.0 - p) * KNOWN_FINGERPRINT_FACTOR**ev.pps_hits

    def _decide(self, text: str, cands: list[_Candidate], bar: float) -> list[Span]:
        spans = []
        proper = self.stats.capitals
        index = self.stats.index
        for c in cands:
            if c.score < bar and not c.pps:
                continue
            spun = text[c.start : c.end]
            if c.alternatives:
                gains = np.array([g for _, g in c.alternatives])
                share = np.exp(gains - gains.max())
                share /= share.sum()
                alts = []
                for (orig, _), s in zip(c.alternatives, share):
                    wid = index.get(orig.split()[0], 0)
                    is_proper = " " not in orig and wid > 2 and proper[wid] > 200
                    alts.append(
                        Alternative(match_case(orig, spun, c.sentence_start, is_proper), float(s))
                    )
                original = alts[0].text
            else:
                alts, original = [], spun
            spans.append(
                Span(
                    c.start, c.end, spun, "substitution", original, c.score, tuple(alts), c.evidence
                )
            )
        return spans


def _blocks(text: str):
    """(start, end) of pieces of at most ~BLOCK_CHARS, cut at line breaks or spaces."""
    n = len(text)
    pos = 0
    while pos < n:
        end = min(n, pos + BLOCK_CHARS)
        if end < n:
            cut = text.rfind("\n", pos + BLOCK_CHARS // 2, end)
            if cut < 0:
                cut = text.rfind(" ", pos + BLOCK_CHARS // 2, end)
            end = cut + 1 if cut >= 0 else end
        yield pos, end
        pos = end


def _language_problem(ev: DocEvidence) -> str:
    if ev.words == 0:
        return "no words found"
    if ev.words >= 12:
        if ev.latin / ev.words < 0.5:
            return "not English (mostly non-Latin script)"
        if ev.stops / ev.words < 0.12:
            share = ev.stops / ev.words
            return f"does not look like English prose (only {share:.0%} common English words)"
    return ""


def _evidence(f: np.ndarray, alts: list[tuple[str, float]]) -> str:
    bits = []
    if alts:
        bits.append(
            f"'{alts[0][0]}' fits the context better (log-likelihood gain {alts[0][1]:.1f})"
        )
    else:
        bits.append("does not fit its context; no candidate original in the dictionaries")
    if f[_F["unseen_l"]] and f[_F["unseen_r"]] and not f[_F["is_phrase"]]:
        bits.append("never seen next to either neighbour in clean English")
    if f[_F["cap_anomaly"]]:
        bits.append("capital letter mid-sentence")
    names = [k for k in ("oewn", "ppdb", "moby", "pps", "template") if f[_F["src_" + k]]]
    if names:
        bits.append("link from " + ", ".join(names))
    return "; ".join(bits)


def _without_overlaps(spans: list[Span]) -> list[Span]:
    """Keep the best-scoring span wherever spans overlap (O(n log n))."""
    starts: list[int] = []
    kept: list[Span] = []
    for s in sorted(spans, key=lambda s: (-s.score, s.start)):
        i = bisect.bisect_left(starts, s.start)
        if i > 0 and kept[i - 1].end > s.start:
            continue
        if i < len(kept) and kept[i].start < s.end:
            continue
        starts.insert(i, s.start)
        kept.insert(i, s)
    return kept


def _unsupported(
    text: str, words: int, reason: str, p: float = 0.0, keep: list[Span] | None = None
) -> Report:
    spans = tuple(keep or ())
    return Report(
        p,
        "unsupported",
        spans,
        apply_spans(text, spans) if spans else text,
        "en" if "English" not in reason else "und",
        words,
        reason,
    )
