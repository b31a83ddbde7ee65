"""The evaluation sets, built deterministically (fixed seeds, salted hashes) from held-out data.

Every set is a list of `Doc`s with the truth: a label (1 spun / 0 clean) and the exact spans a
spinner changed or inserted (offsets into the document text). Held-out paragraphs are split
into disjoint pools by a hash, so no paragraph serves two sets.
"""

from __future__ import annotations

import difflib
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks import data, keywords
from benchmarks.spinner import Spinner, load_dictionary

IN_DICT = "oewn+ppdb"  # the spinner's dictionary when the detector knows it
CROSS_DICT = "moby"  # the spinner's dictionary when the detector does not
RATES = (0.1, 0.2, 0.3)
FUNCTION_RATE = 0.3
SEEDS = {"in-dict": 101, "cross-dict": 202, "keyword": 303, "pps": 404}


@dataclass
class Doc:
    id: str
    text: str
    label: int  # 1 = spun / has pasted keywords, 0 = clean
    spans: list[dict] = field(default_factory=list)
    group: str = ""
    meta: dict = field(default_factory=dict)  # per-document facts a set reports (kind, title...)


@dataclass
class EvalSet:
    name: str
    docs: list[Doc]
    detector: str = "default"  # "default" or "no-moby" (the cross-dictionary detector)
    negatives: str | None = None  # set whose docs are the negatives for document metrics
    info: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Sizes:
    clean_wiki: int
    wikitext: int
    spun: int
    pps: int
    keyword_pos: int
    keyword_neg: int
    docs: int  # ~2.3 KB documents (joined paragraphs) per document-sized set
    wiki_chars: int | None  # how much of the held-out slice to read (None: all of it)
    web_per_genre: int  # clean-web documents per genre (fewer where a genre has fewer)


SMALL = Sizes(clean_wiki=40, wikitext=15, spun=15, pps=15, keyword_pos=12, keyword_neg=6,
              docs=6, wiki_chars=3_000_000, web_per_genre=2)  # fmt: skip
FULL = Sizes(clean_wiki=5000, wikitext=1000, spun=1000, pps=1500, keyword_pos=800,
             keyword_neg=600, docs=300, wiki_chars=None, web_per_genre=400)  # fmt: skip
DOC_BYTES = 2300  # document size for the speed runs and the document-sized sets

REAL_SETS = ("real-dev", "clean-web")  # real text: the headline of the report
SET_NAMES = (
    *REAL_SETS,
    "clean-wiki",
    "clean-wikitext",
    *(f"spun-in-dict-{int(r * 100)}" for r in RATES),
    *(f"spun-cross-dict-{int(r * 100)}" for r in RATES),
    "pps-in-context",
    "keyword-insertion",
    "spinbot-sample",
    "clean-wiki-docs",
    "spun-in-dict-20-docs",
    "spun-cross-dict-20-docs",
)


def _pool(paragraph: str) -> str:
    b = data.stable_hash("pool", paragraph) % 100
    return "clean" if b < 40 else "spun" if b < 70 else "keyword" if b < 90 else "speed"


