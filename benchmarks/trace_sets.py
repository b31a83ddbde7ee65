"""Trace sets that behave like real spinners (benchmark code, not part of unspin).

* ``real_dev``: the real-spun-dev pages that come with their originals, each original cut
  into the sources it was assembled from (see ``REAL_SOURCES``), to be indexed among
  distractors; the pages without an original are queries with no source in the index.
* ``readme``: the README's example pair (examples/spun_article.txt from
  examples/original_article.txt).
* ``heavy``: `HeavyRewriter`: the training spinner's word and phrase rewrites
  (unspin.build.training_spinner), applied pass after pass until the wanted share of the
  words is rewritten (40-60%; measured by a word alignment, not assumed), after sentences
  were split at clause boundaries and neighbours merged.
* ``stitched``: pages of 3-6 sources, 1-4 consecutive sentences from each, every piece
  spun on its own; each piece's character range in the page is its truth for per-sentence
  attribution.

The real pages are read from ../shared/data at run time and never copied anywhere.
"""

from __future__ import annotations

import difflib
import random
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.data import real_spun_pages
from unspin.trace.align import MIN_EVIDENCE

REPO = Path(__file__).resolve().parent.parent
_WORD = re.compile(r"\w+")
_SENT = re.compile(r"(?<=[.!?])\s+")

# Real-spun-dev page (id prefix) -> the source of each paragraph of its original, in order;
# the last named source takes the remaining paragraphs. Pages copied from one text share a
# key (rs02/rs03, rs07/rs08, and the Medical News Today pieces of rs04, rs05 and rs06; the
# notes field of each page names the copies).
REAL_SOURCES: dict[str, tuple[str, ...]] = {
    "rs01": ("drugfreeworld-ketamine",),
    "rs02": ("verywell-mushrooms",),
    "rs03": ("verywell-mushrooms",),
    "rs04": ("healthline-dmt", "mnt-dmt-lesser-known", "mnt-dmt-schedule", "mnt-dmt-intro"),
    "rs05": ("mnt-dmt-schedule", "mnt-dmt-intro"),
    "rs06": ("mnt-dmt-intro",),
    "rs07": ("wikipedia-seo",),
    "rs08": ("wikipedia-seo",),
    "rs09": ("wikipedia-digital-marketing",),
    "rs10": ("dailymail-ketamine",),
}


@dataclass
class RealPage:
    id: str
    kind: str
    text: str
    sources: frozenset[str]  # empty: the page's original is not in the index


def real_dev(data_dir: Path) -> tuple[list[tuple[str, str]], list[RealPage]]:
    """((source key, text) to index, the pages as queries). A page's original is cut into
    its paragraphs' sources; two pages copied from one text index it twice (the copies
    differ a little), both under one key."""
    refs: list[tuple[str, str]] = []
    pages: list[RealPage] = []
    for p in real_spun_pages(data_dir):
        keys = REAL_SOURCES.get(p["id"][:4], ())
        if p["original_text"] and not keys:
            raise ValueError(f"{p['id']}: an original, but no entry in REAL_SOURCES")
        paras = [x for x in re.split(r"\n\s*\n", p["original_text"]) if x.strip()]
        parts: dict[str, list[str]] = {}
        for i, para in enumerate(paras):
            parts.setdefault(keys[min(i, len(keys) - 1)], []).append(para)
        refs += [(k, "\n\n".join(v)) for k, v in parts.items()]
        pages.append(RealPage(p["id"], p["kind"], p["spun_text"], frozenset(parts)))
    return refs, pages


def readme_pair() -> tuple[str, str]:
    """(original, spun) of the README's example."""
    ex = REPO / "examples"
    return (
        (ex / "original_article.txt").read_text(encoding="utf-8"),
        (ex / "spun_article.txt").read_text(encoding="utf-8"),
    )


def rewritten_share(original: str, spun: str) -> float:
    """Share of the spun text's words that a word alignment does not find in the original."""
    a, b = _WORD.findall(original.lower()), _WORD.findall(spun.lower())
    if not b:
        return 0.0
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return 1.0 - sum(m.size for m in sm.get_matching_blocks()) / len(b)


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+|\n+", text) if s.strip()]


