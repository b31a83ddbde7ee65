"""A persistent reference index in one SQLite file: fingerprints, LSH bands and texts.

Why SQLite: it ships with Python (no extra dependency, no server), a file is appendable
and crash-safe (every batch is one transaction), and point lookups on a B-tree stay fast
at tens of millions of rows. Layout (schema version `SCHEMA_VERSION`):

* ``meta(key, value)``: format marker, schema version, fingerprint version and parameters,
  the digest of the mutable-word lexicon; an index whose values differ from this build's
  is refused with a message that says how to rebuild it.
* ``docs(doc, id, source, position, words, dup_of, text)``: one row per reference record;
  ``text`` is zlib-compressed UTF-8, kept for verification and restoration. An exact
  duplicate (same normalised word sequence) stores no text and no bands, only
  ``dup_of`` = the first copy, so duplicates cost one small row and are reported together.
* ``digests(digest, doc)``: exact-duplicate lookup (also finds tiny documents that are
  too short for a MinHash signature).
* ``bands(key, doc)``: the LSH table, WITHOUT ROWID, keyed by band hash.

Sharding beyond one machine: fingerprints are pure functions of the text, so any number
of workers can compute them; each shard of the reference collection becomes its own
index file (``unspin index shard-N/* --db shard-N.db``), and a query is sent to every
shard and the per-shard source lists merged by similarity (`trace_sharded`). Band keys
are process-independent, so shards can also be merged offline.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import sqlite3
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from unspin.errors import DataError, InputError
from unspin.trace.align import Alignment, Text, align, attribute, is_match, near_copies
from unspin.trace.fingerprint import (
    FINGERPRINT_VERSION,
    Fingerprint,
    Fingerprinter,
    FingerprintParams,
    lexicon_digest,
    query_word_keys,
)

FORMAT = "unspin-trace-index"
SCHEMA_VERSION = 1
_SQLITE_MAGIC = b"SQLite format 3\x00"
_BATCH = 2000
MAX_POSTINGS = 1000
MAX_WORD_POSTINGS = 300  # a sentence key more documents share points nowhere in particular
SKIP_AFTER = 0.8  # explained this much: verify only candidates backed by unexplained sentences
SENTENCE_TOP = 8  # each suspect sentence puts its best documents among the candidates ...
MIN_LOCAL = 0.15  # ... when they share this much key weight with it and its neighbours
# A document of more content words than this holds more sentence keys, so more of them by
# chance: its sentence-key hits weigh sqrt(LONG_DOC / words) (a list article or a
# 20,000-word history page is a candidate of every query, and the longest to verify).
LONG_DOC = 400
# Keys found to hold more postings than their cap are remembered per open index, up to this
# many: boilerplate words recur in nearly every query, and reading their postings only to
# drop them was most of the candidate step's time at 1M documents.
MAX_BOILERPLATE = 200_000
# A best-scoring document under this score (a band or two, a few sentence-key hits) is
# verified only when some suspect sentence's keys hit it: at 1M documents most of a query's
# best scores are such chance hits, and one that shares no sentence key shares no sentence.
WEAK_SCORE = 2.0
_POSTINGS = "SELECT doc FROM bands WHERE key = ? LIMIT ?"

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE docs (
    doc INTEGER PRIMARY KEY,
    id TEXT NOT NULL,
    source TEXT,
    position INTEGER,
    words INTEGER NOT NULL,
    dup_of INTEGER,
    text BLOB
);
CREATE INDEX docs_dup ON docs(dup_of) WHERE dup_of IS NOT NULL;
CREATE INDEX docs_id ON docs(id);
CREATE TABLE digests (digest BLOB PRIMARY KEY, doc INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE bands (key INTEGER NOT NULL, doc INTEGER NOT NULL, PRIMARY KEY (key, doc))
    WITHOUT ROWID;
"""


