"""Verify a candidate source: align a suspect text to it, sentence by sentence, word by word.

MinHash only says two documents share vocabulary. Verification decides whether the
suspect is a *spun rewrite* of the source: each suspect sentence is matched to the
source sentence it best aligns with (order-free, so shuffled sentences still match), and
the two word sequences are aligned with difflib. A sentence counts as rewritten from the
source when most of its words line up (`min_ratio`) and the source's names and numbers in
the aligned stretch survive: spinners swap words their thesaurus lists, not names, so two
unrelated articles cut from one template ("X is a village in Y") fail that test even when
their wording agrees.

The result says what fraction of the suspect is such a rewrite (`similarity`), how much
of the source it covers, which words were swapped (spun -> original, with offsets into the
suspect) and a restoration: the suspect with every swapped stretch put back to the
source's wording.
"""

from __future__ import annotations

import bisect
import difflib
import re
import zlib
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from rapidfuzz.distance import LCSseq

from unspin.text.normalize import fold_homoglyphs
from unspin.trace.fingerprint import (
    STOPWORDS,
    WORD_RE,
    _anchor_cached,
    _name_cached,
    normalize,
)
from unspin.trace.fingerprint import words as normalized_words

# A heavy rewrite (40-60% of words, phrases for words) aligns below `min_ratio`; it is still
# accepted at WEAK_RATIO when at least WEAK_CONTENT of its content words, and a third of
# them, line up in order with the source's.
WEAK_RATIO = 0.3
WEAK_CONTENT = 3
# A sentence rewritten past that, between two that align, where the source's order puts
# it, is accepted at CONTEXT_RATIO (`_fill_between`).
CONTEXT_RATIO = 0.35
MIN_EVIDENCE = 6  # shorter sentences (headings, list items) prove nothing
MIN_CHUNK = 30  # run-on sentences are cut into chunks of at least this many words ...
MAX_SENTENCE = 160  # ... and at most this many, so alignment cost stays linear
# A sentence ends at . ! ? and a space, but not after a title ("Dr. Albert Hofmann"): a
# cut there splits one sentence in two. (Initials are left to split: "U.S." ends
# sentences as often as "A. E. Cross" continues one.)
_SENT_END = re.compile(
    r"[.!?](?<!\bDr\.)(?<!\bMr\.)(?<!\bMs\.)(?<!\bMrs\.)(?<!\bProf\.)(?<!\bvs\.)"
    r"[\"'”’)\]]*\s+|\n+"
)
_HAS_DIGIT = re.compile(r"\d")
_NUMERAL = re.compile(r"[ivxlcdm]{2,}$")  # with capitals checked: "XIV", not "Mix"
_CLITIC = re.compile(r"'(?:m|re|ve|ll|d|t)$")  # "i'm", "we'll": not names ("o'brien" is)
# A footnote number glued to the end of a word or quote ("anesthetic,”1 is") or in
# brackets ("disease.[12]"): page furniture, not a number of the sentence.
_CITATION = re.compile(r"\[\d{1,3}(?:[,–-]\d{1,3})*\]")
_FOOTNOTE = re.compile(r"([.,;:!?][\"”’)\]]?|[\"”’)\]])\d{1,3}(?=\s|$)")


@dataclass(frozen=True)
class WordPair:
    """One swap: `spun` at `start:end` of the suspect text, `original` from the source."""

    start: int
    end: int
    spun: str
    original: str

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "spun": self.spun, "original": self.original}


@dataclass(frozen=True)
class SentenceMatch:
    """One suspect sentence rewritten from a stretch of the source (character offsets):
    one sentence, part of one (the suspect split it), or two (the suspect merged them)."""

    start: int
    end: int
    source_start: int
    source_end: int
    ratio: float  # word alignment score of the two stretches (2 * equal / both lengths)
    changed: float  # share of the suspect sentence's words that differ from the source
    words: int  # words of the suspect sentence
    strong: bool  # ratio >= min_ratio; else a heavy rewrite held together by content words
    counted: bool  # long enough to count as evidence (see MIN_EVIDENCE)

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "source_start": self.source_start,
            "source_end": self.source_end,
            "changed": round(self.changed, 4),
        }


