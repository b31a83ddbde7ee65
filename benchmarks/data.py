"""Readers for the held-out inputs the evaluation sets are built from (never training data).

Only `enwiki2021slice_part01`, the WikiText-103 test split, `pps_test.tsv`, the SpinBot pair,
the real-spun-dev pages and the web-genres `*_heldout` files are read here; the 2014 slices and
the web-genres main files, which the artifacts are built from, never are.
"""

from __future__ import annotations

import csv
import hashlib
import lzma
import re
from dataclasses import dataclass
from pathlib import Path

HELD_OUT_WIKI = "enwiki-slices/enwiki2021slice_part01.txt.xz"
WIKITEXT_TEST = "wikitext103-eval/wiki.test.tokens.xz"
PPS_TEST = "tortured-phrases/pps_test.tsv"
SPINBOT = ("spinbot-sample/dog_original.txt", "spinbot-sample/dog_spun.txt")


def stable_hash(*parts: str) -> int:
    """A 64-bit hash that is the same in every process (unlike hash())."""
    h = hashlib.blake2b("\x00".join(parts).encode("utf-8"), digest_size=8)
    return int.from_bytes(h.digest(), "big")


def require(path: Path) -> Path:
    if not path.is_file():
        raise FileNotFoundError(f"held-out input missing: {path} (set UNSPIN_SHARED_DATA)")
    return path


def wiki_paragraphs(data_dir: Path, max_chars: int | None = None, min_words: int = 15) -> list[str]:
    """Body paragraphs of the held-out 2021 slice, in file order (titles and headings dropped).

    max_chars bounds how much of the file is read (small mode reads only its start).
    """
    out: list[str] = []
    read = 0
    with lzma.open(require(data_dir / HELD_OUT_WIKI), "rt", encoding="utf-8") as f:
        for line in f:
            read += len(line)
            if max_chars is not None and read > max_chars:
                break
            line = line.rstrip("\n")
            if line.startswith("= ") and line.endswith(" ="):
                continue
            if len(line.split()) >= min_words:
                out.append(line)
    return out


def pick(items: list[str], n: int, salt: str) -> list[str]:
    """A deterministic, order-independent sample: the n items with the smallest salted hash."""
    return sorted(items, key=lambda t: stable_hash(salt, t))[:n]


_DETOK = [
    (re.compile(r" @([-,.])@ "), r"\1"),
    (re.compile(r" ([,.;:!?)\]}])"), r"\1"),
    (re.compile(r"([(\[{]) "), r"\1"),
    (re.compile(r" '(s|re|ve|ll|d|m|t)\b"), r"'\1"),
    (re.compile(r" n't\b"), "n't"),
    (re.compile(r" (%)"), r"\1"),
    (re.compile(r"(\$) "), r"\1"),
]
_QUOTE = re.compile(r'" ([^"]*?) "')


def detokenize_wikitext(line: str) -> str:
    """Undo WikiText-103's tokenisation (@-@ joins, spaces around punctuation and quotes)."""
    s = line.strip()
    for pat, rep in _DETOK:
        s = pat.sub(rep, s)
    s = _QUOTE.sub(r'"\1"', s)
    return s


def wikitext_paragraphs(data_dir: Path, min_words: int = 40) -> list[str]:
    """Detokenised WikiText-103 test paragraphs; headings and lines with <unk> are skipped.

    A line with <unk> is dropped rather than patched: the token has no faithful rendering.
    """
    out = []
    with lzma.open(require(data_dir / WIKITEXT_TEST), "rt", encoding="utf-8") as f:
        for line in f:
            s = line.strip()
            if not s or s.startswith("= ") or "<unk>" in s or len(s.split()) < min_words:
                continue
            out.append(detokenize_wikitext(s))
    return out


@dataclass(frozen=True)
class PpsPair:
    tortured: str
    expected: str  # as listed
    term: str  # the expected term cleaned for matching: no "(abbr)" or "(?)"


_PAREN = re.compile(r"\s*\([^)]*\)")