@dataclass
class Source:
    """A reference document a suspect text was (probably) spun from."""

    id: str
    similarity: float  # fraction of the suspect that is a rewrite of this source
    hits: int  # keys shared with the suspect (LSH bands, sentence keys; 0: exact duplicate)
    alignment: Alignment
    duplicates: list[str] = field(default_factory=list)  # other reference ids, same text
    file: str | None = None
    position: int | None = None
    explains: float = 0.0  # fraction of the suspect attributed to this source, sentence by sentence

    def to_dict(self, *, pairs: bool = True, restored: bool = True) -> dict[str, Any]:
        d: dict[str, Any] = {"id": self.id, "similarity": round(self.similarity, 4)}
        d.update(self.alignment.to_dict(pairs=pairs, restored=restored))
        d["similarity"] = round(self.similarity, 4)
        d["explains"] = round(self.explains, 4)
        d["hits"] = self.hits
        if self.duplicates:
            d["duplicates"] = self.duplicates
        if self.file is not None:
            d["file"] = self.file
            d["position"] = self.position
        return d


@dataclass(frozen=True)
class SentenceSource:
    """One suspect sentence and the source stretch it was rewritten from (None: none found)."""

    start: int
    end: int
    source: str | None = None
    source_start: int | None = None
    source_end: int | None = None
    changed: float | None = None  # share of the sentence's words that differ from the source

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class Trace:
    """What `Index.explain` found: the sources, best first, and every suspect sentence's."""

    sources: list[Source] = field(default_factory=list)
    sentences: list[SentenceSource] = field(default_factory=list)


@dataclass
class AddStats:
    """What `Index.add` did with its input: every record is counted once."""

    added: int = 0
    duplicates: int = 0  # exact copies of a document already in the index
    unchanged: int = 0  # an id already indexed with the same words: nothing to do
    replaced: int = 0  # an id already indexed with other words: the new text replaces it
    unsigned: int = 0  # added, but too short for LSH (found only as exact duplicates)
    empty: int = 0  # no words at all: skipped
    errors: int = 0  # records the reader could not read: skipped
    errors_by_reason: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class _Prepared:
    """A reference document ready for the database (computed in worker processes)."""

    id: str
    source: str | None
    position: int | None
    words: int
    fp: Fingerprint | None
    blob: bytes | None


def prepare(
    fingerprinter: Fingerprinter,
    id: str,
    text: str,
    source: str | None = None,
    position: int | None = None,
) -> _Prepared:
    """Fingerprint and compress one document; pure, so it runs in any process."""
    fp = fingerprinter(text)
    if fp.n_content == 0 and fp.n_anchor == 0:
        return _Prepared(id, source, position, 0, None, None)
    blob = zlib.compress(text.encode("utf-8"), 6)
    return _Prepared(id, source, position, fp.n_content, fp, blob)


def _one_line(msg: object) -> str:
    return " ".join(str(msg).split())


def _check_file(path: Path) -> None:
    """Refuse anything that is not an SQLite file before SQLite touches it."""
    try:
        with open(path, "rb") as f:
            head = f.read(len(_SQLITE_MAGIC))
    except OSError as exc:
        raise DataError(f"{path}: cannot read index ({exc.strerror or exc})") from None
    if head != _SQLITE_MAGIC:
        raise DataError(
            f"{path}: not an unspin index, or the file is corrupted (left untouched); "
            "point --db at a new file to build a fresh index"
        )