def _split(sentence: str, rng: random.Random) -> list[str]:
    """Cut a sentence at a clause boundary (", and", ", which", ", but", "; ", ", ")."""
    cuts = [m for m in re.finditer(r"(;|, (?:and|but|which|while|so)|,) ", sentence)]
    cuts = [m for m in cuts if 5 <= len(sentence[: m.start()].split())]
    cuts = [m for m in cuts if len(sentence[m.end() :].split()) >= 5]
    if not cuts:
        return [sentence]
    m = rng.choice(cuts)
    head, tail = sentence[: m.start()].rstrip(), sentence[m.end() :]
    tail = re.sub(r"^which\b", "This", tail)
    return [head + ".", tail[:1].upper() + tail[1:]]


def _merge(a: str, b: str) -> str:
    """Two sentences joined into one (", and" plus the second's first letter lowered)."""
    a = a.rstrip()
    if a.endswith("."):
        a = a[:-1]
    first = b.split(" ", 1)[0]
    if first[:1].isupper() and first[1:].islower():
        b = b[:1].lower() + b[1:]
    return f"{a}, and {b}"


def restructure(text: str, rng: random.Random, split: float = 0.3, merge: float = 0.15) -> str:
    """Sentences split and merged as real rewriters do; paragraph breaks are kept."""
    paras = []
    for para in text.split("\n"):
        out: list[str] = []
        for s in _SENT.split(para):
            if not s.strip():
                continue
            pieces = _split(s, rng) if rng.random() < split else [s]
            for piece in pieces:
                if out and rng.random() < merge and out[-1].endswith("."):
                    out[-1] = _merge(out[-1], piece)
                else:
                    out.append(piece)
        paras.append(" ".join(out))
    return "\n".join(paras)


PASSES = 8
# Whole tokens with a digit ("1887", "3rd", "4.25x5.50") and capitalised words ("Newburgh",
# "Jeff"; sentence openers too, since names open sentences as often as not).
_PROTECT = re.compile(r"[\w'.,:/\-]*\d[\w'.,:/\-]*|\b[A-Z][\w'\-]*")
_PLACEHOLDER = re.compile(r"\b[Zz]qx[a-z]+\b")


def _mask(text: str) -> tuple[str, list[str]]:
    """Names and numbers swapped for placeholder words no dictionary lists, so the spinner
    passes leave them alone."""
    kept: list[str] = []

    def sub(m: re.Match[str]) -> str:
        token = m.group()
        tail = re.search(r"[.,:/'\-]*$", token).group()  # trailing punctuation stays outside
        token = token[: len(token) - len(tail)] if tail else token
        if not token:
            return m.group()
        kept.append(token)
        n, tag = len(kept) - 1, ""
        while True:
            tag += chr(97 + n % 26)
            n //= 26
            if not n:
                return "Zqx" + tag + tail

    return _PROTECT.sub(sub, text), kept


def _unmask(text: str, kept: list[str]) -> str:
    def sub(m: re.Match[str]) -> str:
        tag, n = m.group()[3:], 0
        for k, ch in enumerate(tag):
            n += (ord(ch) - 97) * 26**k
        return kept[n] if n < len(kept) else m.group()

    return _PLACEHOLDER.sub(sub, text)


class HeavyRewriter:
    """Rewrites a text the way heavy real spinners do: sentences split and merged, then the
    training spinner's word and phrase rewrites applied pass after pass (each pass with its
    own seed) until at least `share` of the words are rewritten, at most PASSES passes. Names
    and numbers are kept, as real spinners keep them (their dictionaries list neither):
    a rewrite that changes them is a different text, which trace must reject."""

    def __init__(self, data_dir: Path, seed: int) -> None:
        from unspin.build.detector import make_spinner
        from unspin.build.training_spinner import TrainingSpinner
        from unspin.resources.paths import ARTIFACT_DIR

        first = make_spinner(data_dir, ARTIFACT_DIR, seed)
        self.passes = [first] + [
            TrainingSpinner(first.synonyms, first.tortured, first.frequency, seed + k)
            for k in range(1, PASSES)
        ]
        self.seed = seed

    def rewrite(self, text: str, share: float, salt: str = "") -> str:
        rng = random.Random(f"{self.seed}\x00{salt}\x00{text}")
        masked, kept = _mask(text)
        masked = restructure(masked, rng)
        out = _unmask(masked, kept)
        for spinner in self.passes:
            if rewritten_share(text, out) >= share:
                break
            masked = spinner.spin(masked, 1.0).text
            out = _unmask(masked, kept)
        return out


@dataclass
class Stitched:
    text: str
    sources: list[int]  # reference indices, in page order
    pieces: list[tuple[int, int, int]]  # (start, end, reference index) in `text`


