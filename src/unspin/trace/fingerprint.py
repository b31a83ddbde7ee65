"""Spin-invariant document fingerprints: MinHash over the words a spinner leaves alone.

A synonym spinner rewrites 10-30% of the content words of a text, which destroys the word
n-gram shingles that ordinary near-duplicate detection (datatrove, datasketch) relies on.
What it cannot rewrite are the words its thesaurus lacks: names, numbers, codes, rare
terms (DSpin's "immutables"). A fingerprint here is two MinHash signatures:

* ``anchor``: over the set of *anchor* words: numbers and words that no thesaurus lists
  (see ``unspin.build.trace_lexicon``). A spinner whose dictionary is inside ours leaves
  this set intact; one with an unknown dictionary still leaves most of it.
* ``content``: over the set of all content words (stopwords removed). It keeps documents
  with few anchors findable and still shares most of its set after a 30% spin.

Both are order-free sets, so shuffled, dropped and added sentences cost little. They
fail when a spinner rewrites half the words, or when a page is stitched from a few
sentences of several articles: neither the whole-document sets nor their overlap survive.
So every sentence also contributes *sentence keys*: its `sentence_keys` rarest content
words (words no thesaurus lists first, then by rank in the shipped unigram vocabulary).
Rare words are the ones a spinner leaves alone and the ones few documents share; a query
looks up every content word of every one of its sentences (`query_word_keys`; words a
thesaurus lists count less: the spinner may have put them in), so a source is found from
one surviving word of one sentence. Each
signature is cut into LSH bands; a band key is a 64-bit hash of (kind, band number,
band values), stored as a signed SQLite integer. Everything here is deterministic and
independent of the process (no Python ``hash()``), so signatures computed on many
machines can be merged into one index.
"""

from __future__ import annotations

import gzip
import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from unspin.resources.paths import ARTIFACT_DIR
from unspin.text.normalize import fold_homoglyphs

# Bump when the features or hashing change: indexes record it and refuse a mismatch.
FINGERPRINT_VERSION = 2
LEXICON_FILE = "trace_mutable.txt.gz"
VOCAB_FILE = "vocab.txt"  # the n-gram statistics' vocabulary, most frequent word first
MIN_KEYED = 6  # words a sentence needs to get sentence keys (align.MIN_EVIDENCE)
WORD_KIND = 4  # key kind of sentence keys (1: anchor bands, 2: content bands, 3: pairs)
THESAURUS_KEY_WEIGHT = 0.25  # a suspect's thesaurus word may be the spinner's, not the source's

_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+|\n+")
WORD_RE = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*|\d+(?:[.,:/]\d+)*", re.UNICODE)

# Function words: spinners swap these too ("if" -> "in the event that"), and they carry
# no information about which document a text came from.
STOPWORDS = frozenset(
    """a about above after again against all also am an and another any are as at be
    because been before being below between both but by can cannot could did do does
    doing down during each either else even ever every few for from further had has have
    having he her here hers herself him himself his how however i if in into is it its
    itself just least less may me might more most much must my myself neither no nor not
    now of off often on once one only onto or other others otherwise our ours ourselves
    out over own per rather same shall she should since so some such than that the their
    theirs them themselves then there these they this those though through thus to too
    toward towards under until unto up upon us very via was we were what whatever when
    whenever where whereas wherever whether which while who whom whose why will with
    within without would yet you your yours yourself yourselves""".split()
)

# Irregular inflections of common verbs and nouns: thesauri list lemmas, spinners swap
# the inflected forms too ("wrote" -> "penned").
IRREGULAR = frozenset(
    """arose awoke awoken bore borne beat beaten became begun began bent bet bid bit bitten
    bled blew blown broke broken bred brought built burnt burst bought caught chose chosen
    clung came cost crept cut dealt dug dove did done drew drawn dreamt drank drunk drove
    driven ate eaten fell fallen fed felt fought found fled flung flew flown forbade
    forbidden forgot forgotten forgave forgiven froze frozen got gotten gave given went gone
    ground grew grown hung heard hid hidden hit held hurt kept knelt knew known laid led
    leapt learnt left lent let lay lain lit lost made meant met paid proved proven put quit
    read rode ridden rang rung rose risen ran said saw seen sought sold sent set sewn shook
    shaken shed shone shot shown shrank shrunk shut sang sung sank sunk sat slept slid slung
    smelt spoke spoken sped spent spilt spun spat split spread sprang sprung stood stole
    stolen stuck stung stank struck strove striven swore sworn swept swam swum swung took
    taken taught tore torn told thought threw thrown thrust trod understood woke woken wore
    worn wove woven wept won wound withdrew withdrawn wrung wrote written children men women
    people feet teeth mice geese lives wives knives leaves halves selves thieves wolves
    better best worse worst larger largest""".split()
)


