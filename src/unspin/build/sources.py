"""Readers of the dictionary sources in ../shared/data, shared by the lexicon build and both
spinners (each decides what to keep; these only parse)."""

from __future__ import annotations

import lzma
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

PPDB_FILE = "ppdb-lexical/ppdb-1.0-xxxl-lexical.extended.synonyms.uniquepairs.xz"


@dataclass
class Synset:
    members: list[str]  # lemmas as written in OEWN
    hypernyms: list[str]  # synset ids


def oewn_synsets(data: Path) -> dict[str, Synset]:
    """OEWN synset id -> its member lemmas and hypernym ids."""
    out: dict[str, Synset] = {}
    with open(data / "oewn" / "oewn_synsets.tsv", encoding="utf-8") as f:
        next(f)
        for line in f:
            cols = line.rstrip("\n").split("\t")
            hyper = cols[5].split("|") if len(cols) > 5 and cols[5] else []
            out[cols[0]] = Synset(cols[3].split("|"), hyper)
    return out


def oewn_lemmas(data: Path) -> Iterator[tuple[str, list[str]]]:
    """(lemma, the ids of every synset it belongs to), in file order."""
    with open(data / "oewn" / "oewn_lemmas.tsv", encoding="utf-8") as f:
        next(f)
        for line in f:
            lemma, _pos, ids = line.rstrip("\n").split("\t")
            yield lemma, ids.split("|")


def ppdb_pairs(data: Path) -> Iterator[tuple[str, str]]:
    """PPDB 1.0 lexical synonym pairs, one per well-formed (two-column) line."""
    with lzma.open(data / PPDB_FILE, "rt", encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) == 2:
                yield parts[0], parts[1]