@dataclass
class Alignment:
    """How much of a suspect text is a spun rewrite of one source, and how to undo it."""

    similarity: float  # fraction of the suspect's words in sentences rewritten from the source
    source_coverage: float  # fraction of the source's words those sentences account for
    changed: float  # fraction of the aligned suspect words that differ from the source
    sentences: int  # suspect sentences matched to a source sentence
    conflicts: int  # sentences that align but change the source's names or numbers
    renamed: int  # matched sentences whose only change of name is their first word
    anchors_kept: float  # share of the source's names/numbers in matched stretches kept
    pairs: list[WordPair] = field(default_factory=list)
    restored: str = ""
    # Suspect token ranges of the sentences counted in `similarity`, and their total: lets
    # `select` tell a second source that explains other sentences (a stitched text) from
    # one that only explains the same sentences again (a sibling of the first).
    spans: tuple[tuple[int, int], ...] = ()
    total: int = 0
    matches: list[SentenceMatch] = field(default_factory=list)
    evidence_sentences: int = 0  # suspect sentences long enough to count (see MIN_EVIDENCE)

    def to_dict(self, *, pairs: bool = True, restored: bool = True) -> dict[str, Any]:
        d: dict[str, Any] = {
            "similarity": round(self.similarity, 4),
            "source_coverage": round(self.source_coverage, 4),
            "changed": round(self.changed, 4),
            "sentences": self.sentences,
            "conflicts": self.conflicts,
            "renamed": self.renamed,
            "anchors_kept": round(self.anchors_kept, 4),
        }
        if pairs:
            d["pairs"] = [p.to_dict() for p in self.pairs]
        if restored:
            d["restored"] = self.restored
        return d


class Text:
    """A text cut into words (normalised, with offsets) and sentences, once: `Index.trace`
    aligns one suspect against several candidates without re-tokenising it."""

    __slots__ = (
        "text",
        "_words",
        "norm",
        "sents",
        "_pieces",
        "_piece_tok",
        "_filled",
        "_start",
        "_end",
        "_upper",
        "_sent_norms",
        "_sent_starts",
        "_matchers",
    )

    def __init__(self, text: str) -> None:
        self.text = text
        # Words are read from a same-length copy (offsets hold): look-alike letters made
        # Latin before tokenising (a look-alike digit would split a word) and citation
        # markers blanked ("anesthetic,”1 is", "[12]": a number no spinner added).
        words = fold_homoglyphs(text)[0] if not text.isascii() else text
        if _HAS_DIGIT.search(words):
            if "[" in words:
                words = _CITATION.sub(lambda m: " " * len(m.group()), words)
            words = _FOOTNOTE.sub(_blank_footnote, words)
        self._words = words
        # Cut at sentence ends first: each piece is tokenised by one C-level `findall`, and
        # no word spans a cut (cuts fall after whitespace). Offsets and capitals are only
        # computed for the pieces an alignment reads (`span`, `capital`): most sentences of
        # a candidate, and most candidates, are never aligned.
        norm: list[str] = []
        counts: list[int] = []
        pieces: list[tuple[int, int]] = []
        prev = 0
        for cut in [m.end() for m in _SENT_END.finditer(words)] + [len(words)]:
            piece = words[prev:cut]
            # NFKC and casefold are plain lower() on ASCII: the fast path for most pieces.
            if piece.isascii():
                found = WORD_RE.findall(piece.lower())
            else:  # most such pieces have a dash or a curly quote, and ASCII words only
                found = WORD_RE.findall(piece)
                joined = "\0".join(found)
                if found and joined.isascii():
                    found = joined.lower().split("\0")
                else:
                    found = [w.lower() if w.isascii() else normalize(w) for w in found]
            if found:
                pieces.append((prev, cut))
                counts.append(len(found))
                norm += found
            prev = cut
        self.norm = norm
        self._pieces = pieces
        self._piece_tok = [0] * len(counts)
        for p in range(1, len(counts)):
            self._piece_tok[p] = self._piece_tok[p - 1] + counts[p - 1]
        self._filled = bytearray(len(pieces))
        self._start: list[int] = []
        self._end: list[int] = []
        self._upper: list[bool] = []
        self.sents = self._sentences(counts)
        self._sent_starts = [a for a, _b in self.sents]
        self._sent_norms: list[list[str]] | None = None
        self._matchers: dict[tuple[int, int], difflib.SequenceMatcher] = {}

    def __len__(self) -> int:
        return len(self.norm)

    def _sentences(self, counts: list[int]) -> list[tuple[int, int]]:
        """Token index ranges [i, j) of the sentences, given the words of each piece
        between sentence ends. A run-on "sentence" (a list, a table) is cut after names or
        numbers chosen by their hash, so the same cuts fall at the same words in the
        source and in its spun, shuffled or trimmed copy."""
        out: list[tuple[int, int]] = []
        norm = self.norm
        pos = 0
        for c in counts:
            i, end = pos, pos + c
            while i < end:
                j = min(end, i + MAX_SENTENCE)
                for k in range(i + MIN_CHUNK, j):
                    if _cut_after(norm[k - 1]):
                        j = k
                        break
                out.append((i, j))
                i = j
            pos = end
        return out

    def _fill(self, i: int) -> None:
        """Offsets and capitals of the words of the piece holding word `i`."""
        p = bisect.bisect_right(self._piece_tok, i) - 1
        if self._filled[p]:
            return
        if not self._start:
            n = len(self.norm)
            self._start, self._end, self._upper = [0] * n, [0] * n, [False] * n
        text = self._words
        k = self._piece_tok[p]
        start, end, upper = self._start, self._end, self._upper
        for m in WORD_RE.finditer(text, *self._pieces[p]):
            a = start[k] = m.start()
            end[k] = m.end()
            upper[k] = text[a].isupper() or text[a].isdigit()
            k += 1
        self._filled[p] = 1

    def span(self, i: int) -> tuple[int, int]:
        """Character offsets of word `i` (start, just past its end)."""
        self._fill(i)
        return self._start[i], self._end[i]

    def capital(self, i: int) -> bool:
        """Whether word `i` starts with a capital or a digit (a name, a number)."""
        self._fill(i)
        return self._upper[i]

    def sent_of(self, token: int) -> int:
        """The sentence holding token index `token`."""
        return bisect.bisect_right(self._sent_starts, token) - 1

    @property
    def sent_norms(self) -> list[list[str]]:
        if self._sent_norms is None:
            self._sent_norms = [self.norm[a:b] for a, b in self.sents]
        return self._sent_norms

    def matcher(self, lo: int, hi: int, words: list[str]) -> difflib.SequenceMatcher:
        """A matcher of `words` against sentences `lo`..`hi` of this text (as a source):
        difflib indexes the source side once per stretch, however many suspect sentences
        are tried against it."""
        sm = self._matchers.get((lo, hi))
        if sm is None:
            a, b = self.sents[lo][0], self.sents[hi][1]
            sm = difflib.SequenceMatcher(None, words, self.norm[a:b], autojunk=False)
            self._matchers[(lo, hi)] = sm
        else:
            sm.set_seq1(words)
        return sm

    def postings(self, words: set[str]) -> dict[str, list[int]]:
        """Content word of `words` -> the sentences of this text holding it (for use as a
        source: only the suspect's words are looked up, so only they are collected)."""
        post: dict[str, list[int]] = {}
        for si, sent in enumerate(self.sent_norms):
            for w in words.intersection(sent):
                post.setdefault(w, []).append(si)
        return post


