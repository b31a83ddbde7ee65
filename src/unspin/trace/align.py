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

import difflib
import re
from dataclasses import dataclass, field
from typing import Any

from unspin.trace.fingerprint import (
    STOPWORDS,
    WORD_RE,
    _anchor_cached,
    normalize,
)

MIN_EVIDENCE = 6  # shorter sentences (headings, list items) prove nothing
MAX_SENTENCE = 80  # longer "sentences" (lists, run-ons) are cut: alignment cost stays linear
_SENT_END = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+|\n+")


@dataclass(frozen=True)
class WordPair:
    """One swap: `spun` at `start:end` of the suspect text, `original` from the source."""

    start: int
    end: int
    spun: str
    original: str

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "spun": self.spun, "original": self.original}


@dataclass
class Alignment:
    """How much of a suspect text is a spun rewrite of one source, and how to undo it."""

    similarity: float  # fraction of the suspect's words in sentences rewritten from the source
    source_coverage: float  # fraction of the source's words those sentences account for
    changed: float  # fraction of the aligned suspect words that differ from the source
    sentences: int  # suspect sentences matched to a source sentence
    conflicts: int  # sentences that align but change the source's names or numbers
    anchors_kept: float  # share of the source's names/numbers in matched stretches kept
    pairs: list[WordPair] = field(default_factory=list)
    restored: str = ""

    def to_dict(self, *, pairs: bool = True, restored: bool = True) -> dict[str, Any]:
        d: dict[str, Any] = {
            "similarity": round(self.similarity, 4),
            "source_coverage": round(self.source_coverage, 4),
            "changed": round(self.changed, 4),
            "sentences": self.sentences,
            "conflicts": self.conflicts,
            "anchors_kept": round(self.anchors_kept, 4),
        }
        if pairs:
            d["pairs"] = [p.to_dict() for p in self.pairs]
        if restored:
            d["restored"] = self.restored
        return d


@dataclass(frozen=True)
class _Tok:
    norm: str
    start: int
    end: int
    upper: bool  # written with a capital or a digit first


def _tokens(text: str) -> list[_Tok]:
    out = []
    for m in WORD_RE.finditer(text):
        w = m.group()
        out.append(_Tok(normalize(w), m.start(), m.end(), w[0].isupper() or w[0].isdigit()))
    return out


def _sentences(text: str, toks: list[_Tok]) -> list[tuple[int, int]]:
    """Token index ranges [i, j) of the sentences of `text`."""
    bounds = [m.end() for m in _SENT_END.finditer(text)]
    out: list[tuple[int, int]] = []
    i = 0
    b = 0
    n = len(toks)
    while i < n:
        while b < len(bounds) and bounds[b] <= toks[i].start:
            b += 1
        limit = bounds[b] if b < len(bounds) else len(text) + 1
        j = i
        while j < n and toks[j].start < limit and j - i < MAX_SENTENCE:
            j += 1
        out.append((i, j))
        i = j
    return out


