"""A context-free synonym spinner for evaluation sets (benchmark code, not part of unspin).

It imitates what article spinners do: swap a fraction of content words and dictionary phrases
for a random synonym, blind to context, keep the dictionary entry's capitals, and now and
then rewrite function-word phrases ("if" -> "in the event that"). Everything else in the text
is kept exactly, and every swap is recorded as a span with exact offsets into the spun text,
so the harness knows the truth.

Determinism: the random choices depend only on (seed, text), never on call order.
"""

from __future__ import annotations

import lzma
import os
import random
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from unspin.build.sources import oewn_lemmas, oewn_synsets, ppdb_pairs
from unspin.text.inflection import inflect, lemma_guesses

REPO = Path(__file__).resolve().parent.parent
DICTIONARIES = ("oewn", "ppdb", "moby")
MAX_PHRASE_WORDS = 4

# Words a spinner leaves alone (closed-class words and very common verbs).
STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each few
    for from further had has have having he her here hers herself him himself his how i if in
    into is it its itself just me more most my myself no nor not now of off on once only or
    other our ours ourselves out over own same she should so some such than that the their
    theirs them themselves then there these they this those through to too under until up very
    was we were what when where which while who whom why will with would you your yours
    yourself yourselves also however thus although though may might must shall upon via per
    would among within without whose whether either neither yet ever even every etc""".split()
)

# Function-word and phrase rewrites spinners are known for; keys are lowercase word sequences.
FUNCTION_SWAPS: dict[str, tuple[str, ...]] = {
    "if": ("in the event that", "on the off chance that", "assuming"),
    "use": ("utilize", "make use of"),
    "uses": ("utilizes", "makes use of"),
    "used": ("utilized", "made use of"),
    "using": ("utilizing", "making use of"),
    "because": ("on the grounds that", "since", "in light of the fact that"),
    "also": ("additionally", "likewise", "furthermore"),
    "but": ("however", "yet", "be that as it may"),
    "about": ("approximately", "around", "roughly"),
    "many": ("numerous", "various", "a lot of"),
    "help": ("assist", "aid"),
    "helps": ("assists", "aids"),
    "helped": ("assisted", "aided"),
    "show": ("demonstrate", "exhibit"),
    "shows": ("demonstrates", "exhibits"),
    "showed": ("demonstrated", "exhibited"),
    "it was": ("it had been", "it turned into", "it was once"),
    "it is": ("it's far", "it is far"),
    "such as": ("like", "for example", "including"),
    "in order to": ("so as to", "to be able to"),
    "however": ("nonetheless", "be that as it may", "in any case"),
    "although": ("despite the fact that", "even though", "albeit"),
    "while": ("whilst", "even as"),
    "before": ("prior to", "earlier than"),
    "after": ("subsequent to", "after the fact"),
    "very": ("extremely", "exceptionally"),
    "often": ("frequently", "regularly"),
    "get": ("obtain", "acquire"),
    "start": ("commence", "begin"),
    "began": ("started", "commenced"),
    "later": ("thereafter", "afterward"),
    "there are": ("there exist", "there are actually"),
    "in addition": ("moreover", "furthermore"),
    "so that": ("with the goal that", "in order that"),
    "during": ("throughout", "amid"),
    "until": ("till", "up until"),
}
_FUNCTION_MAX = max(len(k.split()) for k in FUNCTION_SWAPS)

WORD_RE = re.compile(r"[A-Za-z0-9\u00c0-\u024f]+(?:['\u2019\-][A-Za-z0-9\u00c0-\u024f]+)*")
_ALPHA_PHRASE = re.compile(r"^[A-Za-z][A-Za-z' \-]*[A-Za-z]$|^[A-Za-z]$")
_OPENERS = "\"'([{\u201c\u2018"


def default_data_dir() -> Path:
    """UNSPIN_SHARED_DATA, else the repository's ../shared/data."""
    env = os.environ.get("UNSPIN_SHARED_DATA")
    return Path(env) if env else REPO.parent / "shared" / "data"


def _add(d: dict[str, dict[str, None]], head: str, syn: str) -> None:
    key = head.lower()
    # Acronyms and one- or two-letter "synonyms" (PPDB noise such as born -> ns) are skipped.
    if syn.lower() == key or len(syn) < 3 or syn.isupper() or not _ALPHA_PHRASE.match(syn):
        return
    d.setdefault(key, {})[syn] = None