def align(
    suspect: str | Text,
    source: str | Text,
    *,
    min_ratio: float = 0.5,
    max_conflicts: int = 0,
    within: Collection[int] | None = None,
) -> Alignment:
    """Align `suspect` to `source`; see the module docstring for what each number means.
    `within`: only these suspect sentences (by index) are aligned, the others are left
    unmatched (a quick test of a candidate that a few sentences found)."""
    q = suspect if isinstance(suspect, Text) else Text(suspect)
    s = source if isinstance(source, Text) else Text(source)
    if not len(q) or not len(s):
        return Alignment(0.0, 0.0, 0.0, 0, 0, 0, 1.0, [], q.text)
    # Headings and list items ("History.", "Mixed doubles") match between any two articles
    # of a kind; they count as evidence only when the text has nothing longer.
    long_q = sum(b - a for a, b in q.sents if b - a >= MIN_EVIDENCE)
    q_total = long_q or len(q)
    if within is None:
        wanted = set(q.norm)
    else:
        wanted = set().union(*(q.sent_norms[i] for i in within if 0 <= i < len(q.sents)))
    postings = s.postings(wanted - STOPWORDS)

    covered_q = 0
    aligned_q = 0
    spans: list[tuple[int, int]] = []
    covered_s: set[int] = set()
    equal_q = 0
    anchors_total = 0
    anchors_equal = 0
    matched = 0
    rejected = 0
    weak_sentences = 0
    pairs: list[WordPair] = []
    matches: list[SentenceMatch] = []
    edits: list[tuple[int, int, str]] = []  # (start, end, replacement) in suspect offsets
    text_q, text_s = q.text, s.text

    chosen: list[Any] = []
    for i, qn in enumerate(q.sent_norms):
        if within is not None and i not in within:
            chosen.append(None)
            continue
        votes: dict[int, int] = {}
        content = set(qn) - STOPWORDS
        for w in content:
            for si in postings.get(w, ()):
                votes[si] = votes.get(si, 0) + 1
        # A rewrite keeps some content words (SpinBot keeps ~20% in its heaviest
        # sentences, its function words hold the alignment together); a long sentence
        # that shares fewer than 15% is not worth a word-level alignment.
        need = 1 if len(content) <= 6 else max(2, round(0.15 * len(content)))
        shortlist = sorted(
            (si for si, v in votes.items() if v >= need), key=lambda si: (-votes[si], si)
        )[:3]
        chosen.append(_best_stretch(q, i, content, shortlist, s, min_ratio))
    _fill_between(q, s, chosen, within)
    moved_in = _moved_in(q, s, chosen)

    for (qa, qb), qn, best in zip(q.sents, q.sent_norms, chosen):
        if best is None:
            continue
        ratio, sa, _sb, sm, eq, strong = best
        ops = sm.get_opcodes()
        sn = s.norm[sa : sa + len(sm.b)]
        si = s.sent_of(sa)
        # Names and numbers of the source inside the aligned stretch must survive: a name
        # or number swapped for another is a different document cut from the same
        # template ("X is a village in Y"), not a spin. See `_protected`.
        a_tot = a_eq = conflicts = weak = 0
        # A number moved within a sentence that aligns at the plain ratio (a clause put
        # first) is not a changed one; names must stay where they were (template siblings
        # reorder names), and so must numbers in a heavy rewrite.
        q_words, s_words = set(qn), set(sn)
        q_moved, s_moved = (q_words, s_words) if strong else (set(), set())
        for tag, i1, i2, j1, j2 in ops:
            protected = [j for j in range(j1, j2) if _protected(s, sa + j)]
            a_tot += len(protected)
            if tag == "equal":
                a_eq += len(protected)
                continue
            if tag != "replace":
                # Words only one side has: a dropped or added stretch, not a swap; but a
                # spin never drops a name or number inside a sentence, nor adds a number
                # (at either end, it is the sentences that were cut differently). An added
                # capitalised word is a spinner's dictionary entry as often as a name.
                inside = 0 < i1 and i2 < len(qn) and 0 < j1 and j2 < len(sn)
                if inside:
                    lost = any(
                        sn[j] not in q_moved if sn[j][0].isdigit() else sn[j] not in moved_in
                        for j in protected
                    )
                    numbers = any(
                        qn[i][0].isdigit() and qn[i] not in s_moved for i in range(i1, i2)
                    )
                    conflicts += lost or numbers
                continue
            # A name or number of the source swapped for something else, or a name or
            # number that appears in its place: thesauri hold neither, so a spinner
            # neither removes nor adds one ("Talbot's damselfish" for "the azure
            # damselfish" is another species described from one template).
            theirs = set(qn[i1:i2])
            ours = set(sn[j1:j2])
            changed = [
                (j, sn[j])
                for j in protected
                if sn[j] not in theirs
                and not (sn[j][0].isdigit() and sn[j] in q_moved)
                and not any(_respelled(sn[j], w) for w in theirs)
            ]
            # A word no thesaurus lists put in where the source loses a name: a word no
            # thesaurus lists, or one the source writes with a capital inside its sentence
            # ("the Western Magpies": a spinner may swap them for other capitalised
            # thesaurus words, never for "Palm Beach Currumbin", another club of one
            # template).
            loses_name = any(_anchor_cached(w) for w in ours - theirs) or any(
                sn[j] not in theirs and _capital_inside(s, sa + j) for j in range(j1, j2)
            )
            changed += [
                (i, qn[i])
                for i in range(i1, i2)
                if (
                    qn[i] not in ours and qn[i] not in s_moved
                    if qn[i][0].isdigit()
                    else loses_name
                    and not {qn[i], _bare(qn[i])} & ours
                    and not any(_respelled(qn[i], w) for w in ours)
                    and _protected(q, qa + i, spun=True)
                )
            ]
            for pos, word in changed:
                # A name opening a sentence may be a word some spinner capitalised
                # there ("Ronda" -> "Round"): weak evidence on its own.
                if pos == 0 and not word[0].isdigit():
                    weak += 1
                else:
                    conflicts += 1
        if not conflicts and _number_swapped(q_words, s, sa, sa + len(sn)):
            conflicts += 1
        if conflicts > max_conflicts:
            rejected += 1
            continue
        weak_sentences += weak > 0
        anchors_total += a_tot
        anchors_equal += a_eq
        matched += 1
        # Evidence on both sides: a suspect sentence that lines up with a heading or a
        # few words of the source ("The Saturdays") proves no more than a heading does.
        counted = min(qb - qa, len(sn)) >= MIN_EVIDENCE or not long_q
        if counted:
            covered_q += qb - qa
            spans.append((qa, qb))
        equal_q += eq
        aligned_q += qb - qa
        covered_s.update(range(si, s.sent_of(sa + len(sn) - 1) + 1))
        matches.append(
            SentenceMatch(
                q.span(qa)[0],
                q.span(qb - 1)[1],
                s.span(sa)[0],
                s.span(sa + len(sn) - 1)[1],
                ratio,
                1.0 - eq / (qb - qa),
                qb - qa,
                strong,
                counted,
            )
        )
        for tag, i1, i2, j1, j2 in ops:
            if tag == "equal":
                continue
            orig = text_s[s.span(sa + j1)[0] : s.span(sa + j2 - 1)[1]] if j2 > j1 else ""
            if i2 > i1:
                start, end = q.span(qa + i1)[0], q.span(qa + i2 - 1)[1]
                pairs.append(WordPair(start, end, text_q[start:end], orig))
                edits.append((start, end, orig))
            else:  # the source has words here that the suspect lacks: put them back
                at = q.span(qa + i1)[0] if qa + i1 < qb else q.span(qb - 1)[1]
                glue = orig + " " if qa + i1 < qb else " " + orig
                edits.append((at, at, glue))

    s_words = sum(s.sents[i][1] - s.sents[i][0] for i in covered_s)
    return Alignment(
        similarity=covered_q / q_total,
        source_coverage=s_words / len(s),
        changed=1.0 - equal_q / aligned_q if aligned_q else 0.0,
        sentences=matched,
        conflicts=rejected,
        renamed=weak_sentences,
        anchors_kept=anchors_equal / anchors_total if anchors_total else 1.0,
        pairs=pairs,
        restored=_apply(text_q, edits),
        spans=tuple(spans),
        total=q_total,
        matches=matches,
        evidence_sentences=sum(1 for a, b in q.sents if b - a >= MIN_EVIDENCE) or len(q.sents),
    )


