"""The reverse thesaurus: for a word or phrase a spinner may have written, the originals
it may have replaced, each link tagged with the dictionaries that contain it.

Sources (bit flags): OEWN synsets, PPDB lexical pairs, Moby (root -> synonym, reversed:
the synonym is what a spinner writes, the root what it replaced), known tortured-phrase
fingerprints from pps_train.tsv, and a small table of function-word rewrites spinners
make. Inflected forms get links derived from their lemma and re-inflected, kept only
when the re-inflected original is a real word in the vocabulary.

Output:
  lexicon.offsets.npy / lexicon.cands.npy / lexicon.sources.npy
      CSR over vocabulary ids: single-word spun -> single-word originals (most frequent first)
  phrases.tsv   spun<TAB>original<TAB>sources, where either side has several words
"""

from __future__ import annotations

import gzip
import lzma
import re
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

from unspin.build.sources import oewn_synsets, ppdb_pairs
from unspin.resources.lexicon import (
    FUNCTION_REWRITES,
    MAX_CANDIDATES,
    SOURCES,
)
from unspin.resources.stats import Stats

_WORDS = re.compile(r"^[a-z][a-z' \-]*[a-z]$")
_PAREN = re.compile(r"\s*\([^)]*\)")

Links = dict[str, dict[str, int]]


def _clean(term: str) -> str | None:
    term = _PAREN.sub("", term.lower().replace("_", " ").replace("’", "'")).strip()
    term = " ".join(term.split())
    return term if _WORDS.match(term) else None


def _add(links: Links, spun: str, original: str, flag: int) -> None:
    s, o = _clean(spun), _clean(original)
    if s and o and s != o:
        d = links.setdefault(s, {})
        d[o] = d.get(o, 0) | flag


def _oewn(data: Path, links: Links) -> None:
    flag = SOURCES["oewn"]
    for synset in oewn_synsets(data).values():
        group = synset.members
        for a in group:
            for b in group:
                if a != b:
                    _add(links, a, b, flag)


def _ppdb(data: Path, links: Links) -> None:
    flag = SOURCES["ppdb"]
    for a, b in ppdb_pairs(data):
        _add(links, a, b, flag)
        _add(links, b, a, flag)


def _moby(data: Path, links: Links) -> None:
    flag = SOURCES["moby"]
    with lzma.open(data / "moby-thesaurus" / "mthesaur.txt.xz", "rt", encoding="ascii") as f:
        for line in f:
            root, *syns = line.rstrip().split(",")
            for s in syns:
                _add(links, s, root, flag)


def _pps(data: Path, links: Links) -> None:
    flag = SOURCES["pps"]
    with open(data / "tortured-phrases" / "pps_train.tsv", encoding="utf-8") as f:
        next(f)
        for line in f:
            cols = line.rstrip("\n").split("\t")
            if len(cols) >= 2 and "(?)" not in cols[1]:
                _add(links, cols[0], cols[1], flag)


def _templates(links: Links) -> None:
    for spun, original in FUNCTION_REWRITES:
        _add(links, spun, original, SOURCES["template"])


_SUFFIXES = (
    ("ies", "y"),
    ("es", ""),
    ("s", ""),
    ("ed", ""),
    ("ed", "e"),
    ("ing", ""),
    ("ing", "e"),
    ("ly", ""),
    ("er", ""),
    ("est", ""),
)


def _inflect(lemma: str, suffix: str, stem_end: str) -> str:
    base = lemma[: -len(stem_end)] if stem_end and lemma.endswith(stem_end) else lemma
    if suffix in ("ing", "ed", "er", "est") and base.endswith("e"):
        base = base[:-1]
    if suffix in ("s", "es") and base.endswith(("s", "x", "z", "ch", "sh")):
        suffix = "es"
    elif suffix == "es":
        suffix = "s"
    if suffix == "ies" or (suffix == "s" and base.endswith("y") and base[-2:-1] not in "aeiou"):
        return base[:-1] + "ies" if base.endswith("y") else base + "s"
    return base + suffix