class Builder:
    """Builds the sets on demand, reading each held-out input at most once."""

    def __init__(self, data_dir: Path, sizes: Sizes) -> None:
        self.data_dir = data_dir
        self.sizes = sizes
        self._paras: list[str] | None = None
        self._dicts: dict[str, dict] = {}

    @property
    def paragraphs(self) -> list[str]:
        if self._paras is None:
            self._paras = data.wiki_paragraphs(self.data_dir, self.sizes.wiki_chars, min_words=15)
        return self._paras

    def pool(self, name: str, n: int, salt: str) -> list[str]:
        items = [p for p in self.paragraphs if len(p.split()) >= 40 and _pool(p) == name]
        return data.pick(items, n, salt)

    def dictionary(self, name: str) -> dict:
        if name not in self._dicts:
            self._dicts[name] = load_dictionary(name, self.data_dir)
        return self._dicts[name]

    def build(self, name: str) -> EvalSet:
        builders: dict[str, Callable[[], EvalSet]] = {
            "clean-wiki": self.clean_wiki,
            "clean-wikitext": self.clean_wikitext,
            "pps-in-context": self.pps_in_context,
            "keyword-insertion": self.keyword_insertion,
            "spinbot-sample": self.spinbot_sample,
            "real-dev": self.real_dev,
            "clean-web": self.clean_web,
        }
        if name in builders:
            return builders[name]()
        if name == "clean-wiki-docs":
            return self.clean_docs()
        m = re.fullmatch(r"spun-(in|cross)-dict-(\d+)(-docs)?", name)
        if m:
            return self.spun(m.group(1) + "-dict", int(m.group(2)) / 100, bool(m.group(3)))
        raise ValueError(f"unknown set {name!r}; known: {', '.join(SET_NAMES)}")

    # -- sets ----------------------------------------------------------------------------------
    def clean_wiki(self) -> EvalSet:
        paras = self.pool("clean", self.sizes.clean_wiki, "clean-wiki")
        docs = [Doc(f"clean-wiki/{i}", p, 0) for i, p in enumerate(paras)]
        return EvalSet("clean-wiki", docs, info={"source": data.HELD_OUT_WIKI + " (>= 40 words)"})

    def clean_wikitext(self) -> EvalSet:
        paras = data.pick(data.wikitext_paragraphs(self.data_dir), self.sizes.wikitext, "wt")
        docs = [Doc(f"clean-wikitext/{i}", p, 0) for i, p in enumerate(paras)]
        src = data.WIKITEXT_TEST + " (detokenized, >= 40 words, no <unk>)"
        return EvalSet("clean-wikitext", docs, info={"source": src})

    def documents(self, n: int) -> list[str]:
        """~2.3 KB documents: consecutive paragraphs of the speed pool joined by newlines."""
        paras = [p for p in self.paragraphs if _pool(p) == "speed"]
        return join_documents(paras, n)

    def clean_docs(self) -> EvalSet:
        docs = [
            Doc(f"clean-wiki-docs/{i}", t, 0) for i, t in enumerate(self.documents(self.sizes.docs))
        ]
        info = {"source": data.HELD_OUT_WIKI + f" (paragraphs joined to ~{DOC_BYTES} bytes)"}
        return EvalSet("clean-wiki-docs", docs, info=info)

    def spun(self, kind: str, rate: float, documents: bool = False) -> EvalSet:
        dict_name = IN_DICT if kind == "in-dict" else CROSS_DICT
        spinner = Spinner(self.dictionary(dict_name), rate, SEEDS[kind], FUNCTION_RATE)
        name = f"spun-{kind}-{int(rate * 100)}" + ("-docs" if documents else "")
        if documents:
            paras = self.documents(self.sizes.docs)
        else:
            paras = self.pool("spun", self.sizes.spun, "spun")
        docs = []
        for i, p in enumerate(paras):
            res = spinner.spin(p)
            if res.spans:
                docs.append(Doc(f"{name}/{i}", res.text, 1, res.spans))
        info = {
            "spinner_dictionary": dict_name,
            "rate": rate,
            "function_rate": FUNCTION_RATE,
            "seed": SEEDS[kind],
            "source": data.HELD_OUT_WIKI
            + (f" (paragraphs joined to ~{DOC_BYTES} bytes)" if documents else " (>= 40 words)"),
        }
        detector = "default" if kind == "in-dict" else "no-moby"
        negatives = "clean-wiki-docs" if documents else "clean-wiki"
        return EvalSet(name, docs, detector=detector, negatives=negatives, info=info)

    def pps_in_context(self) -> EvalSet:
        pairs, skipped = data.pps_pairs(self.data_dir)
        found = find_contexts(self.paragraphs, pairs)
        chosen = sorted(found, key=lambda k: data.stable_hash("pps-cap", pairs[k].tortured))
        chosen = sorted(chosen[: self.sizes.pps])
        docs = []
        for k in chosen:
            para, s, e = found[k]
            pair = pairs[k]
            tortured = pair.tortured
            if para[s].isupper() and data_sentence_start(para, s):
                tortured = tortured[0].upper() + tortured[1:]
            text = para[:s] + tortured + para[e:]
            span = {
                "start": s,
                "end": s + len(tortured),
                "text": tortured,
                "original": para[s:e],
                "kind": "substitution",
            }
            docs.append(Doc(f"pps/{k}", text, 1, [span], group=pair.expected))
        info = {
            "pairs_in_pps_test": len(pairs) + sum(skipped.values()),
            "pairs_skipped": skipped,
            "pairs_with_context": len(found),
            "docs": len(docs),
            "source": data.PPS_TEST + " placed into " + data.HELD_OUT_WIKI,
        }
        return EvalSet("pps-in-context", docs, negatives="clean-wiki", info=info)

    def keyword_insertion(self) -> EvalSet:
        n_pos, n_neg = self.sizes.keyword_pos, self.sizes.keyword_neg
        paras = self.pool("keyword", n_pos + n_neg, "keyword")
        docs = []
        for i, p in enumerate(paras[:n_pos]):
            rng = random.Random(f"{SEEDS['keyword']}:{p}")
            res = keywords.insert_query(p, rng)
            if res:
                docs.append(Doc(f"keyword/{i}", res[0], 1, [res[1]], group="pasted"))
        for i, p in enumerate(paras[n_pos:]):
            rng = random.Random(f"{SEEDS['keyword']}:neg:{p}")
            kind = keywords.NEGATIVE_KINDS[i % len(keywords.NEGATIVE_KINDS)]
            text = keywords.legitimate_use(p, rng, kind)
            docs.append(Doc(f"keyword-neg/{i}", text, 0, [], group=kind))
        info = {
            "positives": sum(d.label for d in docs),
            "negatives": sum(1 - d.label for d in docs),
            "negative_kinds": list(keywords.NEGATIVE_KINDS),
            "source": data.HELD_OUT_WIKI + " (>= 40 words)",
        }
        return EvalSet("keyword-insertion", docs, info=info)

    def spinbot_sample(self) -> EvalSet:
        orig, spun = data.spinbot_pair(self.data_dir)
        spans = align_spans(orig, spun)
        docs = [
            Doc("spinbot/spun", spun, 1, spans, group="spun"),
            Doc("spinbot/original", orig, 0, [], group="original"),
        ]
        info = {"true_spans": len(spans), "note": "truth spans from a word alignment (difflib)"}
        return EvalSet("spinbot-sample", docs, info=info)

    def real_dev(self) -> EvalSet:
        """The real spun pages (label 1) and, after them, the originals found for some (label 0).

        A spun page with an original carries its alignment truth (`alignment_truth`) as spans
        and the counts of each kind of change in meta["changes"]."""
        path = self.data_dir / data.REAL_SPUN_DEV
        if not path.is_file():
            return skipped("real-dev", f"shared data missing: {path}")
        pages = data.real_spun_pages(self.data_dir)
        spun, originals = [], []
        for pg in pages:
            meta = {"kind": pg["kind"], "url": pg.get("url", ""), "has_original": False}
            spans: list[dict] = []
            orig = pg.get("original_text") or ""
            if orig.strip():
                spans, meta["changes"] = alignment_truth(orig, pg["spun_text"])
                meta["has_original"] = True
                originals.append(Doc(f"{pg['id']}/original", orig, 0, group="original",
                                     meta={"kind": pg["kind"], "page": pg["id"]}))  # fmt: skip
            spun.append(Doc(pg["id"], pg["spun_text"], 1, spans, kind_group(pg["kind"]), meta))
        info = {
            "source": data.REAL_SPUN_DEV + " (read at run time, never copied)",
            "pages": len(spun),
            "originals": len(originals),
            "kind_groups": dict(KIND_GROUPS),
            "truth": "word alignment of original vs spun (sets.alignment_truth)",
            "swap_rule": f"replace region, 1-{SWAP_MAX_WORDS} words a side, "
            f"sides differ by <= {SWAP_MAX_LEN_DIFF} words",
        }
        return EvalSet("real-dev", spun + originals, info=info)

    def clean_web(self) -> EvalSet:
        """Clean web prose: the same number of documents from each genre's held-out files
        (all of a genre's documents where it has fewer), chosen by a salted hash."""
        folder = self.data_dir / data.WEB_GENRES_DIR
        files = {stem: folder / f"{stem}_heldout.txt.xz" for stem in data.WEB_GENRES}
        missing = [str(p) for p in files.values() if not p.is_file()]
        if missing:
            return skipped("clean-web", f"shared data missing: {', '.join(missing)}")
        by_genre: dict[str, list[tuple[str, int, str, str]]] = {}
        for stem, path in files.items():
            for i, (title, body) in enumerate(data.web_documents(path)):
                by_genre.setdefault(data.WEB_GENRES[stem], []).append((stem, i, title, body))
        docs = []
        available = {}
        for genre, items in by_genre.items():
            available[genre] = len(items)
            salted = {f"{stem}#{i}": (stem, i, title, body) for stem, i, title, body in items}
            for key in data.pick(list(salted), self.sizes.web_per_genre, "clean-web"):
                stem, i, title, body = salted[key]
                meta = {"genre": genre, "source": stem, "title": title}
                docs.append(Doc(f"clean-web/{stem}/{i}", body, 0, group=genre, meta=meta))
        info = {
            "source": data.WEB_GENRES_DIR + "/*_heldout.txt.xz (titles dropped; paragraphs "
            "joined by newlines)",
            "per_genre": self.sizes.web_per_genre,
            "documents_available": available,
        }
        return EvalSet("clean-web", docs, info=info)