def _moved_in(q: Text, s: Text, chosen: list[Any]) -> set[str]:
    """Words the suspect has in a sentence whose source stretch lacks them (or in a
    sentence that aligns with nothing): where a name a paraphrase took out of one sentence
    may have gone ("..., N,N-Dimethyltryptamine (DMT) produces" -> "DMT (N,
    N-Dimethyltryptamine) is ..." two sentences earlier). A template sibling's name is
    not lost this way: its other copies stand where the source has them too."""
    out: set[str] = set()
    for qn, best in zip(q.sent_norms, chosen):
        out.update(
            qn if best is None else set(qn) - set(s.norm[best[1] : best[1] + len(best[3].b)])
        )
    return out


def _fill_between(
    q: Text, s: Text, chosen: list[Any], within: Collection[int] | None = None
) -> None:
    """Sentences too rewritten to stand on their own (few content words left), accepted
    at CONTEXT_RATIO when they sit where the source's order puts them: between two
    neighbours that matched, at the source sentences between theirs, or next to one."""
    n = len(chosen)
    for i in range(n):
        if chosen[i] is not None or len(q.sent_norms[i]) < MIN_EVIDENCE:
            continue
        if within is not None and i not in within:
            continue
        prev = chosen[i - 1] if i > 0 else None
        nxt = chosen[i + 1] if i + 1 < n else None
        if prev is None and nxt is None:
            continue
        lo = s.sent_of(prev[2] - 1) + 1 if prev is not None else None
        hi = s.sent_of(nxt[1]) - 1 if nxt is not None else None
        if lo is None:
            lo = hi
        if hi is None:
            hi = lo
        if lo is None or hi is None or hi < lo or hi - lo > 2 or hi >= len(s.sents):
            continue
        got = _best_stretch(q, i, set(), list(range(lo, hi + 1)), s, 1.1, CONTEXT_RATIO)
        if got is not None:
            chosen[i] = got