_PROXIMITY = re.compile(r'"~\d+$')


def _clean_tortured(tortured: str, expected: str) -> str | None:
    """The phrase as it would appear in prose: PPS proximity marks ("~5) and abbreviations
    dropped (the abbreviation is dropped from the expected term too); None for a boolean query."""
    t = _PROXIMITY.sub("", tortured.strip())
    if '"' in t:
        return None
    t = _PAREN.sub("", t).strip()
    term = _PAREN.sub("", expected).lower().split()
    abbrs = {a.lower() for a in re.findall(r"\(([^)]*)\)", expected) if a}
    abbrs.add("".join(w[0] for w in term if w))  # "bogus negative fn" for "false negative"
    words = t.split()
    if len(words) > 1 and words[-1] in abbrs and words[-1] not in term:
        t = " ".join(words[:-1])
    return t


def pps_pairs(data_dir: Path) -> tuple[list[PpsPair], dict[str, int]]:
    """pps_test pairs with a usable expected term, and counts of the ones skipped and why."""
    pairs: list[PpsPair] = []
    skipped = {"search-query syntax": 0, "alternatives (/)": 0, "no words": 0,
               "same as tortured": 0, "duplicate after cleaning": 0}  # fmt: skip
    seen: set[tuple[str, str]] = set()
    with open(require(data_dir / PPS_TEST), encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            expected = (row.get("expected") or "").strip()
            term = _PAREN.sub("", expected).replace("(?)", "").strip()
            tortured = _clean_tortured(row.get("tortured") or "", expected)
            if tortured is None:
                skipped["search-query syntax"] += 1
            elif "/" in term:
                skipped["alternatives (/)"] += 1
            elif not re.search(r"[a-zA-Z]", term) or not tortured:
                skipped["no words"] += 1
            elif term.lower() == tortured.lower():
                skipped["same as tortured"] += 1
            elif (tortured, term.lower()) in seen:
                skipped["duplicate after cleaning"] += 1
            else:
                seen.add((tortured, term.lower()))
                pairs.append(PpsPair(tortured, expected, term.lower()))
    return pairs, skipped


def spinbot_pair(data_dir: Path) -> tuple[str, str]:
    """(original, spun) texts of the one real SpinBot sample."""
    orig = require(data_dir / SPINBOT[0]).read_text(encoding="utf-8")
    spun = require(data_dir / SPINBOT[1]).read_text(encoding="utf-8")
    return orig, spun


# -- real text: spun pages and clean web prose (read at run time, never copied) -----------------
REAL_SPUN_DEV = "real-spun-dev/real_spun_dev.jsonl"
WEB_GENRES_DIR = "web-genres"
# SOURCE.md's "By genre and licence" table: held-out file stem -> genre.
WEB_GENRES = {
    "medquad_health": "health-qa",
    "stackexchange_startups_qa": "business-qa",
    "stackexchange_beer_coffee_qa": "beer-coffee-qa",
    "digitalgov_blog": "gov-blog",
    "18f_blog": "gov-blog",
    "18f_guides_howto": "gov-howto",
    "plainlanguage_gov_guide": "gov-howto",
    "vagov_benefits": "gov-info",
    "healthcaregov_2013": "gov-info",
    "openstax_college_success_howto": "howto-guide",
    "ccopensource_blog": "oss-blog",
    "opensourceguide_howto": "oss-howto",
}


def real_spun_pages(data_dir: Path) -> list[dict]:
    """The real-spun-dev pages (id, kind, url, spun_text, original_text, notes), in file order."""
    import json

    with open(require(data_dir / REAL_SPUN_DEV), encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def web_documents(path: Path) -> list[tuple[str, str]]:
    """(title, body) of each document of a web-genres file (the shared `= Title =` format,
    read by unspin.build.corpus.articles); the body is the paragraphs joined by newlines."""
    from unspin.build.corpus import articles

    return [(title, "\n".join(paras)) for title, paras in articles(require(path))]