@lru_cache(maxsize=8)
def _load_one(name: str, data_dir: str) -> dict[str, tuple[str, ...]]:
    root = Path(data_dir)
    acc: dict[str, dict[str, None]] = {}
    if name == "oewn":
        members = {k: v.members for k, v in oewn_synsets(root).items()}
        for lemma, ids in oewn_lemmas(root):
            if not _ALPHA_PHRASE.match(lemma):
                continue
            for sid in ids:
                for m in members.get(sid, ()):
                    _add(acc, lemma, m)
    elif name == "ppdb":
        for a, b in ppdb_pairs(root):
            if a.isalpha() and b.isalpha():
                _add(acc, a, b)
                _add(acc, b, a)
    elif name == "moby":
        path = root / "moby-thesaurus" / "mthesaur.txt.xz"
        with lzma.open(path, "rt", encoding="ascii", errors="replace", newline=None) as f:
            for line in f:
                words = line.rstrip().split(",")
                if len(words) < 2 or not _ALPHA_PHRASE.match(words[0]):
                    continue
                for w in words[1:]:
                    _add(acc, words[0], w)
    else:
        raise ValueError(f"unknown dictionary {name!r}; choose from {', '.join(DICTIONARIES)}")
    return {k: tuple(v) for k, v in acc.items() if v}


def load_dictionary(name: str, data_dir: Path | None = None) -> dict[str, list[str]]:
    """Headword (lowercase) -> synonyms, from one source or a '+'-joined combination."""
    data_dir = Path(data_dir) if data_dir else default_data_dir()
    parts = [p.strip() for p in name.split("+") if p.strip()]
    if not parts:
        raise ValueError("empty dictionary name")
    merged: dict[str, dict[str, None]] = {}
    for part in parts:
        for head, syns in _load_one(part, str(data_dir)).items():
            slot = merged.setdefault(head, {})
            for s in syns:
                slot[s] = None
    return {k: list(v) for k, v in merged.items()}


@dataclass
class SpunText:
    """The spun text and the truth: spans (offsets into `text`) with the words they replaced."""

    text: str
    spans: list[dict] = field(default_factory=list)
    source: str = ""
    content_words: int = 0
    replaced_content_words: int = 0


@dataclass
class _Unit:
    start: int  # offsets into the source text
    end: int
    words: int  # content words covered
    choices: tuple[str, ...]
    sentence_start: bool
    suffix: str = ""  # naive re-inflection applied to the chosen synonym
    function: bool = False


def _sentence_start(text: str, pos: int) -> bool:
    i = pos - 1
    while i >= 0 and (text[i].isspace() or text[i] in _OPENERS):
        if text[i] == "\n":
            return True
        i -= 1
    return i < 0 or text[i] in ".!?"