def _best_stretch(
    q: Text,
    qi: int,
    content: set[str],
    shortlist: list[int],
    s: Text,
    min_ratio: float,
    floor: float | None = None,
) -> tuple[float, int, int, difflib.SequenceMatcher, int, bool] | None:
    """The stretch of the source that suspect sentence `qi` is best rewritten from, as
    (ratio, first source token, matcher over the stretch, equal words, strong): one of the
    shortlisted sentences, or it with a neighbour (a merged sentence), cut to the part that
    aligns (a split one). None when no stretch passes as a rewrite (see WEAK_RATIO);
    with `floor`, any stretch aligning at `floor` or better passes."""
    qn = q.sent_norms[qi]
    best = None
    seen: set[tuple[int, int]] = set()
    n_sent = len(s.sents)
    q_content: list[str] | None = None
    for si in shortlist:
        for lo, hi in ((si, si), (si, si + 1), (si - 1, si)):
            if lo < 0 or hi >= n_sent or (lo, hi) in seen:
                continue
            seen.add((lo, hi))
            wa, wb = s.sents[lo][0], s.sents[hi][1]
            # An upper bound first: the words difflib aligns are a common subsequence of
            # the two, so at most their longest one (`LCSseq`, bit-parallel C++), and the
            # cut stretch is at least as long as what aligns; most shortlisted stretches of
            # a candidate that is not a source fail it, and difflib is the cost of a trace.
            stretch = s.norm[wa:wb]
            eq_max = LCSseq.similarity(qn, stretch)
            bound = 2.0 * eq_max / (len(qn) + eq_max) if eq_max else 0.0
            if best is not None and bound <= best[0]:
                continue
            if floor is not None:
                if bound < floor:
                    continue
            elif bound < min_ratio:
                if bound < WEAK_RATIO:
                    continue
                if q_content is None:
                    q_content = [w for w in qn if w in content]
                # the content words that align are a common subsequence too
                if LCSseq.similarity(q_content, stretch) < max(WEAK_CONTENT, len(content) / 3):
                    continue
            blocks = [m for m in s.matcher(lo, hi, qn).get_matching_blocks() if m.size]
            if not blocks:
                continue
            # Cut to the aligned part, keeping as many unaligned words at either end as the
            # suspect has there (a rewritten opening or closing phrase).
            head = blocks[0].a
            tail = len(qn) - blocks[-1].a - blocks[-1].size
            b0 = max(0, blocks[0].b - head - 2)
            b1 = min(wb - wa, blocks[-1].b + blocks[-1].size + tail + 2)
            eq = sum(m.size for m in blocks)
            ratio = 2.0 * eq / (len(qn) + b1 - b0)
            if best is not None and ratio <= best[0]:
                continue
            strong = ratio >= min_ratio
            if floor is not None:
                if ratio < floor:
                    continue
            elif not strong:
                ceq = sum(1 for m in blocks for w in qn[m.a : m.a + m.size] if w in content)
                if ratio < WEAK_RATIO or ceq < max(WEAK_CONTENT, len(content) / 3):
                    continue
            best = (ratio, wa + b0, wa + b1, eq, strong)
    if best is None:
        return None
    ratio, sa, sb, eq, strong = best
    sm = difflib.SequenceMatcher(None, qn, s.norm[sa:sb], autojunk=False)
    trimmed = _trim_edges(sm.get_opcodes(), q, q.sents[qi][0], s, sa, sb)
    if trimmed != (sa, sb):
        sa, sb = trimmed
        sm = difflib.SequenceMatcher(None, qn, s.norm[sa:sb], autojunk=False)
    return ratio, sa, sb, sm, sum(m.size for m in sm.get_matching_blocks()), strong


