"""A training spinner that writes the way real spinners do (build time only).

Kept apart from the benchmark spinner (benchmarks/spinner.py) so the benchmark never grades
the detector on its own training distribution. What it imitates, from real spun pages and
from pps_train.tsv's pairs:
- picks blind to word sense and part of speech: every lemma of every synset the word (case
  folded) belongs to, hypernyms now and then (cell -> "mobile", an -> "associate degree",
  ketamine -> "general anesthetic"), common words more often than rare ones;
- phrase rewrites: known tortured-phrase pairs (pps_train.tsv), multi-word dictionary
  entries, and a table of function-word and phrase rewrites ("if" -> "in the event that",
  "more than" -> "a lot more than", "with" -> "using");
- dictionary-entry capitals left mid-sentence ("Negative effects", "Gains");
- spelled-out numbers and citation marks ("[three]", "four.0");
- pasted search keywords ("buy ketamine online");
- light to dense spinning (5-45% of words), some texts unevenly (sentences left alone,
  others rewritten hard), and clean texts (rate 0).

Dictionaries: OEWN and PPDB only. Moby is never used in training (the cross-dictionary
benchmark spins with Moby), and of the tortured phrases only the training split is read.

Determinism: every choice comes from a Random seeded by (seed, text).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from pathlib import Path

from unspin.build.sources import oewn_lemmas, oewn_synsets, ppdb_pairs
from unspin.text.inflection import inflect, lemma_guesses
from unspin.text.tokens import TOKEN_RE

# Function-word and phrase rewrites seen in the output of common spinning tools.
REWRITES: dict[str, tuple[str, ...]] = {
    "if": ("in the event that", "on the off chance that", "assuming that", "when"),
    "more than": ("a lot more than", "greater than", "over", "in excess of"),
    "with": ("using", "along with", "with the help of", "together with"),
    "it is possible": ("it can be done", "it is feasible", "it's possible"),
    "was": ("had been", "turned into", "was once", "became"),
    "were": ("had been", "have been", "were actually"),
    "is": ("is actually", "can be", "is really"),
    "can": ("may", "could", "can easily", "are able to"),
    "also": ("additionally", "likewise", "too", "furthermore"),
    "but": ("however", "yet", "nevertheless"),
    "because": ("due to the fact that", "since", "as", "considering that"),
    "so": ("therefore", "thus", "hence"),
    "many": ("numerous", "several", "lots of", "a lot of"),
    "some": ("several", "a few", "certain", "a number of"),
    "often": ("frequently", "commonly", "typically", "usually"),
    "usually": ("generally", "normally", "typically", "sometimes"),
    "in": ("within", "inside", "throughout"),
    "an": ("associate degree", "a"),
    "about": ("regarding", "concerning", "approximately", "around"),
    "like": ("such as", "including", "similar to"),
    "after": ("following", "right after", "subsequent to"),
    "before": ("prior to", "ahead of", "just before"),
    "very": ("really", "extremely", "quite", "incredibly"),
    "such as": ("including", "like", "for example"),
    "due to": ("because of", "as a result of", "owing to"),
    "however": ("nevertheless", "nonetheless", "on the other hand"),
    "therefore": ("consequently", "as a result", "so"),
    "and": ("as well as", "and also", "along with"),
    "when": ("whenever", "once", "any time"),
    "then": ("after that", "next", "subsequently"),
    "while": ("whilst", "although", "even though"),
    "used": ("employed", "utilized", "applied", "made use of"),
    "use": ("utilize", "employ", "make use of", "apply"),
    "get": ("obtain", "acquire", "receive", "gain"),
    "make": ("create", "produce", "help make", "generate"),
    "help": ("assist", "aid", "support", "facilitate"),
    "need": ("require", "want", "must have"),
    "show": ("demonstrate", "display", "reveal"),
    "important": ("crucial", "essential", "vital", "significant"),
    "there are": ("you will find", "there are actually", "there exist"),
    "it is": ("it's", "it really is", "it is actually"),
    "they are": ("they may be", "they're", "they are actually"),
    "you can": ("you are able to", "you'll be able to", "you may"),
    "most": ("nearly all", "the majority of", "almost all"),
    "include": ("consist of", "contain", "embody", "incorporate"),
    "includes": ("consists of", "contains", "embodies", "incorporates"),
    "including": ("such as", "together with", "which include"),
    "known as": ("referred to as", "called", "said as"),
    "referred to as": ("said as", "known as", "called"),
    "in the us": ("within america", "in the united states", "in america"),
    "to": ("towards", "in order to"),
    "for": ("for the", "intended for", "meant for"),
    "the": ("the actual", "this", "that"),
    "has": ("features", "possesses", "offers"),
    "have": ("possess", "own", "include"),
}
_REWRITE_MAX = max(k.count(" ") + 1 for k in REWRITES)

NUMBER_WORDS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty"
).split()

KEYWORD_TEMPLATES = (
    "buy {} online",
    "{} near me",
    "cheap {}",
    "best {} {}",
    "{} for sale",
    "order {} online",
    "{} price",
    "where to buy {}",
    "{} {} delivery",
    "{} reviews",
)
PLACES = (
    "london", "texas", "california", "new york", "sydney", "toronto", "dubai", "florida",
    "chicago", "usa", "uk", "australia", "canada", "melbourne", "houston", "miami",
)  # fmt: skip

# Closed-class words a sense-blind spinner still looks up (rarely) in its dictionary.
_STOP = frozenset(
    """a an the and or but of in on at to for with by from as is are was were be been being it
    its this that these those he she they we you i his her their our your my not no so than
    then there here which who whom whose what when where why how do does did has have had
    can could may might must shall should will would""".split()
)
_SPLIT = re.compile(r"[^A-Za-z' \-]")


@dataclass
class Spun:
    """Spun text and the character spans (into `text`) that the spinner wrote."""

    text: str
    spans: list[tuple[int, int]] = field(default_factory=list)
    rate: float = 0.0
    rewrites: list[tuple[int, int, str]] = field(default_factory=list)  # start, end, original

    def word_labels(self) -> list[tuple[int, int, int]]:
        """(start, end, label) for every word token: 1 where the spinner wrote it."""
        out = []
        j = 0
        spans = self.spans
        for m in TOKEN_RE.finditer(self.text):
            if not m.group()[0].isalnum():
                continue
            while j < len(spans) and spans[j][1] <= m.start():
                j += 1
            hit = j < len(spans) and spans[j][0] < m.end() and m.start() < spans[j][1]
            out.append((m.start(), m.end(), int(hit)))
        return out


def load_synonyms(
    data: Path, sources: tuple[str, ...] = ("oewn", "ppdb")
) -> dict[str, tuple[str, ...]]:
    """Case-folded word or phrase -> every OEWN lemma sharing any synset with it (all senses,
    all parts of speech; hypernym lemmas after a '|' marker entry), plus PPDB pairs; or
    only one of the two `sources` (the screen learns from one, is calibrated on the other)."""
    if "oewn" not in sources:
        return _ppdb_synonyms(data)
    synsets = oewn_synsets(data)
    members = {k: [m.replace("_", " ") for m in v.members] for k, v in synsets.items()}
    syn: dict[str, dict[str, None]] = {}
    hyp: dict[str, dict[str, None]] = {}
    for lemma, ids in oewn_lemmas(data):
        key = lemma.replace("_", " ").lower()
        if _SPLIT.search(key):
            continue
        for sid in ids:
            for m in members.get(sid, ()):
                if m.lower() != key and not _SPLIT.search(m):
                    syn.setdefault(key, {})[m] = None
            for h in synsets[sid].hypernyms if sid in synsets else ():
                for m in members.get(h, ()):
                    if not _SPLIT.search(m):
                        hyp.setdefault(key, {})[m] = None
    if "ppdb" in sources:
        _add_ppdb(data, syn)
    out = {k: tuple(v) for k, v in syn.items()}
    for k, v in hyp.items():
        out[k] = out.get(k, ()) + ("|",) + tuple(v)
    return out


def _add_ppdb(data: Path, syn: dict[str, dict[str, None]]) -> None:
    for a, b in ppdb_pairs(data):
        if not (a.isalpha() and b.isalpha()):
            continue
        a, b = a.lower(), b.lower()
        if a != b and len(a) > 2 and len(b) > 2:
            syn.setdefault(a, {})[b] = None
            syn.setdefault(b, {})[a] = None


def _ppdb_synonyms(data: Path) -> dict[str, tuple[str, ...]]:
    syn: dict[str, dict[str, None]] = {}
    _add_ppdb(data, syn)
    return {k: tuple(v) for k, v in syn.items()}


def load_tortured(data: Path) -> dict[str, tuple[str, ...]]:
    """Expected phrase -> tortured rewrites, from pps_train.tsv only."""
    out: dict[str, dict[str, None]] = {}
    with open(data / "tortured-phrases" / "pps_train.tsv", encoding="utf-8") as f:
        next(f)
        for line in f:
            cols = line.rstrip("\n").split("\t")
            if len(cols) >= 2 and cols[0] and cols[1]:
                out.setdefault(cols[1].lower(), {})[cols[0]] = None
    return {k: tuple(v) for k, v in out.items()}


_WORD = re.compile(r"[A-Za-z]+(?:['\-][A-Za-z]+)*|\d+(?:\.\d+)?")


class TrainingSpinner:
    """Spins a text at a rate drawn per text, in a style drawn per text."""

    def __init__(
        self,
        synonyms: dict[str, tuple[str, ...]],
        tortured: dict[str, tuple[str, ...]],
        frequency: dict[str, float],
        seed: int,
    ) -> None:
        self.synonyms = synonyms
        self.tortured = tortured
        self.frequency = frequency
        self.seed = seed

    def _weight(self, cand: str) -> float:
        words = cand.lower().split()
        return min(self.frequency.get(w, 0.5) for w in words) ** 0.5 / len(words)

    def _pick(self, rng: random.Random, cands: tuple[str, ...]) -> str | None:
        if "|" in cands:
            i = cands.index("|")
            own, hyper = cands[:i], cands[i + 1 :]
            cands = hyper if (not own or rng.random() < 0.08) and hyper else own
        if not cands:
            return None
        if rng.random() < 0.25:  # some tools pick uniformly
            return rng.choice(cands)
        weights = [self._weight(c) for c in cands]
        return rng.choices(cands, weights=weights)[0]

    def spin(self, text: str, rate: float | None = None) -> Spun:
        rng = random.Random(f"{self.seed}\x00{text}")
        if rate is None:
            rate = 0.0 if rng.random() < 0.3 else rng.uniform(0.05, 0.45)
        if rate == 0.0:
            return Spun(text, [], 0.0)
        cap_rate = rng.choice((0.0, 0.0, 0.1, 0.3, 0.6))
        function_rate = rng.choice((0.0, 0.1, 0.25, 0.4))
        number_rate = rng.choice((0.0, 0.3, 0.8))
        stop_rate = rng.choice((0.0, 0.02, 0.06))
        # Some tools (and partial spins) leave whole sentences alone and rewrite others hard.
        uneven = rng.random() < 0.35
        base_rate = rate
        toks = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(text)]
        out: list[str] = []
        spans: list[tuple[int, int]] = []
        rewrites: list[tuple[int, int, str]] = []
        length = 0
        pos = 0
        i = 0
        n = len(toks)

        def emit(start: int, end: int, new: str, old: str) -> None:
            nonlocal length, pos
            gap = text[pos:start]
            out.append(gap)
            length += len(gap)
            olds = {w.lower() for w in old.split()}
            for m in _WORD.finditer(new):
                if m.group().lower() not in olds:
                    spans.append((length + m.start(), length + m.end()))
            out.append(new)
            rewrites.append((length, length + len(new), old))
            length += len(new)
            pos = end

        while i < n:
            s0 = toks[i][0]
            sent_start = _sentence_start(text, s0)
            if uneven and sent_start:
                rate = min(0.6, base_rate * rng.choice((0.0, 0.5, 1.0, 1.5, 2.0)))
            done = False
            for k in range(min(_REWRITE_MAX + 1, 4, n - i), 0, -1):
                if any(text[toks[j][1] : toks[j + 1][0]] != " " for j in range(i, i + k - 1)):
                    continue
                orig = text[s0 : toks[i + k - 1][1]]
                key = orig.lower()
                if k > 1 and key in self.tortured and rng.random() < rate * 2:
                    new = rng.choice(self.tortured[key])
                elif key in REWRITES and rng.random() < function_rate * _damp(key):
                    new = rng.choice(REWRITES[key])
                elif k > 1 and key in self.synonyms and rng.random() < rate:
                    new = self._pick(rng, self.synonyms[key]) or ""
                else:
                    continue
                if not new or new.lower() == key:
                    continue
                emit(s0, toks[i + k - 1][1], self._case(rng, new, orig, sent_start, cap_rate), orig)
                i += k
                done = True
                break
            if done:
                continue
            s, e, w = toks[i]
            low = w.lower()
            if w[0].isdigit():
                if rng.random() < number_rate:
                    whole, _, frac = w.partition(".")
                    if int(whole) < len(NUMBER_WORDS) and len(whole) < 3:
                        new = NUMBER_WORDS[int(whole)] + ("." + frac if frac else "")
                        emit(s, e, new, w)
                i += 1
                continue
            proper = w[0].isupper() and not sent_start
            chance = stop_rate if low in _STOP else (rate * 0.4 if proper else rate)
            if len(w) > 1 and rng.random() < chance:
                new = self._word(rng, low)
                if new:
                    emit(s, e, self._case(rng, new, w, sent_start, cap_rate), w)
            i += 1
        out.append(text[pos:])
        spun = "".join(out)
        if rng.random() < 0.12:
            spun, spans, rewrites = self._paste_keyword(rng, spun, spans, rewrites)
        return Spun(spun, spans, base_rate, rewrites)

    def _word(self, rng: random.Random, low: str) -> str | None:
        cands = self.synonyms.get(low)
        if cands:
            return self._pick(rng, cands)
        for lemma, suffix in lemma_guesses(low):
            cands = self.synonyms.get(lemma)
            if cands:
                new = self._pick(rng, cands)
                return inflect(new, suffix) if new else None
        return None

    @staticmethod
    def _case(rng: random.Random, new: str, orig: str, sent_start: bool, cap_rate: float) -> str:
        if orig.isupper() and len(orig) > 1 and rng.random() < 0.5:
            return new.upper()
        if orig[0].isupper() and (sent_start or rng.random() < 0.7):
            return new[0].upper() + new[1:]
        if not sent_start and rng.random() < cap_rate:
            return new[0].upper() + new[1:]  # the dictionary entry's capital
        return new

    def _paste_keyword(self, rng, text: str, spans: list[tuple[int, int]], rewrites: list):
        words = [
            m.group() for m in _WORD.finditer(text) if m.group().islower() and len(m.group()) > 4
        ]
        if not words:
            return text, spans, rewrites
        tpl = rng.choice(KEYWORD_TEMPLATES)
        fill = [rng.choice(words), rng.choice(PLACES)]
        kw = tpl.format(*fill[: tpl.count("{}")])
        cuts = [m.end() for m in re.finditer(r"[ ,]", text)]
        if not cuts:
            return text, spans, rewrites
        at = rng.choice(cuts)
        ins = kw + " "
        new_text = text[:at] + ins + text[at:]
        moved = [(a + len(ins), b + len(ins)) if a >= at else (a, b) for a, b in spans]
        added = [(at + m.start(), at + m.end()) for m in _WORD.finditer(kw)]
        shift = len(ins)
        rewrites = [(a + shift, b + shift, o) if a >= at else (a, b, o) for a, b, o in rewrites]
        return new_text, sorted(moved + added), sorted(rewrites + [(at, at + len(kw), "")])


# The commonest function words are rewritten far less often than the rest of the table.
_RARE_REWRITES = frozenset("the and to for in is an with was has have".split())


def _damp(key: str) -> float:
    return 0.2 if key in _RARE_REWRITES else 1.0


def _sentence_start(text: str, pos: int) -> bool:
    i = pos - 1
    while i >= 0 and (text[i].isspace() or text[i] in "\"'([{\u201c\u2018"):
        if text[i] == "\n":
            return True
        i -= 1
    return i < 0 or text[i] in ".!?:"
