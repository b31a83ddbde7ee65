"""The single-document engine: text in, Report out.

normalise (homoglyphs) -> tokens with offsets -> units scored by the substitution signal
-> pasted keywords and artifacts -> document probability -> span decisions (gated by the
document) -> restoration. Long texts are cut into blocks at line breaks and streamed, so
memory stays bounded; only the evidence needed for the document verdict is kept.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from itertools import islice
from pathlib import Path

import numpy as np

from unspin import runtime
from unspin.errors import DataError
from unspin.model.detector import WordDetector, WordScores, providers
from unspin.model.encoding import Encoded
from unspin.model.screen import SCREEN_FILE, Screen, capitals_mid_sentence, screen_features
from unspin.report import Alternative, Report, Span
from unspin.resources.lexicon import ALL_SOURCES, Lexicon
from unspin.resources.paths import ARTIFACT_DIR
from unspin.resources.stats import Stats
from unspin.restoration import apply_spans, match_case
from unspin.signals.artifacts import find_artifacts
from unspin.signals.keywords import MARKER_RE, STRONG_KEYWORD, find_keywords
from unspin.signals.lm import LanguageModel
from unspin.signals.replaced import WORD_FEATURES, word_features
from unspin.signals.substitution import FEATURES, SubstitutionScorer
from unspin.text.normalize import fold_homoglyphs
from unspin.text.tokens import SENTENCE_END, TOKEN_RE, Token
from unspin.verdict import Calibration, Model, WordEvidence, sigmoid

MIN_WORDS = 8
TWO_PASS_CHARS = 1_000_000
BLOCK_CHARS = 20_000
STATS_FILES = (
    "vocab.txt",
    "unigrams.npy",
    "bigrams.keys.npy",
    "trigrams.keys.npy",
    "lexicon.offsets.npy",
    "phrases.tsv.gz",
)
REQUIRED = (
    *STATS_FILES,
    "model.json",
    "detector.onnx",
    "tokenizer.json",
    SCREEN_FILE,
    "verdict.json",
)
BATCH_TEXTS = 64  # texts whose words the encoder scores in one pooled batch
RERANK_TOP = 3  # candidates of a flagged span tried in place by the encoder
RERANK_CHARS = 120  # context on each side of the span when a candidate is tried
KEYWORD_CONTEXT = 120  # characters around a query marker the screen's keyword check reads
_F = {k: i for i, k in enumerate(FEATURES)}
_W = {k: i for i, k in enumerate(WORD_FEATURES)}
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f]")


@dataclass
class WordRows:
    """One block's word tokens and their evidence (see signals/replaced.py)."""

    tokens: list[Token]
    word_tok: np.ndarray  # indices into tokens of the words
    X: np.ndarray  # word feature rows
    logits: np.ndarray  # the encoder's, per word
    units: object  # the n-gram units (signals/substitution.Units) or None
    known: np.ndarray  # per unit: a known fingerprint phrase
    ids: np.ndarray


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
    template); `threshold` is the word score needed to flag a span (0-1, default tuned);
    `device` runs the models on "cpu", "cuda" or ("auto") CUDA when onnxruntime has it
    and the CPU otherwise. `screen` (on by default) lets the cascade's first stage clear
    texts as clean without the full detector (model/screen.py); off, every supported text
    gets the full analysis (slower; the same reports but for the texts the screen would
    have cleared). Left unset, they come from the environment: UNSPIN_DEVICE (default
    auto) and UNSPIN_SCREEN (0 turns the screen off), which the CLI's --device and
    --no-screen set.
    """

    def __init__(
        self,
        threshold: float | None = None,
        dictionaries: tuple[str, ...] = ALL_SOURCES,
        data_dir: Path | None = None,
        device: str | None = None,
        screen: bool | None = None,
    ) -> None:
        _check_threshold(threshold)
        device, screen = runtime.resolve(device, screen)
        self.data_dir = Path(data_dir) if data_dir else ARTIFACT_DIR
        self.dictionaries = tuple(dictionaries)
        self._threshold = threshold
        self.device = device
        self.use_screen = screen
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
        self._check(STATS_FILES)
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
        self._check(("model.json",))
        try:
            return Model.load(self.data_dir / "model.json")
        except (ValueError, KeyError) as exc:
            raise DataError(f"model.json is corrupt: {exc}") from None

    @cached_property
    def detector(self) -> WordDetector:
        return WordDetector(self.data_dir, device=self.device)

    @cached_property
    def screener(self) -> Screen:
        return Screen(self.data_dir, providers(self.device))

    @cached_property
    def calibration(self) -> Calibration:
        self._check()  # loaded first by every analysis: one message lists all that is missing
        try:
            return Calibration.load(self.data_dir / "verdict.json")
        except (ValueError, KeyError) as exc:
            raise DataError(f"verdict.json is corrupt: {exc}") from None

    # -- public API --------------------------------------------------------------------------
    def analyze(
        self,
        text: str,
        *,
        threshold: float | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> Report:
        """One text's report; `progress(done, total)`, if given, follows the encoder's work
        (what takes the time on a long text), e.g. to drive a progress bar."""
        _check_threshold(threshold)
        return self._analyze_chunk([text], threshold, progress)[0]

    def analyze_many(self, texts: Iterable[str], *, threshold: float | None = None) -> list[Report]:
        """Reports for many texts; the encoder scores the words of BATCH_TEXTS texts at a
        time in pooled batches (many short texts cost what one long one does)."""
        return list(self.iter_analyze(texts, threshold=threshold))

    def iter_analyze(
        self, texts: Iterable[str], *, threshold: float | None = None
    ) -> Iterator[Report]:
        """`analyze_many`, streamed: reports come out in input order as batches finish."""
        _check_threshold(threshold)
        it = iter(texts)
        while chunk := list(islice(it, BATCH_TEXTS)):
            yield from self._analyze_chunk(chunk, threshold)

    def _analyze_chunk(
        self, texts: list[str], threshold: float | None, progress=None
    ) -> list[Report]:
        """The cascade: every text is encoded once and screened; only the texts the screen
        cannot clear reach the full detector, in one pooled batch."""
        for t in texts:
            if not isinstance(t, str):
                raise TypeError(f"analyze() needs str, not {type(t).__name__}")
        out: list[Report | None] = [None] * len(texts)
        full: list[tuple[int, str, list[Span], Encoded, float | None]] = []
        for i, text in enumerate(texts):
            if not text.strip():
                out[i] = _unsupported(text, 0, "empty text")
            elif len(_CONTROL.findall(text[:100_000])) > 8:
                out[i] = _unsupported(text, 0, "looks like binary data, not text")
            else:
                folded, glyphs = fold_homoglyphs(text)
                enc = self.detector.encode(folded)
                artifacts = self._artifacts(text, folded, glyphs)
                out[i], p_screen = self.screen(text, folded, enc, artifacts)
                if out[i] is None:
                    full.append((i, folded, artifacts, enc, p_screen))
        if full:
            scores = self.detector.score([], [f[3] for f in full], progress)
            for (i, folded, artifacts, _, p_screen), ws in zip(full, scores):
                out[i] = self._analyze(texts[i], folded, artifacts, ws, threshold, p_screen)
        return out  # type: ignore[return-value]

    def screen(
        self, text: str, folded: str, enc: Encoded, artifacts: list[Span]
    ) -> tuple[Report | None, float | None]:
        """The first stage: a report for a text that needs no more (unsupported, or cleared
        as clean by the screen), else None; and the screen's probability (None if off)."""
        words = [folded[s:e] for s, e in enc.words if folded[s].isalpha()]
        ev = WordEvidence()
        ev.add_words(words)
        reason = _language_problem(ev)
        if reason:
            return _unsupported(text, ev.words, reason, keep=artifacts), None
        if ev.words < MIN_WORDS:
            # Too little to judge: nothing flagged, nothing rewritten, no probability.
            reason = (
                f"too short to judge ({ev.words} word{'' if ev.words == 1 else 's'}; "
                f"need {MIN_WORDS})"
            )
            return _unsupported(text, ev.words, reason), None
        if not self.use_screen:
            return None, None
        cal = self.calibration
        logits = self.screener.word_logits(enc)
        cap_mid = capitals_mid_sentence(folded, enc, self.stats.capitals, self.stats.index)
        p = cal.screen_probability(screen_features(logits, cap_mid))
        # What the screen cannot see goes on too: artifacts, pasted keywords, fingerprints.
        if (
            p >= cal.screen_bar(ev.words)
            or artifacts
            or self._keyword_suspect(folded)
            or self.lexicon.has_fingerprint([w.lower() for w in words])
        ):
            return None, p
        signals = {"screen": p, "keywords": 0.0, "artifacts": 0.0}
        return Report(p, "clean", (), text, "en", ev.words, "", signals), p

    def _keyword_suspect(self, text: str) -> bool:
        """Whether a pasted keyword may be in the text: the keyword rule run on the words
        around each query marker (the full path then judges the whole text)."""
        end = -1
        for m in MARKER_RE.finditer(text):
            if m.start() < end:
                continue
            a, end = max(0, m.start() - KEYWORD_CONTEXT), m.end() + KEYWORD_CONTEXT
            tokens = [Token(t.group(), t.start(), t.end()) for t in TOKEN_RE.finditer(text, a, end)]
            if find_keywords(text, tokens, self.stats.ids_of(tokens), self.stats):
                return True
        return False

    def _artifacts(self, text: str, folded: str, glyph_spans) -> list[Span]:
        return [
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

    def _analyze(
        self,
        text: str,
        folded: str,
        artifacts: list[Span],
        ws: WordScores,
        threshold: float | None,
        p_screen: float | None,
    ) -> Report:
        """The full path for a supported text the screen did not clear."""
        cal = self.calibration
        thr = (
            cal.threshold
            if threshold is None and self._threshold is None
            else (threshold if threshold is not None else self._threshold)
        )
        assert thr is not None
        ev = WordEvidence()
        cands: list[_Candidate] = []
        keyword_spans: list[Span] = []
        starts = [s for s, _ in ws.words]
        # Long texts take two passes so memory stays bounded: the first only gathers the
        # document's evidence, the second keeps just the spans that clear the final bar.
        two_pass = len(folded) > TWO_PASS_CHARS
        for base, end in _blocks(folded):
            self._block(
                folded, base, end, ws, starts, ev, None if two_pass else cands, keyword_spans, thr
            )
        p_doc = self._doc_probability(ev, len(keyword_spans), len(artifacts))

        bar = cal.bar(p_doc, thr, ev.words)
        if two_pass:
            for base, end in _blocks(folded):
                self._block(folded, base, end, ws, starts, None, cands, None, bar)
        # Pasted keywords are judged by their own rule, not the word calibration: strong
        # ones in any document, weak ones where the document's bar admits them. A user's
        # threshold moves the keyword bar as it moves the others.
        keyword_bar = min(bar, STRONG_KEYWORD + thr - cal.threshold)
        keywords = [
            Span(k.start, k.end, text[k.start : k.end], "keyword", "", k.score, (), k.evidence)
            for k in keyword_spans
            if k.score >= keyword_bar
        ]
        # A pasted keyword is deleted, not restored word by word: substitutions inside it go.
        subs = [
            s
            for s in self._decide(text, cands, bar)
            if not any(k.start < s.end and s.start < k.end for k in keywords)
        ]
        if cal.restoration_weight > 0:
            subs = rerank(subs, self.candidate_fit(folded, subs), cal.restoration_weight)
        spans = _without_overlaps(subs + keywords + artifacts)
        if p_doc >= cal.cutoff(ev.words):
            verdict = "spun"
        elif p_doc < cal.clean_cutoff:
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
            signals={
                **({} if p_screen is None else {"screen": p_screen}),
                "units": ev.n,
                "flag_share": ev.over[0] / max(ev.n, 1),
                "keywords": len(keyword_spans),
                "artifacts": len(artifacts),
            },
        )

    def units(self, text: str, start: int = 0, end: int | None = None):
        """Tokens and scored n-gram units of text[start:end] (offsets into `text`)."""
        tokens = [
            Token(m.group(), m.start(), m.end())
            for m in TOKEN_RE.finditer(text, start, len(text) if end is None else end)
        ]
        ids = self.stats.ids_of(tokens)
        return tokens, self.scorer.score(tokens, ids) if tokens else None, ids

    def word_rows(
        self, text: str, base: int, end: int, ws: WordScores, starts: list[int]
    ) -> WordRows:
        """The evidence for every word of text[base:end]: encoder logits from `ws` (the
        whole text's), n-gram units, capitals; one row per word (signals/replaced.py)."""
        tokens, units, ids = self.units(text, base, end)
        word_tok = np.array([i for i, t in enumerate(tokens) if t.text[0].isalnum()], dtype=int)
        i0, i1 = bisect.bisect_left(starts, base), bisect.bisect_left(starts, end)
        logits = ws.logits[i0:i1]
        if len(logits) != len(word_tok):  # pragma: no cover - both cut with TOKEN_RE
            raise AssertionError("word tokens and encoder words disagree")
        if units is None or len(units) == 0:
            u_s = u_e = np.zeros(0, dtype=int)
            unit_p = np.zeros(0)
            known = np.zeros(0, dtype=bool)
        else:
            u_s, u_e = np.asarray(units.tok_start), np.asarray(units.tok_end)
            unit_p = self.model.unit_scores(units.features)
            f = units.features
            # Known fingerprints (curated tortured phrases) are trusted unless the model
            # of clean English clearly prefers the text as written.
            known = (
                (f[:, _F["src_pps"]] > 0) & (f[:, _F["is_phrase"]] > 0) & (f[:, _F["gain"]] > -2)
            )
        cap_ratio = self.scorer.capitals[ids] / 255.0 if len(ids) else np.zeros(0)
        X = word_features(tokens, word_tok, logits, cap_ratio, u_s, u_e, unit_p, known)
        return WordRows(tokens, word_tok, X, logits, units, known, ids)

    def candidate_fit(self, text: str, spans: list[Span]) -> list[np.ndarray | None]:
        """Per span, the encoder's mean logit over each of its top candidates put in place
        (low: reads as the original); None where there is nothing to choose between. One
        pooled call for all spans of the text."""
        jobs: list[tuple[int, str, int, int]] = []
        for k, sp in enumerate(spans):
            if sp.kind != "substitution" or len(sp.alternatives) < 2:
                continue
            a = text.rfind(" ", 0, max(0, sp.start - RERANK_CHARS)) + 1
            b = text.find(" ", min(len(text), sp.end + RERANK_CHARS))
            b = len(text) if b < 0 else b
            for alt in sp.alternatives[:RERANK_TOP]:
                variant = text[a : sp.start] + alt.text + text[sp.end : b]
                jobs.append((k, variant, sp.start - a, sp.start - a + len(alt.text)))
        fits: list[list[float] | None] = [None] * len(spans)
        for (k, _, cs, ce), ws in zip(jobs, self.detector.score([j[1] for j in jobs])):
            inside = [z for (s, _), z in zip(ws.words, ws.logits) if cs <= s < ce]
            fits[k] = (fits[k] or []) + [float(np.mean(inside)) if inside else 0.0]
        return [np.array(f) if f is not None else None for f in fits]

    # -- internals ---------------------------------------------------------------------------
    def _block(self, full, base, end, ws, starts, ev, cands, keyword_spans, keep_from) -> None:
        """Score one block: add to `ev` (the document's evidence), keep candidate spans
        scoring at least `keep_from` in `cands`, pasted keywords in `keyword_spans` (each
        optional)."""
        rows = self.word_rows(full, base, end, ws, starts)
        tokens = rows.tokens
        if not tokens:
            return
        q = self.calibration.word_scores(rows.X)
        if ev is not None:
            ev.add_words([t.text for t in tokens if t.text[0].isalpha()])
            ev.pps_hits += int(rows.known.sum())
            ev.add_scores(q, sigmoid(rows.logits), rows.X[:, _W["cap_mid"]])
        if keyword_spans is not None:
            for k in find_keywords(full, tokens, rows.ids, self.stats):
                s, e = tokens[k.tok_start].start, tokens[k.tok_end - 1].end
                # text is filled in later from the original input, not the folded copy
                keyword_spans.append(Span(s, e, "", "keyword", "", k.score, (), k.evidence))
        if cands is not None:
            cands.extend(self._candidates(full, rows, q, keep_from))

    def _candidates(self, full: str, rows: WordRows, q: np.ndarray, keep_from: float):
        """Spans around the words scoring at least `keep_from`: the n-gram units covering
        them (which carry candidate originals, phrases and adjacent pairs repaired jointly),
        and runs of such words with no unit (no candidate original)."""
        tokens = rows.tokens
        q_tok = np.zeros(len(tokens))
        q_tok[rows.word_tok] = q
        is_word = np.zeros(len(tokens), dtype=bool)
        is_word[rows.word_tok] = True
        seed = q_tok >= keep_from
        out: list[_Candidate] = []

        def sentence_start(a: int) -> bool:
            prev = tokens[a - 1].text if a > 0 else "."
            return prev in SENTENCE_END or prev in {'"', "(", ":"}

        units = rows.units
        if units is not None and len(units):
            listed = units.is_listed()
            for j in range(len(units)):
                a, b = int(units.tok_start[j]), int(units.tok_end[j])
                known = bool(rows.known[j])
                if not (seed[a:b].any() or known) or not (units.alternatives[j] or known):
                    continue
                inside = q_tok[a:b][is_word[a:b]]
                # A listed spun form ("in the event that") was written whole by the spinner:
                # its strongest word speaks for it. An adjacent pair repaired jointly must
                # be suspect as a whole.
                whole = listed[j]
                score = float(inside.max() if whole else inside.mean()) if len(inside) else 0.0
                if known:
                    score = max(score, 0.99)
                out.append(
                    _Candidate(
                        tokens[a].start,
                        tokens[b - 1].end,
                        score + 0.001 * (b - a),
                        units.alternatives[j],
                        sentence_start(a),
                        known,
                        _evidence(units.features[j], units.alternatives[j], score),
                    )
                )
        # Runs of flagged words separated only by spaces, without a candidate original.
        idx = np.flatnonzero(seed)
        k = 0
        while k < len(idx):
            a = b = int(idx[k])
            while (
                k + 1 < len(idx)
                and idx[k + 1] == b + 1
                and full[tokens[b].end : tokens[b + 1].start] == " "
            ):
                k += 1
                b = int(idx[k])
            score = float(q_tok[a : b + 1].mean()) - 0.0005
            out.append(
                _Candidate(
                    tokens[a].start,
                    tokens[b].end,
                    score,
                    [],
                    sentence_start(a),
                    False,
                    f"the learned detector: written by a spinner (score {score:.2f}); "
                    "no candidate original in the dictionaries",
                )
            )
            k += 1
        return out

    def _doc_probability(self, ev: WordEvidence, keywords: int, artifacts: int) -> float:
        if ev.n == 0:
            return 0.0 if keywords + artifacts == 0 else 0.5
        return self.calibration.doc_probability(ev.features(keywords, artifacts))

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
                    c.start,
                    c.end,
                    spun,
                    "substitution",
                    original,
                    min(c.score, 1.0),
                    tuple(alts),
                    c.evidence,
                )
            )
        return spans