@dataclass(frozen=True)
class FingerprintParams:
    """Signature shape. Stored in every index; queries must use the same values."""

    anchor_bands: int = 12
    content_bands: int = 12
    rows: int = 4  # hashes per band: a band collides with probability J**rows
    min_features: int = 3  # fewer distinct features than this: no signature of that kind
    pair_sample: int = 3  # keep one anchor pair in this many (by hash); 0: no pair keys
    sentence_keys: int = 3  # rarest content words of each sentence kept as keys

    @property
    def num_perm(self) -> int:
        return (self.anchor_bands + self.content_bands) * self.rows

    def to_dict(self) -> dict[str, int]:
        return {
            "anchor_bands": self.anchor_bands,
            "content_bands": self.content_bands,
            "rows": self.rows,
            "min_features": self.min_features,
            "pair_sample": self.pair_sample,
            "sentence_keys": self.sentence_keys,
        }


@dataclass(frozen=True)
class Fingerprint:
    """What the index stores per document besides its text."""

    anchor: np.ndarray  # uint64[anchor_bands * rows], empty when too few anchors
    content: np.ndarray  # uint64[content_bands * rows], empty when too few content words
    band_keys: tuple[int, ...]  # signed 64-bit LSH keys: anchor bands, content bands, pairs
    n_anchor: int
    n_content: int
    digest: bytes  # 16 bytes over the normalised word sequence: exact-duplicate key
    word_keys: tuple[int, ...] = ()  # sentence keys: the rarest words of each sentence

    @property
    def empty(self) -> bool:
        """No MinHash signature (too short): found by its digest and sentence keys only."""
        return not self.band_keys

    @property
    def keys(self) -> tuple[int, ...]:
        """Every key the index stores for the document."""
        return self.band_keys + self.word_keys


def normalize(text: str) -> str:
    """Look-alike letters made Latin, NFKC, casefold, accents dropped, curly apostrophes
    straightened: the form every feature uses."""
    text = unicodedata.normalize("NFKC", fold_homoglyphs(text)[0]).casefold()
    if not text.isascii():  # accents dropped: "Yucatán" and "Yucatan" are one name
        text = unicodedata.normalize("NFC", _COMBINING.sub("", unicodedata.normalize("NFD", text)))
    return text.replace("’", "'")


def words(text: str) -> list[str]:
    """Normalised word and number tokens of `text` (possessive 's dropped)."""
    return [unpossessive(w) for w in WORD_RE.findall(normalize(text))]


def unpossessive(word: str) -> str:
    """A normalised word without its possessive 's ("custer's" -> "custer"), the form
    every key is made from, whoever tokenised it."""
    return word[:-2] if word.endswith("'s") and len(word) > 2 else word


@lru_cache(maxsize=1)
def _lexicon() -> list[str]:
    """The listed words, those listed only as names capitalised (built by ``python -m
    unspin.build.trace_lexicon``)."""
    from unspin.errors import DataError

    path = ARTIFACT_DIR / LEXICON_FILE
    try:
        with gzip.open(path, "rt", encoding="utf-8") as f:
            return f.read().split()
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise DataError(
            f"trace lexicon {path} is missing or unreadable ({exc}); "
            "rebuild it with `python -m unspin.build.trace_lexicon`"
        ) from exc


@lru_cache(maxsize=1)
def mutable_words() -> frozenset[str]:
    """Words some thesaurus can swap (or insert)."""
    return frozenset(w.casefold() for w in _lexicon())


@lru_cache(maxsize=1)
def proper_names() -> frozenset[str]:
    """Listed words that every thesaurus lists only written as a name ("Venezuela",
    "September", Moby's "Washington" for the government): names, though listed."""
    return frozenset(w.casefold() for w in _lexicon() if w[0].isupper())


@lru_cache(maxsize=1)
def word_ranks() -> dict[str, int]:
    """Word -> rank by corpus frequency (0: the commonest), from the shipped vocabulary."""
    from unspin.errors import DataError

    path = ARTIFACT_DIR / VOCAB_FILE
    try:
        vocab = path.read_text(encoding="utf-8").split("\n")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"vocabulary {path} is missing or unreadable ({exc})") from exc
    ranks: dict[str, int] = {}
    for i, w in enumerate(vocab):
        ranks.setdefault(normalize(w), i)
    return ranks


@lru_cache(maxsize=1)
def lexicon_digest() -> str:
    """Short digest of the mutable-word list and the vocabulary that ranks sentence keys:
    an index built with other lists is stale."""
    h = hashlib.blake2b(digest_size=8)
    h.update("\n".join(sorted(mutable_words())).encode("utf-8"))
    h.update((ARTIFACT_DIR / VOCAB_FILE).read_bytes())
    return h.hexdigest()