def _trim_edges(
    ops: list[tuple[str, int, int, int, int]], q: Text, qa: int, s: Text, sa: int, sb: int
) -> tuple[int, int]:
    """The source stretch without what its unaligned ends reach into.

    The stretch keeps a few unaligned source words at either end, for a phrase the
    suspect rewrote there ("if" for "in the event that"). Source words the suspect has
    nothing against at an end, and words that run on past the suspect's own into a name
    or number, are the neighbouring sentence, cut where the suspect's sentence ends
    ("... for $400 bazillion" against "... for $400 million, making Corwin"), not a name
    the spinner replaced nor words to put back. So such an end keeps only as many source
    words as the suspect has there. And where the suspect opens with words that hold no
    name or number, while the source's words against them hold names or numbers the
    suspect's sentence lacks, the opening is another cut (a clause the suspect split
    off, a search keyword pasted before the sentence: "order piece online Wyoming was
    built" against "... in Evanston, Wyoming was built"), not a name replaced: a
    spinner's thesaurus has no entry that turns a name into common words, and a template
    sibling puts another name in its place. That opening of the source is cut away."""
    if not ops:
        return sa, sb
    tag, i1, i2, j1, j2 = ops[-1]
    if tag != "equal" and j2 - j1 > i2 - i1:
        keep = j1 + sa + (i2 - i1)
        if i1 == i2 or any(_protected(s, j) for j in range(keep, sa + j2)):
            sb = keep
    tag, i1, i2, j1, j2 = ops[0]
    if tag != "equal" and j2 - j1 > i2 - i1:
        end = sa + j2
        keep = end - (i2 - i1)
        if i1 == i2 or any(_protected(s, j) for j in range(sa + j1, keep)):
            sa = keep
        if _another_cut(q, qa, qa + ops[-1][2], i2, s, sa, end):
            sa = end
    return (sa, sb) if sb > sa else (sa, sa + 1)


def _another_cut(q: Text, qa: int, qb: int, k: int, s: Text, sa: int, sb: int) -> bool:
    """Whether the source words `sa:sb` opening a stretch are another cut than the suspect
    sentence `qa:qb`'s (`_trim_edges`): they hold names or numbers, none of which the
    sentence has anywhere (a name it moved, "The strait and the peninsula were named
    ... Alessandro Malaspina" for "Malaspina Peninsula and Malaspina Strait were named",
    is a rewording of these words), and its first `k` words, against them, hold no name
    or number."""
    if not k or sb <= sa:
        return False
    names = {s.norm[j] for j in range(sa, sb) if _protected(s, j)}
    if not names or names & set(q.norm[qa:qb]):
        return False
    return not any(_protected(q, i, spun=True) for i in range(qa, qa + k))