def _summed(docs: list[np.ndarray], weights: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Distinct documents (sorted) and, for each, its weights summed in the order given."""
    if not docs:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    distinct, where = np.unique(np.concatenate(docs), return_inverse=True)
    return distinct, np.bincount(where, weights=np.concatenate(weights), minlength=len(distinct))


def _holds(docs: np.ndarray, doc: int) -> bool:
    """Whether sorted `docs` holds `doc`."""
    at = int(np.searchsorted(docs, doc))
    return at < len(docs) and int(docs[at]) == doc


def _weights_at(hits: tuple[np.ndarray, np.ndarray] | None, docs: np.ndarray) -> np.ndarray:
    """The weight `hits` gives each of `docs` (0 where it has none)."""
    if hits is None or not len(hits[0]):
        return np.zeros(len(docs))
    have, weight = hits
    at = np.minimum(np.searchsorted(have, docs), len(have) - 1)
    return np.where(have[at] == docs, weight[at], 0.0)


class Index:
    """A reference collection to trace spun copies back to.

    ``Index(path)`` opens an existing index read-only; ``Index(path, mode="a")`` creates
    it or appends to it. An index from another schema or fingerprint version, or a file
    that is not an index, raises `DataError` and is never modified.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        mode: str = "r",
        *,
        params: FingerprintParams | None = None,
    ) -> None:
        if mode not in ("r", "a"):
            raise ValueError("mode must be 'r' or 'a'")
        self.path = Path(path)
        self.mode = mode
        if self.path.is_dir():
            raise InputError(f"{self.path}: is a folder, not an index file")
        exists = self.path.exists() and (self.path.stat().st_size > 0 or mode == "r")
        if not exists and mode == "r":
            raise DataError(f"{self.path}: no such index (build one with `unspin index`)")
        if exists:
            _check_file(self.path)
            self._conn = self._connect(readonly=True)
            stored = self._validate()
            if mode == "a":
                self._integrity()
                self._conn.close()
                self._conn = self._connect(readonly=False)
                try:  # indexes from before re-adding was a no-op: look ids up by index
                    with self._conn:
                        self._conn.execute("CREATE INDEX IF NOT EXISTS docs_id ON docs(id)")
                except sqlite3.DatabaseError as exc:
                    raise DataError(f"{self.path}: cannot write ({_one_line(exc)})") from None
            self.params = stored
        else:
            if self.path.exists():  # an empty file: ours to initialise only if truly empty
                raise DataError(
                    f"{self.path}: is an empty file, not an index (left untouched); "
                    "remove it or choose another --db path"
                )
            self.params = params or FingerprintParams()
            self._conn = self._connect(readonly=False)
            self._create()
        self.fingerprinter = Fingerprinter(self.params)
        self._prior: np.ndarray | None = None
        self._boilerplate: set[int] = set()

    # -- opening -------------------------------------------------------------------------------
    def _connect(self, *, readonly: bool) -> sqlite3.Connection:
        try:
            if readonly:
                uri = f"{self.path.resolve().as_uri()}?mode=ro"
                conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
            else:
                conn = sqlite3.connect(self.path, check_same_thread=False)
                # A rollback journal, not WAL: the index stays one self-contained file.
                conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA cache_size=-65536")  # 64 MiB page cache
        except sqlite3.Error as exc:
            raise DataError(
                f"{self.path}: cannot open index: corrupted or unreadable ({_one_line(exc)}); "
                "left untouched"
            ) from None
        return conn

    def _validate(self) -> FingerprintParams:
        try:
            rows = dict(self._conn.execute("SELECT key, value FROM meta").fetchall())
        except sqlite3.DatabaseError as exc:
            self._conn.close()
            raise DataError(
                f"{self.path}: not an unspin index, or the file is corrupted "
                f"({_one_line(exc)}); left untouched"
            ) from None
        if rows.get("format") != FORMAT:
            self._conn.close()
            raise DataError(f"{self.path}: an SQLite file, but not an unspin index")
        schema = int(rows.get("schema_version", "0"))
        fp_version = int(rows.get("fingerprint_version", "0"))
        lex = rows.get("lexicon", "")
        built_by = rows.get("unspin_version", "an unknown version")
        if schema != SCHEMA_VERSION or fp_version != FINGERPRINT_VERSION or lex != lexicon_digest():
            self._conn.close()
            older = (schema, fp_version) < (SCHEMA_VERSION, FINGERPRINT_VERSION)
            age = "an older" if older else "a different"
            raise DataError(
                f"{self.path}: index built by {age} unspin ({built_by}: schema {schema}, "
                f"fingerprint {fp_version}; this unspin reads schema {SCHEMA_VERSION}, "
                f"fingerprint {FINGERPRINT_VERSION}); rebuild it with `unspin index` "
                "into a new --db file"
            )
        return FingerprintParams(**json.loads(rows["params"]))

    def _integrity(self) -> None:
        """Before appending: a damaged file must be reported, not written into."""
        try:
            ok = self._conn.execute("PRAGMA quick_check(1)").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            ok = str(exc)
        if ok != "ok":
            self._conn.close()
            raise DataError(f"{self.path}: index is corrupted ({_one_line(ok)}); left untouched")

    def _create(self) -> None:
        from unspin import __version__

        meta = {
            "format": FORMAT,
            "schema_version": str(SCHEMA_VERSION),
            "fingerprint_version": str(FINGERPRINT_VERSION),
            "lexicon": lexicon_digest(),
            "params": json.dumps(self.params.to_dict(), sort_keys=True),
            "unspin_version": __version__,
        }
        with self._conn:
            self._conn.executescript(_SCHEMA)
            self._conn.executemany("INSERT INTO meta VALUES (?, ?)", sorted(meta.items()))

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __len__(self) -> int:
        return int(self._q("SELECT COUNT(*) FROM docs").fetchone()[0])

    def _q(self, sql: str, args: Sequence[Any] = ()) -> sqlite3.Cursor:
        try:
            return self._conn.execute(sql, args)
        except sqlite3.DatabaseError as exc:
            raise DataError(
                f"{self.path}: index is corrupted or unreadable ({_one_line(exc)})"
            ) from None

    # -- building ------------------------------------------------------------------------------
    def add_text(
        self, id: str, text: str, source: str | None = None, position: int | None = None
    ) -> AddStats:
        """Add one document (see `add` for many)."""
        return self.add_prepared([prepare(self.fingerprinter, id, text, source, position)])

    def add(self, docs: Iterable[tuple[str, str]], *, jobs: int = 1) -> AddStats:
        """Add (id, text) pairs; `jobs` > 1 fingerprints them in worker processes."""
        from unspin.trace.engine import prepare_many

        items = ((i, t, None, None) for i, t in docs)
        return self.add_prepared(prepare_many(self.params, items, jobs=jobs))

    def add_prepared(
        self, prepared: Iterable[_Prepared], stats: AddStats | None = None
    ) -> AddStats:
        """Write prepared documents in batches, one transaction each."""
        if self.mode != "a":
            raise DataError(f"{self.path}: opened read-only")
        stats = stats or AddStats()
        batch: list[_Prepared] = []
        for p in prepared:
            batch.append(p)
            if len(batch) >= _BATCH:
                self._write(batch, stats)
                batch = []
        if batch:
            self._write(batch, stats)
        return stats

    def _write(self, batch: list[_Prepared], stats: AddStats) -> None:
        try:
            with self._conn:
                cur = self._conn.cursor()
                next_doc = (cur.execute("SELECT MAX(doc) FROM docs").fetchone()[0] or 0) + 1
                band_rows: list[tuple[int, int]] = []
                for p in batch:
                    if p.fp is None:
                        stats.empty += 1
                        continue
                    row = cur.execute(
                        "SELECT doc FROM digests WHERE digest = ?", (p.fp.digest,)
                    ).fetchone()
                    # Re-adding an id: the same words are a no-op, other words replace it.
                    old = cur.execute("SELECT doc, dup_of FROM docs WHERE id = ?", (p.id,))
                    old = old.fetchall()
                    if old:
                        if row is not None and any(row[0] in (d, u) for d, u in old):
                            stats.unchanged += 1
                            continue
                        for d, _ in old:
                            self._remove(cur, d)
                        stats.replaced += 1
                        row = cur.execute(
                            "SELECT doc FROM digests WHERE digest = ?", (p.fp.digest,)
                        ).fetchone()
                    doc = next_doc
                    next_doc += 1
                    if row is not None:
                        cur.execute(
                            "INSERT INTO docs VALUES (?, ?, ?, ?, ?, ?, NULL)",
                            (doc, p.id, p.source, p.position, p.words, row[0]),
                        )
                        stats.duplicates += 1
                        continue
                    cur.execute(
                        "INSERT INTO docs VALUES (?, ?, ?, ?, ?, NULL, ?)",
                        (doc, p.id, p.source, p.position, p.words, p.blob),
                    )
                    cur.execute("INSERT INTO digests VALUES (?, ?)", (p.fp.digest, doc))
                    band_rows.extend((k, doc) for k in p.fp.keys)
                    stats.added += 1
                    stats.unsigned += p.fp.empty
                band_rows.sort()
                cur.executemany("INSERT OR IGNORE INTO bands VALUES (?, ?)", band_rows)
        except sqlite3.DatabaseError as exc:
            raise DataError(f"{self.path}: cannot write to index ({_one_line(exc)})") from None
        finally:
            self._prior = None
            self._boilerplate.clear()  # a re-added document's keys were removed

    def _remove(self, cur: sqlite3.Cursor, doc: int) -> None:
        """Delete one document; a stored text with duplicates passes to the first of them
        (its digest and keys, bands and sentence keys, are found again by fingerprinting its
        text: point updates)."""
        dup_of, blob = cur.execute("SELECT dup_of, text FROM docs WHERE doc = ?", (doc,)).fetchone()
        if dup_of is None:
            fp = self.fingerprinter(zlib.decompress(blob).decode("utf-8"))
            heirs = cur.execute("SELECT doc FROM docs WHERE dup_of = ? ORDER BY doc", (doc,))
            heir = next((h for (h,) in heirs), None)
            cur.executemany(
                "DELETE FROM bands WHERE key = ? AND doc = ?", [(k, doc) for k in fp.keys]
            )
            if heir is None:
                cur.execute("DELETE FROM digests WHERE digest = ?", (fp.digest,))
            else:
                cur.execute("UPDATE docs SET dup_of = NULL, text = ? WHERE doc = ?", (blob, heir))
                cur.execute("UPDATE docs SET dup_of = ? WHERE dup_of = ?", (heir, doc))
                cur.execute("UPDATE digests SET doc = ? WHERE digest = ?", (heir, fp.digest))
                cur.executemany(
                    "INSERT OR IGNORE INTO bands VALUES (?, ?)", [(k, heir) for k in fp.keys]
                )
        cur.execute("DELETE FROM docs WHERE doc = ?", (doc,))

    # -- querying ------------------------------------------------------------------------------
    def text(self, doc: int) -> str | None:
        """The text of document `doc`; None when no document holds it (a sentence key left
        behind by a replaced document: older versions removed only its bands)."""
        row = self._q("SELECT text FROM docs WHERE doc = ?", (doc,)).fetchone()
        if row is None or row[0] is None:
            return None
        try:
            return zlib.decompress(row[0]).decode("utf-8")
        except (zlib.error, UnicodeDecodeError):
            raise DataError(f"{self.path}: stored text of document {doc} is corrupted") from None

    def _length_prior(self, upto: int) -> np.ndarray:
        """Document -> the weight of its sentence-key hits (`LONG_DOC`), read once per
        index (8 bytes a document) and again when a document past its end turns up (another
        process appended)."""
        if self._prior is None or upto >= len(self._prior):
            cur = self._q("SELECT doc, words FROM docs")
            pairs = np.fromiter(itertools.chain.from_iterable(cur), dtype=np.int64).reshape(-1, 2)
            at, words = pairs[:, 0], pairs[:, 1]
            prior = np.ones(max(upto, int(at.max()) if len(at) else 0) + 1)
            prior[at] = np.minimum(1.0, np.sqrt(LONG_DOC / np.maximum(words, 1)))
            self._prior = prior
        return self._prior

    def _postings(self, key: int, cap: int) -> list[int]:
        """The documents holding `key`, none when more than `cap` do (boilerplate). Such a
        key is remembered (`MAX_BOILERPLATE`): while documents are only added, it stays
        boilerplate, and its postings are not read again."""
        if key in self._boilerplate:
            return []
        rows = self._q(_POSTINGS, (key, cap + 1)).fetchall()
        if len(rows) <= cap:
            return [r[0] for r in rows]
        if len(self._boilerplate) >= MAX_BOILERPLATE:
            self._boilerplate.clear()
        self._boilerplate.add(key)
        return []

    def candidates(
        self, fp: Fingerprint, suspect: Text | None = None, limit: int = 10
    ) -> list[tuple[int, float, frozenset[int]]]:
        """(doc, score, suspect sentences it is a top candidate of; for one of the `limit`
        best scores under `WEAK_SCORE`, the sentences whose keys hit it) for the most
        promising reference documents, in the order to verify them. Score: LSH bands
        shared with the whole text, plus, for every suspect sentence, its content words
        found among the document's sentence keys (each weighted by how few documents share
        it, and less when a thesaurus lists it: `query_word_keys`; less in a long document:
        `LONG_DOC`; at most 2 per sentence). First the `limit` best scores, then each
        sentence's own best documents (a source of one or two sentences of a stitched page
        scores low overall), at most 2 * `limit` more, every sentence's first choice before
        any sentence's second (a heavily spun sentence whose keys few documents share still
        gets its best verified). A key thousands of documents share (boilerplate) is
        skipped."""
        # Scores are summed with numpy (bincount adds in input order: the same sums as
        # one dict update per posting, at a fraction of the cost; a query reads thousands).
        docs: list[np.ndarray] = []
        weights: list[np.ndarray] = []
        row = self._q("SELECT doc FROM digests WHERE digest = ?", (fp.digest,)).fetchone()
        if row is not None:
            docs.append(np.array([row[0]], dtype=np.int64))
            weights.append(np.array([1e9]))  # an exact copy ranks first
        for key in fp.band_keys:
            found = np.array(self._postings(key, MAX_POSTINGS), dtype=np.int64)
            docs.append(found)
            weights.append(np.ones(len(found)))
        sent_hits: list[tuple[np.ndarray, np.ndarray]] = []  # (docs, sorted; weight of each)
        if suspect is not None:
            cache: dict[int, np.ndarray] = {}
            for words in suspect.sent_norms:
                found_s: list[np.ndarray] = []
                weight_s: list[np.ndarray] = []
                for key, weight in query_word_keys(words):
                    got = cache.get(key)
                    if got is None:
                        got = cache[key] = np.array(
                            self._postings(key, MAX_WORD_POSTINGS), dtype=np.int64
                        )
                    if len(got):
                        prior = self._length_prior(int(got.max()))
                        found_s.append(got)
                        weight_s.append(prior[got] * (weight / math.sqrt(len(got))))
                hits = _summed(found_s, weight_s)
                docs.append(hits[0])
                weights.append(np.minimum(hits[1], 2.0))
                sent_hits.append(hits)
        all_docs, score = _summed(docs, weights)
        ranked = [int(d) for d in all_docs[np.lexsort((all_docs, -score))[:limit]]]
        in_ranked = set(ranked)
        # Each sentence's own best documents, judged with its neighbours (a stitched piece
        # is a few consecutive sentences of one source).
        backed: dict[int, set[int]] = {}
        extra: dict[int, tuple[int, float]] = {}  # doc -> its best (rank, -local) in a sentence
        for si, (sd, sh) in enumerate(sent_hits):
            local = sh + 0.5 * (
                _weights_at(sent_hits[si - 1] if si else None, sd)
                + _weights_at(sent_hits[si + 1] if si + 1 < len(sent_hits) else None, sd)
            )
            own = score[np.searchsorted(all_docs, sd)]
            for rank, k in enumerate(np.lexsort((sd, -own, -local))[:SENTENCE_TOP]):
                if local[k] < MIN_LOCAL:
                    continue
                doc = int(sd[k])
                backed.setdefault(doc, set()).add(si)
                if doc not in in_ranked:
                    here = (rank, -float(local[k]))
                    extra[doc] = min(extra.get(doc, here), here)

        def score_of(doc: int) -> float:
            return float(score[np.searchsorted(all_docs, doc)])

        for doc in ranked:
            if score_of(doc) < WEAK_SCORE:
                backed.setdefault(doc, set()).update(
                    si for si, (sd, _sh) in enumerate(sent_hits) if _holds(sd, doc)
                )
        ranked += sorted(extra, key=lambda d: (*extra[d], -score_of(d), d))[: 2 * limit]
        return [(doc, score_of(doc), frozenset(backed.get(doc, ()))) for doc in ranked]

    def trace(self, text: str, **kw: Any) -> list[Source]:
        """Likely sources of `text`, best first (see `explain`)."""
        return self.explain(text, **kw).sources

    def explain(
        self,
        text: str,
        *,
        top: int = 10,
        min_similarity: float = 0.5,
        max_conflicts: float = 0.1,
        max_candidates: int = 10,
        keep_all: bool = False,
    ) -> Trace:
        """The sources of `text` and, sentence by sentence, which one each sentence was
        rewritten from: candidates (`candidates`) verified by alignment, then every suspect
        sentence given to the candidate it aligns with best (`attribute`). Sources are
        reported when together they explain at least `min_similarity` of the text and
        each explains a sentence with confidence; a candidate that changes names or numbers
        in more than `max_conflicts` of its aligned sentences is a template sibling and
        explains nothing. `keep_all` reports every verified candidate with its numbers and
        no attribution (for tuning), matched or not. Candidates that could only explain
        sentences already explained are not verified (`SKIP_AFTER`), nor are those past
        `max_candidates` (found by a few sentences) that align none of those sentences, nor
        those scoring under `WEAK_SCORE` that no sentence's keys hit."""
        fp = self.fingerprinter(text)
        suspect = Text(text)
        long_sents = [i for i, (a, b) in enumerate(suspect.sents) if b - a >= 6] or list(
            range(len(suspect.sents))
        )
        starts = [suspect.span(a)[0] for a, _b in suspect.sents]
        explained: set[int] = set()
        verified: list[tuple[tuple[int, float], Alignment]] = []
        texts: dict[int, str] = {}
        for n, (doc, score, backing) in enumerate(self.candidates(fp, suspect, max_candidates)):
            if n >= max_candidates or len(explained) >= SKIP_AFTER * len(long_sents):
                if not any(i not in explained for i in backing):
                    continue  # it could only explain again what is already explained
            elif score < WEAK_SCORE and not backing:
                continue  # a chance hit: it shares no sentence key, so no sentence
            body = self.text(doc)
            if body is None:
                continue
            source = Text(body)
            if n >= max_candidates:
                # Found by a few sentences only (`SENTENCE_TOP`): it must align one of them
                # or a neighbour before the whole text is aligned (most such candidates of
                # a text with no source align none: the cost of a query is theirs).
                near = {j for i in backing for j in (i - 1, i, i + 1)}
                if not align(suspect, source, within=near).sentences:
                    continue
            texts[doc] = body
            al = align(suspect, source)
            verified.append(((doc, score), al))
            if is_match(al, 0.0, max_conflicts):
                done = {m.start for m in al.matches}
                explained.update(i for i in long_sents if starts[i] in done)
        if keep_all:
            chosen = [(key, al, al.similarity) for key, al in verified]
            chosen.sort(key=lambda c: -c[1].similarity)
            return Trace([self._source(key, al, share) for key, al, share in chosen[:top]])
        copies: dict[tuple[int, int], bool] = {}

        def same_text(a: tuple[int, float], b: tuple[int, float]) -> bool:
            pair = (min(a[0], b[0]), max(a[0], b[0]))
            if pair not in copies:
                copies[pair] = near_copies(texts[pair[0]], texts[pair[1]])
            return copies[pair]

        att = attribute(verified, min_similarity, max_conflicts, same_text)
        sources = [self._source(key, al, share) for key, al, share in att.sources[:top]]
        ids = {key: src.id for (key, _al, _s), src in zip(att.sources, sources)}
        sentences = []
        for (_a, b), start in zip(suspect.sents, starts):
            end = suspect.span(b - 1)[1]
            hit = att.sentences.get(start)
            if hit is None or hit[0] not in ids:
                sentences.append(SentenceSource(start, end))
                continue
            key, m = hit
            sentences.append(
                SentenceSource(
                    start, end, ids[key], m.source_start, m.source_end, round(m.changed, 4)
                )
            )
        return Trace(sources, sentences)

    def _source(self, key: tuple[int, float], al: Alignment, share: float) -> Source:
        doc, score = key
        meta = self._q("SELECT id, source, position FROM docs WHERE doc = ?", (doc,)).fetchone()
        dups = [r[0] for r in self._q("SELECT id FROM docs WHERE dup_of = ? ORDER BY doc", (doc,))]
        hits = 0 if score >= 1e9 else round(score)
        return Source(meta[0], al.similarity, hits, al, dups, meta[1], meta[2], share)

    def stats(self) -> dict[str, Any]:
        """Counts and size on disk."""
        docs = self._q("SELECT COUNT(*), COUNT(text) FROM docs").fetchone()
        bands = self._q("SELECT COUNT(*) FROM bands").fetchone()[0]
        size = self.path.stat().st_size
        return {
            "documents": docs[0],
            "unique": docs[1],
            "band_rows": bands,
            "bytes": size,
            "params": self.params.to_dict(),
        }