def skipped(name: str, reason: str) -> EvalSet:
    """A set whose input is absent: no documents, and the reason (the harness reports it)."""
    return EvalSet(name, [], info={"skipped": reason})


# real-dev's `kind`s, grouped as the report shows them
KIND_GROUPS = {
    "word_spinner": "word_spinner",
    "paraphrase": "paraphrase",
    "light_rewrite": "paraphrase",
    "llm_paraphrase": "paraphrase",
    "homoglyph_obfuscation": "homoglyph_obfuscation",
    "keyword_stuffed_rewrite": "keyword_stuffed_rewrite",
}


def kind_group(kind: str) -> str:
    return KIND_GROUPS.get(kind, kind)


def join_documents(paragraphs: list[str], n: int, target: int = DOC_BYTES) -> list[str]:
    """Join consecutive paragraphs until a document holds ~target bytes (2.1-2.9 KB kept)."""
    docs: list[str] = []
    cur: list[str] = []
    size = 0
    for p in paragraphs:
        cur.append(p)
        size += len(p.encode("utf-8")) + 1
        if size >= target - 200:
            doc = "\n".join(cur)
            if len(doc.encode("utf-8")) <= target + 600:
                docs.append(doc)
            cur, size = [], 0
            if len(docs) >= n:
                break
    return docs