def noun_forms(word: str) -> list[str]:
    """The word and what it may be the possessive or plural of ("city's", "cities")."""
    out = [word]
    if word.endswith("'s"):
        word = word[:-2]
        out.append(word)
    if len(word) > 3 and word.endswith("s"):
        out.append(word[:-1])
        if word.endswith("es"):
            out.append(word[:-2])
        if word.endswith("ies"):
            out.append(word[:-3] + "y")
    return out


def lemma_candidates(word: str) -> list[str]:
    """The word and the forms it may be an inflection of (regular English suffixes)."""
    out = noun_forms(word)
    if word.endswith("'s"):
        word = word[:-2]
    n = len(word)
    for suf in ("ed", "ing", "er", "est"):
        if n > len(suf) + 1 and word.endswith(suf):
            stem = word[: -len(suf)]
            out += [stem, stem + "e"]
            if len(stem) > 2 and stem[-1] == stem[-2]:
                out.append(stem[:-1])  # stopped -> stop
            if stem.endswith("i"):
                out.append(stem[:-1] + "y")  # carried -> carry
    if n > 4 and word.endswith("ly"):
        out.append(word[:-2])
        if word.endswith("ily"):
            out.append(word[:-3] + "y")
    return out


def is_mutable(word: str, mutable: frozenset[str]) -> bool:
    """Whether a thesaurus lists the word or its lemma (so a spinner may swap it)."""
    if word in IRREGULAR:
        return True
    return any(c in mutable for c in lemma_candidates(word))


def is_anchor(word: str, mutable: frozenset[str]) -> bool:
    """A number, or a word no thesaurus lists (and not a function word)."""
    if word[0].isdigit():
        return True
    return word not in STOPWORDS and not is_mutable(word, mutable)


def is_name(word: str, mutable: frozenset[str], proper: frozenset[str] = frozenset()) -> bool:
    """Whether a capitalised word is a name: a number, or a word no thesaurus lists but as
    a name (`proper`), nor the plural or possessive of one it lists. Verb and comparative
    endings are not stripped, as `is_anchor` strips them: "Helder", "Harding" are names,
    not forms of "held" and "hard" (a spinner swaps the words its thesaurus lists, and no
    thesaurus lists "helder"). Spinners swap common words: "Venezuela" is a name, though
    WordNet lists it beside "Bolivarian Republic of Venezuela"."""
    if word[0].isdigit():
        return True
    return (
        word not in STOPWORDS
        and word not in IRREGULAR
        and not any(c in mutable and c not in proper for c in noun_forms(word))
    )


@lru_cache(maxsize=200_000)
def _anchor_cached(word: str) -> bool:
    return is_anchor(word, mutable_words())


@lru_cache(maxsize=200_000)
def _name_cached(word: str) -> bool:
    return is_name(word, mutable_words(), proper_names())


def feature_hash(token: str) -> int:
    """Stable 64-bit hash of a feature string."""
    return int.from_bytes(hashlib.blake2b(token.encode("utf-8"), digest_size=8).digest(), "little")


def _splitmix(x: np.ndarray) -> np.ndarray:
    """The splitmix64 finaliser, vectorised (uint64 arithmetic wraps, as intended)."""
    with np.errstate(over="ignore"):
        x = x + np.uint64(0x9E3779B97F4A7C15)
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))


@lru_cache(maxsize=8)
def _seeds(n: int) -> np.ndarray:
    return _splitmix(np.arange(1, n + 1, dtype=np.uint64) * np.uint64(0x632BE59BD9B4E019))


def minhash(hashes: np.ndarray, num_perm: int) -> np.ndarray:
    """MinHash signature of a set of 64-bit feature hashes: min over `num_perm` mixers."""
    if hashes.size == 0:
        return np.empty(0, dtype=np.uint64)
    mixed = _splitmix(hashes[:, None] ^ _seeds(num_perm)[None, :])
    return mixed.min(axis=0)


def band_keys(sig: np.ndarray, rows: int, kind: int) -> list[int]:
    """One signed 64-bit key per band of `rows` consecutive signature values."""
    if sig.size == 0:
        return []
    bands = sig.reshape(-1, rows)
    acc = np.full(bands.shape[0], np.uint64(kind) << np.uint64(56), dtype=np.uint64)
    acc ^= np.arange(bands.shape[0], dtype=np.uint64) << np.uint64(48)
    for j in range(rows):
        acc = _splitmix(acc ^ bands[:, j])
    return acc.view(np.int64).tolist()


_M64 = (1 << 64) - 1


@lru_cache(maxsize=200_000)
def word_key(word: str) -> int:
    """The signed 64-bit sentence key of one (normalised) word (splitmix64, as `_splitmix`)."""
    x = (feature_hash(word) ^ (WORD_KIND << 56)) + 0x9E3779B97F4A7C15 & _M64
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9 & _M64
    x = (x ^ (x >> 27)) * 0x94D049BB133111EB & _M64
    x ^= x >> 31
    return x - (1 << 64) if x >> 63 else x