def align(
    suspect: str,
    source: str,
    *,
    min_ratio: float = 0.5,
    max_conflicts: int = 0,
) -> Alignment:
    """Align `suspect` to `source`; see the module docstring for what each number means."""
    q = _tokens(suspect)
    s = _tokens(source)
    if not q or not s:
        return Alignment(0.0, 0.0, 0.0, 0, 0, 1.0, [], suspect)
    q_sents = _sentences(suspect, q)
    s_sents = _sentences(source, s)
    # Headings and list items ("History.", "Mixed doubles") match between any two articles
    # of a kind; they count as evidence only when the text has nothing longer.
    long_q = sum(b - a for a, b in q_sents if b - a >= MIN_EVIDENCE)
    q_total = long_q or len(q)

    # Inverted index: content word -> source sentences holding it.
    postings: dict[str, list[int]] = {}
    for si, (a, b) in enumerate(s_sents):
        for w in {t.norm for t in s[a:b]} - STOPWORDS:
            postings.setdefault(w, []).append(si)
    s_norms = [[t.norm for t in s[a:b]] for a, b in s_sents]

    covered_q = 0
    aligned_q = 0
    covered_s: set[int] = set()
    equal_q = 0
    anchors_total = 0
    anchors_equal = 0
    matched = 0
    rejected = 0
    pairs: list[WordPair] = []
    edits: list[tuple[int, int, str]] = []  # (start, end, replacement) in suspect offsets

    for qa, qb in q_sents:
        qn = [t.norm for t in q[qa:qb]]
        votes: dict[int, int] = {}
        for w in set(qn) - STOPWORDS:
            for si in postings.get(w, ()):
                votes[si] = votes.get(si, 0) + 1
        shortlist = sorted(votes, key=lambda si: (-votes[si], si))[:3]
        best = None
        for si in shortlist:
            sm = difflib.SequenceMatcher(None, qn, s_norms[si], autojunk=False)
            blocks = sm.get_matching_blocks()
            eq = sum(blk.size for blk in blocks)
            ratio = 2.0 * eq / (len(qn) + len(s_norms[si]))
            if best is None or ratio > best[0]:
                best = (ratio, si, sm, eq)
        if best is None or best[0] < min_ratio:
            continue
        ratio, si, sm, eq = best
        sa, _sb = s_sents[si]
        ops = sm.get_opcodes()
        # Names and numbers of the source inside the aligned stretch must survive: a name
        # or number swapped for another is a different document cut from the same
        # template ("X is a village in Y"), not a spin. See `_protected`.
        a_tot = a_eq = conflicts = 0
        sn = s_norms[si]
        for tag, i1, i2, j1, j2 in ops:
            protected = [sn[j] for j in range(j1, j2) if _protected(sn[j], s[sa + j].upper, j)]
            a_tot += len(protected)
            if tag == "equal":
                a_eq += len(protected)
            elif protected:
                kept = set(qn[i1:i2])
                conflicts += sum(1 for w in protected if w not in kept)
        if conflicts > max_conflicts:
            rejected += 1
            continue
        anchors_total += a_tot
        anchors_equal += a_eq
        matched += 1
        if qb - qa >= MIN_EVIDENCE or not long_q:
            covered_q += qb - qa
        equal_q += eq
        aligned_q += qb - qa
        covered_s.add(si)
        for tag, i1, i2, j1, j2 in ops:
            if tag == "equal":
                continue
            orig = source[s[sa + j1].start : s[sa + j2 - 1].end] if j2 > j1 else ""
            if i2 > i1:
                start, end = q[qa + i1].start, q[qa + i2 - 1].end
                pairs.append(WordPair(start, end, suspect[start:end], orig))
                edits.append((start, end, orig))
            else:  # the source has words here that the suspect lacks: put them back
                at = q[qa + i1].start if qa + i1 < qb else q[qb - 1].end
                glue = orig + " " if qa + i1 < qb else " " + orig
                edits.append((at, at, glue))

    s_words = sum(s_sents[i][1] - s_sents[i][0] for i in covered_s)
    return Alignment(
        similarity=covered_q / q_total,
        source_coverage=s_words / len(s),
        changed=1.0 - equal_q / aligned_q if aligned_q else 0.0,
        sentences=matched,
        conflicts=rejected,
        anchors_kept=anchors_equal / anchors_total if anchors_total else 1.0,
        pairs=pairs,
        restored=_apply(suspect, edits),
    )


def _protected(norm: str, upper: bool, pos: int) -> bool:
    """Numbers, and names: capitalised inside a sentence and in no thesaurus ("Okafor",
    not "University"). Spinners leave both alone; a capital at a sentence start proves
    nothing, and a rare lowercase word may well be in the spinner's thesaurus."""
    if norm[0].isdigit():
        return True
    return upper and pos > 0 and _anchor_cached(norm)


def is_match(al: Alignment, min_similarity: float = 0.5, max_conflicts: float = 0.1) -> bool:
    """The decision: enough of the suspect is rewritten from the source, and few of the
    sentences that align change a name or number (the sign of a shared template)."""
    if al.similarity < min_similarity or al.sentences == 0:
        return False
    return al.conflicts <= max_conflicts * (al.sentences + al.conflicts)


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