def data_sentence_start(text: str, pos: int) -> bool:
    i = pos - 1
    while i >= 0 and (text[i].isspace() or text[i] in "\"'(\u201c"):
        i -= 1
    return i < 0 or text[i] in ".!?"


_TOK = re.compile(r"[^\W_]+(?:[-'\u2019.][^\W_]+)*")


def _term_tokens(term: str) -> tuple[list[str], list[str]]:
    toks = list(_TOK.finditer(term))
    words = [t.group().lower() for t in toks]
    gaps = [term[toks[i].end() : toks[i + 1].start()].strip() for i in range(len(toks) - 1)]
    return words, gaps


def find_contexts(
    paragraphs: list[str], pairs: list[data.PpsPair]
) -> dict[int, tuple[str, int, int]]:
    """For each pair, one held-out paragraph containing its expected term (whole words,
    any case): the occurrence with the smallest salted hash, so the choice is stable."""
    index: dict[str, list[tuple[int, list[str], list[str]]]] = {}
    for k, pair in enumerate(pairs):
        words, gaps = _term_tokens(pair.term)
        if words:
            index.setdefault(words[0], []).append((k, words, gaps))
    best: dict[int, tuple[int, str, int, int]] = {}
    for para in paragraphs:
        toks = list(_TOK.finditer(para))
        low = [t.group().lower() for t in toks]
        for i, w in enumerate(low):
            cands = index.get(w)
            if not cands:
                continue
            for k, words, gaps in cands:
                n = len(words)
                if low[i : i + n] != words:
                    continue
                ok = all(
                    para[toks[j].end() : toks[j + 1].start()].strip() == gaps[j - i]
                    for j in range(i, i + n - 1)
                )
                if not ok:
                    continue
                s, e = toks[i].start(), toks[i + n - 1].end()
                h = data.stable_hash("pps", pairs[k].tortured, para, str(s))
                if k not in best or h < best[k][0]:
                    best[k] = (h, para, s, e)
    return {k: (p, s, e) for k, (_, p, s, e) in best.items()}


_ALIGN_TOK = re.compile(r"\w+(?:['\u2019-]\w+)*|[^\w\s]")
_FOLD = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})
_HAS_WORD = re.compile(r"\w")
SWAP_MAX_WORDS = 4
SWAP_MAX_LEN_DIFF = 2
MOVED_MIN_WORDS = 3


def _key(token: str) -> str:
    return token.lower().translate(_FOLD)


