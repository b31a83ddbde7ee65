"""Build `data/trace_mutable.txt.gz`: the words a synonym spinner can swap.

Tracing keys documents on the words a spinner leaves alone (DSpin's "immutables": names,
numbers, rare terms). A word is *mutable* when a thesaurus lists it, as a headword or as
a synonym, so it is a word some spinner can replace or insert. Sources: Open English
WordNet lemmas and the Moby Thesaurus; single words only (phrases are made of words that
are themselves checked one by one). PPDB is left out on purpose: its lexical pairs link
many proper names ("shaw" -> "xiao"), and treating every name as mutable would throw away
the best anchors. Words the thesauri list only written as names (WordNet's proper nouns
"Venezuela", "September"; Moby's "Washington" for the government) are written with their
capital: a spinner swaps common words, so in a source such a word is still a name
(`unspin.trace.fingerprint.is_name`). The output is sorted, casefolded but for those
capitals, one word a line, gzip with a fixed mtime, so a rebuild is byte-for-byte
identical.

Run: ``python -m unspin.build.trace_lexicon``
"""

from __future__ import annotations

import gzip
import io
import lzma
import re
import sys
import unicodedata
from pathlib import Path

from unspin.resources.paths import ARTIFACT_DIR, shared_data_dir

OUTPUT = "trace_mutable.txt.gz"
_WORD = re.compile(r"^[^\W\d_]+(?:['\-][^\W\d_]+)*$")


def _norm(word: str) -> str:
    return unicodedata.normalize("NFKC", word).casefold().replace("’", "'").strip()


def _collect(data: Path) -> tuple[set[str], set[str]]:
    """(every listed word, those listed only written as names: a capital, then lowercase,
    four letters or more). Acronyms and abbreviations ("LSD", "USA", "Dr") stand for words
    a rewrite may spell out ("lysergic acid diethylamide"), so they are common words."""
    words: set[str] = set()
    common: set[str] = set()

    def add(raw: str) -> None:
        w = _norm(raw)
        if _WORD.match(w):
            words.add(w)
            raw = raw.strip()
            if len(raw) < 4 or not (raw[0].isupper() and raw[1:] == raw[1:].lower()):
                common.add(w)

    with open(data / "oewn" / "oewn_lemmas.tsv", encoding="utf-8") as f:
        next(f)
        for line in f:
            add(line.split("\t", 1)[0])
    with open(data / "oewn" / "oewn_synsets.tsv", encoding="utf-8") as f:
        next(f)
        for line in f:
            for member in line.split("\t")[3].split("|"):
                add(member)
    with lzma.open(data / "moby-thesaurus" / "mthesaur.txt.xz", "rt", encoding="latin-1") as f:
        for line in f:
            for entry in line.rstrip("\r\n").split(","):
                add(entry)
    return words, {w for w in words - common if w.capitalize().casefold() == w}


def build(data: Path | None = None, out_dir: Path = ARTIFACT_DIR) -> Path:
    """Write the artifact and return its path."""
    words, proper = _collect(data or shared_data_dir())
    lines = [w.capitalize() if w in proper else w for w in sorted(words)]
    payload = ("\n".join(lines) + "\n").encode("utf-8")
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, compresslevel=9, mtime=0) as gz:
        gz.write(payload)
    out = out_dir / OUTPUT
    tmp = out.with_suffix(".tmp")
    tmp.write_bytes(buf.getvalue())
    tmp.replace(out)
    return out


def main() -> int:
    out = build()
    print(f"wrote {out} ({out.stat().st_size:,} bytes)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