def rerank(spans: list[Span], fits: list[np.ndarray | None], weight: float) -> list[Span]:
    """Re-order each span's candidates by their n-gram share (log) minus `weight` times the
    encoder's logit for the candidate in place; the best becomes the span's original."""
    out = []
    for sp, fit in zip(spans, fits):
        if fit is None:
            out.append(sp)
            continue
        top = sp.alternatives[: len(fit)]
        old = np.array([a.score for a in top])
        logp = np.log(np.maximum(old, 1e-9)) - weight * fit
        share = np.exp(logp - logp.max())
        share *= old.sum() / share.sum()  # the re-ranked candidates keep their total share
        order = np.argsort(-share, kind="stable")
        alts = tuple(Alternative(top[i].text, float(share[i])) for i in order)
        alts += sp.alternatives[len(fit) :]
        out.append(
            Span(sp.start, sp.end, sp.text, sp.kind, alts[0].text, sp.score, alts, sp.evidence)
        )
    return out


def _check_threshold(threshold: float | None) -> None:
    """The same bounds the CLI's --threshold enforces."""
    if threshold is not None and not (
        isinstance(threshold, (int, float))
        and not isinstance(threshold, bool)
        and 0.0 <= threshold <= 1.0
    ):
        raise ValueError(f"threshold must be a number between 0 and 1, not {threshold!r}")


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


def _language_problem(ev: WordEvidence) -> str:
    if ev.words == 0:
        return "no words found"
    if ev.words >= 12:
        if ev.latin / ev.words < 0.5:
            return "not English (mostly non-Latin script)"
        if ev.stops / ev.words < 0.12:
            share = ev.stops / ev.words
            return f"does not look like English prose (only {share:.0%} common English words)"
    return ""


def _evidence(f: np.ndarray, alts: list[tuple[str, float]], score: float) -> str:
    bits = [f"the learned detector: written by a spinner (score {score:.2f})"]
    if alts:
        bits.append(
            "candidates from the dictionaries fit the context better "
            f"(best log-likelihood gain {max(g for _, g in alts):.1f})"
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


def _unsupported(text: str, words: int, reason: str, keep: list[Span] | None = None) -> Report:
    spans = tuple(keep or ())
    return Report(
        None,
        "unsupported",
        spans,
        apply_spans(text, spans) if spans else text,
        "en" if "English" not in reason else "und",
        words,
        reason,
    )