def _key_word(w: str) -> bool:
    """Worth a sentence key: a content word, not a short number ("2", "19")."""
    return w not in STOPWORDS and len(w) > 2 and not (w[0].isdigit() and len(w) < 4)


@lru_cache(maxsize=200_000)
def _rarity(w: str) -> tuple[bool, int, str]:
    """Sort key, rarest first: anchors, then by rank in the vocabulary (unknown: rarest)."""
    ranks = word_ranks()
    return (not _anchor_cached(w), -ranks.get(w, len(ranks)), w)


def rarest(content: Iterable[str], k: int) -> list[str]:
    """The `k` rarest of a sentence's content words: anchors first, then by rank."""
    return sorted(set(content), key=_rarity)[:k]


def query_word_keys(sentence_words: Iterable[str]) -> list[tuple[int, float]]:
    """The sentence keys to look up for one suspect sentence, all its content words, each
    with the weight of its evidence: 1 for a word no thesaurus lists (a name, a term: the
    source's own), `THESAURUS_KEY_WEIGHT` for one a thesaurus lists. A rare thesaurus word
    in a spun text is as often the spinner's choice ("feigning", "comunidades") as the
    source's, and it keys the documents that really use it above the source."""
    return [
        (word_key(w), 1.0 if _anchor_cached(w) else THESAURUS_KEY_WEIGHT)
        for w in dict.fromkeys(map(unpossessive, sentence_words))
        if _key_word(w)
    ]


class Fingerprinter:
    """Computes fingerprints with fixed parameters; cheap to create, safe to pickle."""

    def __init__(self, params: FingerprintParams | None = None) -> None:
        self.params = params or FingerprintParams()

    def features(self, text: str) -> tuple[set[str], set[str], set[str], set[str], bytes]:
        """(anchor words, content words, anchor pairs, sentence-key words, digest of the
        word sequence).

        Anchor pairs are consecutive anchors within one sentence, whatever mutable words
        lie between them ("shaw ... 1990"): a spin leaves them intact and shuffling
        sentences does not break them, and they are specific enough that a few shared
        pairs point at a source even when only part of it was copied.
        """
        toks: list[str] = []
        pairs: set[str] = set()
        rare: set[str] = set()
        k = self.params.sentence_keys
        for sentence in _SENTENCE_SPLIT.split(text):
            prev = ""
            sw = words(sentence)
            if k and len(sw) >= MIN_KEYED:  # headings and list items point nowhere
                rare.update(rarest((w for w in sw if _key_word(w)), k))
            for w in sw:
                toks.append(w)
                if w in STOPWORDS or not _anchor_cached(w):
                    continue
                if prev and prev != w:
                    pairs.add(prev + "\x1f" + w)
                prev = w
        content = {w for w in toks if w not in STOPWORDS}
        anchors = {w for w in content if _anchor_cached(w)}
        digest = hashlib.blake2b("\x1f".join(toks).encode("utf-8"), digest_size=16).digest()
        return anchors, content, pairs, rare, digest

    def __call__(self, text: str) -> Fingerprint:
        p = self.params
        anchors, content, pairs, rare, digest = self.features(text)
        a_sig = self._signature(anchors, p.anchor_bands)
        c_sig = self._signature(content, p.content_bands)
        keys = band_keys(a_sig, p.rows, 1) + band_keys(c_sig, p.rows, 2)
        keys += self._pair_keys(pairs)
        wkeys = tuple(sorted(word_key(w) for w in rare))
        return Fingerprint(a_sig, c_sig, tuple(keys), len(anchors), len(content), digest, wkeys)

    def _pair_keys(self, pairs: set[str]) -> list[int]:
        m = self.params.pair_sample
        if not m or not pairs:
            return []
        hashes = np.fromiter((feature_hash(f) for f in pairs), dtype=np.uint64, count=len(pairs))
        kept = np.sort(hashes[hashes % np.uint64(m) == 0])
        return _splitmix(kept ^ (np.uint64(3) << np.uint64(56))).view(np.int64).tolist()

    def _signature(self, feats: set[str], bands: int) -> np.ndarray:
        if len(feats) < self.params.min_features or bands == 0:
            return np.empty(0, dtype=np.uint64)
        hashes = np.fromiter((feature_hash(f) for f in feats), dtype=np.uint64, count=len(feats))
        return minhash(hashes, bands * self.params.rows)


def estimate_similarity(a: Fingerprint, b: Fingerprint) -> float:
    """MinHash estimate of the best of the two Jaccard similarities (0 when incomparable)."""
    best = 0.0
    for x, y in ((a.anchor, b.anchor), (a.content, b.content)):
        if x.size and x.size == y.size:
            best = max(best, float(np.mean(x == y)))
    return best