def align_regions(original: str, spun: str) -> list[dict]:
    """Every region where spun differs from original, by a word alignment (difflib over word
    and punctuation tokens, compared case-insensitively with curly quotes folded to straight).

    Each region: op (replace | insert | delete), start/end/text in the spun text (a deletion
    is empty, at the place of the deleted words), original (the original's words there), and
    orig_words/spun_words (word tokens on each side; punctuation tokens do not count).
    """
    a = list(_ALIGN_TOK.finditer(original))
    b = list(_ALIGN_TOK.finditer(spun))
    sm = difflib.SequenceMatcher(
        None, [_key(t.group()) for t in a], [_key(t.group()) for t in b], autojunk=False
    )
    regions = []
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "equal":
            continue
        if j2 > j1:
            s, e = b[j1].start(), b[j2 - 1].end()
        else:
            s = e = b[j1 - 1].end() if j1 > 0 else 0
        orig = original[a[i1].start() : a[i2 - 1].end()] if i2 > i1 else ""
        regions.append({
            "op": op, "start": s, "end": e, "text": spun[s:e], "original": orig,
            "orig_words": sum(bool(_HAS_WORD.search(t.group())) for t in a[i1:i2]),
            "spun_words": sum(bool(_HAS_WORD.search(t.group())) for t in b[j1:j2]),
        })  # fmt: skip
    return regions


def align_spans(original: str, spun: str) -> list[dict]:
    """Truth spans for a real spun text: word-level diff blocks against its original."""
    return [
        {"start": r["start"], "end": r["end"], "text": r["text"], "original": r["original"],
         "kind": "substitution"}
        for r in align_regions(original, spun)
        if r["op"] in ("replace", "insert")
    ]  # fmt: skip


def _words(s: str) -> list[str]:
    return [_key(t.group()) for t in _ALIGN_TOK.finditer(s) if _HAS_WORD.search(t.group())]


def classify_regions(regions: list[dict]) -> list[dict]:
    """Name each aligned region's change (a copy of each region with "change" added).

    The rule, in order:
    - punctuation: no word on either side (quotes, commas): ignored;
    - swap: a replace region with 1 to SWAP_MAX_WORDS (4) words on each side whose sides differ
      by at most SWAP_MAX_LEN_DIFF (2) words ("an" -> "associate degree", "in the US" ->
      "within America"). Neighbouring swapped words that the alignment merges are one swap;
    - moved: text that an insertion or a longer replacement put in and that shares a run of
      MOVED_MIN_WORDS (3) or more words with what a deletion or another longer replacement
      took out elsewhere on the page: a reordered clause (a deletion it came from becomes
      "moved_from");
    - rewrite: any other replace region (longer, or very different lengths: "by" -> "via way
      of means of", a clause rewritten);
    - insert / delete: words only in the spun text / only in the original (a replace region
      with words on one side only counts as that side's insertion or deletion).
    Only swaps are truth for swap recall and precision; the rest are counted apart.
    """
    out = []
    for r in regions:
        r = dict(r)
        m, n = r["orig_words"], r["spun_words"]
        if m == 0 and n == 0:
            r["change"] = "punctuation"
        elif n == 0:
            r["change"] = "delete"
        elif m == 0:
            r["change"] = "insert"
        elif max(m, n) <= SWAP_MAX_WORDS and abs(m - n) <= SWAP_MAX_LEN_DIFF:
            r["change"] = "swap"
        else:
            r["change"] = "rewrite"
        out.append(r)
    sources = [r for r in out if r["change"] in ("delete", "rewrite")]
    for r in out:
        if r["change"] not in ("insert", "rewrite") or r["spun_words"] < MOVED_MIN_WORDS:
            continue
        new = _words(r["text"])
        for d in sources:
            old = _words(d["original"])
            if d is r or len(old) < MOVED_MIN_WORDS:
                continue
            sm = difflib.SequenceMatcher(None, old, new, autojunk=False)
            if sm.find_longest_match(0, len(old), 0, len(new)).size >= MOVED_MIN_WORDS:
                r["change"] = "moved"
                if d["change"] == "delete":
                    d["change"] = "moved_from"
                break
    return out


CHANGES = ("swap", "rewrite", "moved", "insert", "delete", "punctuation")


def alignment_truth(original: str, spun: str) -> tuple[list[dict], dict[str, int]]:
    """Truth for a real spun page with an original: the changed regions of the spun text as
    spans (kind "substitution", "change" as `classify_regions` names it; deletions and
    punctuation-only changes have no span) and the number of regions of each change."""
    regions = classify_regions(align_regions(original, spun))
    counts = {c: sum(r["change"] == c for r in regions) for c in CHANGES}
    spans = [
        {"start": r["start"], "end": r["end"], "text": r["text"], "original": r["original"],
         "kind": "substitution", "change": r["change"]}
        for r in regions
        if r["change"] in ("swap", "rewrite", "moved", "insert")
    ]  # fmt: skip
    return spans, counts