def _number_swapped(q_words: set[str], s: Text, sa: int, sb: int) -> bool:
    """Whether the source sentences of stretch `sa:sb` hold a number the suspect sentence
    lacks while the suspect holds one that neither they nor their neighbours have: a year
    changed where the op-by-op test cannot see it (at a sentence end, where cut
    differences are let be, or outside a stretch trimmed to a moved clause)."""
    first, last = s.sent_of(sa), s.sent_of(sb - 1)
    own = s.norm[s.sents[first][0] : s.sents[last][1]]
    if not any(w[0].isdigit() and w not in q_words for w in own):
        return False
    lo, hi = max(0, first - 1), min(len(s.sents) - 1, last + 1)
    near = set(s.norm[s.sents[lo][0] : s.sents[hi][1]])
    return any(w[0].isdigit() and w not in near for w in q_words)


@lru_cache(maxsize=100_000)
def _cut_after(norm: str) -> bool:
    """A content-defined cut point: about one name or number in 16, chosen by hash."""
    if not (norm[0].isdigit() or _anchor_cached(norm)):
        return False
    return zlib.crc32(norm.encode("utf-8")) % 16 == 0


def _blank_footnote(m: re.Match[str]) -> str:
    """The footnote number blanked, when its punctuation follows a letter ("word,”1")."""
    at = m.start()
    if at and m.string[at - 1].isalpha():
        return m.group(1) + " " * (len(m.group(0)) - len(m.group(1)))
    return m.group(0)


def _respelled(a: str, b: str) -> bool:
    """Whether two words of four letters or more are one letter apart: a name the spinner
    respelt or turned into its adjective ("Bryan" for "Brian", "Californian" for
    "California"), the same one still. A template sibling swaps in another name, and
    Roman numerals ("XVII", "XVIII") are numbers, which must agree."""
    a, b = _bare(a), _bare(b)
    if min(len(a), len(b)) < 4 or abs(len(a) - len(b)) > 1:
        return False
    if not (a.isalpha() and b.isalpha()) or _NUMERAL.match(a) or _NUMERAL.match(b):
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b)) == 1
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i:] == b[i + 1 :]


def _bare(norm: str) -> str:
    """A word without its possessive ending ("billa's" -> "billa")."""
    return norm[:-2] if norm.endswith("'s") else norm


def _protected(t: Text, i: int, *, spun: bool = False) -> bool:
    """Whether word `i` of `t` is a number or a name. Numbers: digits, and Roman numerals
    in capitals ("III", "VI": the "Third" and "Sixth" district stubs of one template), and
    a capitalised word joined to a number by a hyphen ("K-1" and "C-1": the kayak and the
    canoe event of one template, though a thesaurus lists "C").
    Names: capitalised and in no thesaurus, nor its plural or possessive (`is_name`:
    "Okafor", "Helder", not "University" or "Rain", nor a contraction such as "I'm").
    Spinners leave both alone; a lowercase rare word may well be in the spinner's
    thesaurus, and a capitalised dictionary word may be swapped. In a `spun` text a
    capital is weaker evidence: spinners capitalise the words they put in, in any
    inflection ("Louder", "Consisted"), so there a name is a word no thesaurus lists in
    any inflection (`is_anchor`)."""
    norm = t.norm[i]
    if norm[0].isdigit():
        return True
    if not t.capital(i):
        return False
    end = t.span(i)[1]
    if t._words[end : end + 1] == "-" and t._words[end + 1 : end + 2].isdigit():
        return True  # a designation ("C-1", "F-16"): a code as fixed as its number
    if _NUMERAL.match(norm) and t._words[slice(*t.span(i))].isupper():
        return True
    return (_anchor_cached(norm) if spun else _name_cached(norm)) and not _CLITIC.search(norm)


def _capital_inside(t: Text, i: int) -> bool:
    """Whether word `i` of `t` is written with a capital where a sentence does not start
    (a name as the text writes it, whatever a thesaurus lists)."""
    return t.capital(i) and not t.norm[i][0].isdigit() and t.sents[t.sent_of(i)][0] != i


def is_match(al: Alignment, min_similarity: float = 0.5, max_conflicts: float = 0.1) -> bool:
    """The decision: enough of the suspect is rewritten from the source, and few of the
    sentences that align change a name or number (the sign of a shared template): at
    most `max_conflicts` of them inside sentences, at most 2.5 times that counting the
    names that open a sentence."""
    if al.similarity < min_similarity or al.sentences == 0:
        return False
    aligned = al.sentences + al.conflicts
    if al.conflicts > max_conflicts * aligned:
        return False
    return al.conflicts + al.renamed <= 2.5 * max_conflicts * aligned


