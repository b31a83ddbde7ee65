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


SMALL = Sizes(clean_wiki=40, wikitext=15, spun=15, pps=15, keyword_pos=12, keyword_neg=6,
              docs=6, wiki_chars=3_000_000)  # fmt: skip
FULL = Sizes(clean_wiki=5000, wikitext=1000, spun=1000, pps=1500, keyword_pos=800,
             keyword_neg=600, docs=300, wiki_chars=None)  # fmt: skip
DOC_BYTES = 2300  # document size for the speed runs and the document-sized sets

SET_NAMES = (
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


def align_spans(original: str, spun: str) -> list[dict]:
    """Truth spans for a real spun text: word-level diff blocks against its original."""
    a = list(_ALIGN_TOK.finditer(original))
    b = list(_ALIGN_TOK.finditer(spun))
    sm = difflib.SequenceMatcher(
        None, [t.group().lower() for t in a], [t.group().lower() for t in b], autojunk=False
    )
    spans = []
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op not in ("replace", "insert"):
            continue
        s, e = b[j1].start(), b[j2 - 1].end()
        orig = original[a[i1].start() : a[i2 - 1].end()] if i2 > i1 else ""
        spans.append(
            {"start": s, "end": e, "text": spun[s:e], "original": orig, "kind": "substitution"}
        )
    return spans