def _prose(sents: list[str]) -> list[bool]:
    return [len(x.split()) >= MIN_EVIDENCE for x in sents]


def stitch(
    ref: list[str],
    pick_from: range,
    rewriter: HeavyRewriter,
    rng: random.Random,
    share: float = 0.3,
) -> Stitched:
    """A page of 3-6 sources, 1-4 consecutive sentences of each, each piece rewritten.
    Pieces are prose: sentences of MIN_EVIDENCE words or more (shorter ones prove nothing
    to trace: a heading such as "Results" is no sentence a spinner took from a source)."""
    n = rng.randint(3, min(6, len(pick_from)))
    chosen: list[int] = []
    for _ in range(100 * n):
        i = rng.choice(pick_from)
        sents = sentences(ref[i])
        if i not in chosen and len(sents) >= 2 and any(_prose(sents)):
            chosen.append(i)
            if len(chosen) == n:
                break
    if len(chosen) < 3:
        raise ValueError("stitching needs three references of two sentences or more")
    parts: list[str] = []
    pieces: list[tuple[int, int, int]] = []
    pos = 0
    for i in chosen:
        sents = sentences(ref[i])
        prose = _prose(sents)
        k = rng.randint(1, min(4, len(sents)))
        while not (starts := [a for a in range(len(sents) - k + 1) if all(prose[a : a + k])]):
            k -= 1
        at = rng.choice(starts)
        piece = rewriter.rewrite(" ".join(sents[at : at + k]), share, salt=str(i))
        sep = "" if not parts else ("\n\n" if rng.random() < 0.3 else " ")
        parts.append(sep + piece)
        pos += len(sep)
        pieces.append((pos, pos + len(piece), i))
        pos += len(piece)
    return Stitched("".join(parts), chosen, pieces)


def attribution_accuracy(
    sentences_out: list[dict], pieces: list[tuple[int, int, int]], doc_of: dict[str, int]
) -> tuple[int, int]:
    """(correct, total) over the suspect's sentences as trace cut them: a sentence is right
    when its attributed source is the piece its middle falls in."""
    right = 0
    for s in sentences_out:
        mid = (s["start"] + s["end"]) // 2
        truth = next((d for a, b, d in pieces if a <= mid < b), None)
        got = doc_of.get(s["source"]) if s.get("source") is not None else None
        right += got is not None and got == truth
    return right, len(sentences_out)


MISSED = ("not a candidate", "no piece sentence aligned", "page under min_similarity", "other")


def reference_ids(index: Any) -> dict[int, int]:
    """The index's document numbers -> the reference indices the documents were added as
    (`str(i)`): candidates are numbered by the index, sources by their ids."""
    return {doc: int(rid) for doc, rid in index._q("SELECT doc, id FROM docs")}


def missed_sources(
    index: Any,
    ids: dict[int, int],
    text: str,
    pieces: list[tuple[int, int, int]],
    found: set[int],
    min_similarity: float,
) -> Counter[str]:
    """Why each source of a stitched page that trace did not report was lost (MISSED):
    never among the candidates; verified, but none of its piece's sentences aligns with it
    (or its names and numbers conflict); its piece aligns with confidence but the page as a
    whole is explained below `min_similarity`, so nothing is reported; or something else
    (not verified because enough was explained, outvoted, not confident). `ids` is
    `reference_ids(index)`."""
    from unspin.trace.align import Text, _confident, attribute, is_match

    lost = [(a, b, d) for a, b, d in pieces if d not in found]
    out: Counter[str] = Counter()
    if not lost:
        return out
    cands = {ids[c[0]] for c in index.candidates(index.fingerprinter(text), Text(text))}
    verified = {int(x.id): x.alignment for x in index.explain(text, keep_all=True, top=100).sources}
    att = attribute([((d, 0.0), al) for d, al in verified.items()], 0.0)
    share = sum(w for *_, w in att.sources)
    for a, b, d in lost:
        al = verified.get(d)
        inside = [m for m in al.matches if a <= (m.start + m.end) // 2 < b] if al else []
        if d not in cands:
            out[MISSED[0]] += 1
        elif al is not None and (not inside or not is_match(al, 0.0)):
            out[MISSED[1]] += 1
        elif inside and _confident(inside) and share < min_similarity:
            out[MISSED[2]] += 1
        else:
            out[MISSED[3]] += 1
    return out