@dataclass
class Attribution:
    """Which candidate explains which suspect sentence, and the sources worth reporting."""

    sources: list[tuple[Any, Alignment, float]]  # (key, alignment, share attributed to it)
    sentences: dict[int, tuple[Any, SentenceMatch]]  # suspect sentence start -> (key, match)


def _confident(matches: list[SentenceMatch]) -> bool:
    """A source worth naming: it explains one evidence-length sentence at the plain ratio,
    or two as heavy rewrites (one heavy rewrite alone could be chance)."""
    counted = [m for m in matches if m.counted]
    return any(m.strong for m in counted) or len(counted) >= 2


def attribute(
    candidates: list[tuple[Any, Alignment]],
    min_similarity: float = 0.5,
    max_conflicts: float = 0.1,
    same_text: Callable[[Any, Any], bool] | None = None,
) -> Attribution:
    """Give every suspect sentence to the candidate it aligns with best (the earlier
    candidate on a tie) and report every source that explains a sentence with confidence
    (`_confident`), most words first, when the sources together explain at least
    `min_similarity` of the suspect. A candidate that changes names or numbers in too many
    sentences (`is_match`: a template sibling) explains nothing; a near-copy of a better
    source wins no sentence and is left out; a stitched text gets all its sources.

    A sentence that two candidates explain equally well, when they are not copies of one
    text (`same_text` of their keys), is a paragraph several documents carry (a stock
    paragraph of one series of articles): it goes to a source named on other evidence, but
    names none on its own."""
    pool = [c for c in candidates if is_match(c[1], 0.0, max_conflicts)]
    while True:
        assigned: dict[int, tuple[int, SentenceMatch]] = {}
        for n, (_key, al) in enumerate(pool):
            for m in al.matches:
                cur = assigned.get(m.start)
                if cur is None or m.ratio > cur[1].ratio:
                    assigned[m.start] = (n, m)
        shared = {
            m.start
            for n, (key, al) in enumerate(pool)
            for m in al.matches
            if (won := assigned[m.start])[0] != n
            and m.ratio == won[1].ratio
            and not (same_text is not None and same_text(pool[won[0]][0], key))
        }
        per: dict[int, list[SentenceMatch]] = {}
        for n, m in assigned.values():
            per.setdefault(n, []).append(m)
        keep = [n for n in sorted(per) if _confident([m for m in per[n] if m.start not in shared])]
        if len(keep) == len(pool):
            break
        pool = [pool[n] for n in keep]
    if not pool:
        return Attribution([], {})
    total = max(1, pool[0][1].total)
    words = {n: sum(m.words for m in ms if m.counted) for n, ms in per.items()}
    if sum(words.values()) / total < min_similarity:
        return Attribution([], {})
    # One sentence in common is not a copy of a text that has more (a shared stock
    # sentence: "It was nominated for an Academy Award for Best Documentary Feature").
    sentences = sum(1 for ms in per.values() for m in ms if m.counted)
    if sentences < min(2, pool[0][1].evidence_sentences):
        return Attribution([], {})
    order = sorted(range(len(pool)), key=lambda n: (-words[n], -pool[n][1].similarity, n))
    return Attribution(
        [(pool[n][0], pool[n][1], words[n] / total) for n in order],
        {start: (pool[n][0], m) for start, (n, m) in assigned.items()},
    )


COPY_SHARE = 0.8


def near_copies(a: str, b: str) -> bool:
    """Whether two reference texts are copies of one text: at least `COPY_SHARE` of the
    shorter one's word trigrams are the longer one's (a mirror with other page furniture,
    another revision), not two articles that carry one paragraph."""
    ga, gb = _trigrams(a), _trigrams(b)
    small, large = (ga, gb) if len(ga) <= len(gb) else (gb, ga)
    return bool(small) and len(small & large) >= COPY_SHARE * len(small)


def _trigrams(text: str) -> set[tuple[str, ...]]:
    w = normalized_words(text)
    return set(zip(w, w[1:], w[2:]))


def _apply(text: str, edits: list[tuple[int, int, str]]) -> str:
    """`text` with each (start, end, replacement) applied; a deletion takes one space along."""
    out: list[str] = []
    pos = 0
    for start, end, rep in sorted(edits, key=lambda e: (e[0], e[1])):
        if start < pos:
            continue  # overlapping edits cannot happen with one alignment; stay safe
        if not rep and start < end:
            # Deleting an inserted phrase: drop the space before it too.
            if start > pos and text[start - 1] == " ":
                start -= 1
            elif end < len(text) and text[end] == " ":
                end += 1
        out.append(text[pos:start])
        out.append(rep)
        pos = end
    out.append(text[pos:])
    return "".join(out)