def _inflected_links(links: Links, vocab: set[str]) -> Links:
    """Links for inflected vocabulary words derived from their lemma's links."""
    extra: Links = {}
    for word in vocab:
        if not word.isalpha() or len(word) < 4:
            continue
        for suffix, repl in _SUFFIXES:
            if not word.endswith(suffix):
                continue
            lemma = word[: -len(suffix)] + repl
            if lemma == word or lemma not in links:
                continue
            for orig, flag in links[lemma].items():
                if " " in orig:
                    continue
                inflected = _inflect(orig, suffix, "")
                if inflected in vocab and inflected != word:
                    d = extra.setdefault(word, {})
                    d[inflected] = d.get(inflected, 0) | flag
    return extra


MAX_PHRASE_ORIGINALS = 4
_CURATED = SOURCES["oewn"] | SOURCES["pps"] | SOURCES["template"]


def _phrase_rows(
    spun: str, origs: dict[str, int], index: dict[str, int], unigrams: np.ndarray
) -> list[str]:
    """Links with a multi-word side: curated ones first, then the most frequent originals."""
    n_spun = spun.count(" ") + 1
    if n_spun > 5 or not all(w in index for w in spun.replace("-", " ").split()):
        return []

    def usable(o: str, flags: int) -> bool:
        if n_spun == 1 and " " not in o:
            return False  # single -> single lives in the CSR arrays
        if n_spun == 1 and not flags & (SOURCES["pps"] | SOURCES["template"]):
            return False  # a word rewritten as a phrase is only trusted when curated
        return all(w in index for w in o.replace("-", " ").split())

    def rank(o: str) -> tuple[int, int, str]:
        head = o.replace("-", " ").split()[0]
        return (0 if origs[o] & _CURATED else 1, -int(unigrams[index[head]]), o)

    chosen = sorted((o for o in origs if usable(o, origs[o])), key=rank)
    return [f"{spun}\t{o}\t{origs[o]}" for o in chosen[:MAX_PHRASE_ORIGINALS]]


def build(data: Path, out_dir: Path) -> None:
    links: Links = {}
    for step in (_oewn, _ppdb, _moby, _pps):
        step(data, links)
    _templates(links)
    stats = Stats(out_dir)
    index = stats.index
    unigrams = np.asarray(stats.unigrams)
    vocab = set(index)
    for word, origs in _inflected_links(links, vocab).items():
        d = links.setdefault(word, {})
        for o, flag in origs.items():
            d[o] = d.get(o, 0) | flag

    single: dict[int, list[tuple[int, int]]] = defaultdict(list)
    phrase_rows: list[str] = []
    for spun in sorted(links):
        origs = links[spun]
        if " " not in spun and spun in index:
            for o in sorted(origs):
                if " " not in o and o in index:
                    single[index[spun]].append((index[o], origs[o]))
        phrase_rows.extend(_phrase_rows(spun, origs, index, unigrams))
    V = len(stats.vocab)
    offsets = np.zeros(V + 1, dtype=np.uint32)
    cands: list[int] = []
    srcs: list[int] = []
    for wid in range(V):
        row = single.get(wid, [])
        # Most frequent originals first; spinners replace common words.
        row.sort(key=lambda r: (-int(unigrams[r[0]]), r[0]))
        row = row[:MAX_CANDIDATES]
        cands.extend(r[0] for r in row)
        srcs.extend(r[1] for r in row)
        offsets[wid + 1] = len(cands)
    np.save(out_dir / "lexicon.offsets.npy", offsets)
    np.save(out_dir / "lexicon.cands.npy", np.array(cands, dtype=np.int32))
    np.save(out_dir / "lexicon.sources.npy", np.array(srcs, dtype=np.uint8))
    blob = ("\n".join(phrase_rows) + "\n").encode("utf-8")
    with (
        open(out_dir / "phrases.tsv.gz", "wb") as raw,
        gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as gz,
    ):
        gz.write(blob)
    print(f"  single-word links {len(cands):,}, phrase links {len(phrase_rows):,}", file=sys.stderr)