class Spinner:
    """Replaces `rate` of the content words (by phrase, longest match first) with synonyms."""

    def __init__(
        self, dictionary: dict[str, list[str]], rate: float, seed: int, function_rate: float = 0.3
    ) -> None:
        if not 0.0 <= rate <= 1.0 or not 0.0 <= function_rate <= 1.0:
            raise ValueError("rate and function_rate must be within [0, 1]")
        self.dictionary = dictionary
        self.rate = rate
        self.seed = seed
        self.function_rate = function_rate
        longest = max((k.count(" ") + 1 for k in dictionary), default=1)
        self.max_phrase = min(MAX_PHRASE_WORDS, longest)

    # -- finding units -------------------------------------------------------------------------
    def _content(self, word: str, sent_start: bool) -> bool:
        low = word.lower()
        return not (
            low in STOPWORDS
            or len(word) < 3
            or any(c.isdigit() for c in word)
            or "'" in word
            or "\u2019" in word
            or (word[0].isupper() and not sent_start)
            or (len(word) > 1 and word.isupper())
        )

    def _units(self, text: str) -> tuple[list[_Unit], int]:
        toks = [(m.start(), m.end(), m.group()) for m in WORD_RE.finditer(text)]
        starts = [_sentence_start(text, s) for s, _, _ in toks]
        content = [self._content(w, st) for (_, _, w), st in zip(toks, starts)]
        units: list[_Unit] = []
        n_content = 0
        i = 0
        n = len(toks)
        while i < n:
            unit = self._function_at(text, toks, starts, i) or self._phrase_at(
                text, toks, starts, content, i
            )
            if unit is not None:
                span_words = unit[1]
                u = unit[0]
                if not u.function:
                    n_content += u.words
                units.append(u)
                i += span_words
                continue
            if content[i]:
                n_content += 1
                u = self._word_unit(toks[i], starts[i])
                if u is not None:
                    units.append(u)
            i += 1
        return units, n_content

    def _joined(self, text: str, toks: list, i: int, k: int) -> str | None:
        """The k words from i as one lowercase phrase, if only single spaces separate them."""
        if i + k > len(toks):
            return None
        for j in range(i, i + k - 1):
            if text[toks[j][1] : toks[j + 1][0]] != " ":
                return None
        return " ".join(t[2] for t in toks[i : i + k]).lower()

    def _function_at(self, text, toks, starts, i) -> tuple[_Unit, int] | None:
        w = toks[i][2]
        if w[0].isupper() and not starts[i]:
            return None
        for k in range(_FUNCTION_MAX, 0, -1):
            key = self._joined(text, toks, i, k)
            if key is not None and key in FUNCTION_SWAPS:
                u = _Unit(toks[i][0], toks[i + k - 1][1], 0, FUNCTION_SWAPS[key], starts[i])
                u.function = True
                return u, k
        return None

    def _phrase_at(self, text, toks, starts, content, i) -> tuple[_Unit, int] | None:
        for k in range(self.max_phrase, 1, -1):
            key = self._joined(text, toks, i, k)
            if key is None or key not in self.dictionary:
                continue
            words = [t[2] for t in toks[i : i + k]]
            # Proper nouns (capitalised mid-sentence) and phrases of only stopwords stay.
            if any(w[0].isupper() for w in words[1:]) or (words[0][0].isupper() and not starts[i]):
                continue
            cw = sum(content[i : i + k])
            if cw == 0:
                continue
            syns = tuple(self.dictionary[key])
            return _Unit(toks[i][0], toks[i + k - 1][1], cw, syns, starts[i]), k
        return None

    def _word_unit(self, tok: tuple[int, int, str], sent_start: bool) -> _Unit | None:
        s, e, w = tok
        low = w.lower()
        syns = self.dictionary.get(low)
        if syns:
            return _Unit(s, e, 1, tuple(syns), sent_start)
        for lemma, suffix in lemma_guesses(low):
            syns = self.dictionary.get(lemma)
            if syns:
                return _Unit(s, e, 1, tuple(syns), sent_start, suffix=suffix)
        return None

    # -- spinning ------------------------------------------------------------------------------
    def spin(self, text: str) -> SpunText:
        """Spin one text; the same (seed, text) always gives the same result."""
        rng = random.Random(f"{self.seed}\x00{self.rate}\x00{text}")
        units, n_content = self._units(text)
        chosen: list[_Unit] = []
        content_units = [u for u in units if not u.function]
        order = list(range(len(content_units)))
        rng.shuffle(order)
        target = round(self.rate * n_content)
        covered = 0
        for idx in order:
            if covered >= target:
                break
            u = content_units[idx]
            if covered + u.words > target + 1:
                continue
            chosen.append(u)
            covered += u.words
        for u in units:
            if u.function and rng.random() < self.function_rate:
                chosen.append(u)
        chosen.sort(key=lambda u: u.start)

        out: list[str] = []
        spans: list[dict] = []
        pos = 0
        length = 0
        for u in chosen:
            original = text[u.start : u.end]
            syn = rng.choice(u.choices)
            if u.suffix:
                syn = inflect(syn, u.suffix)
            if u.sentence_start and original[0].isupper() and syn[0].islower():
                syn = syn[0].upper() + syn[1:]
            gap = text[pos : u.start]
            out.append(gap)
            length += len(gap)
            out.append(syn)
            spans.append(
                {
                    "start": length,
                    "end": length + len(syn),
                    "text": syn,
                    "original": original,
                    "kind": "substitution",
                    "swap": "function" if u.function else "synonym",
                }
            )
            length += len(syn)
            pos = u.end
        out.append(text[pos:])
        return SpunText(
            text="".join(out),
            spans=spans,
            source=text,
            content_words=n_content,
            replaced_content_words=covered,
        )
