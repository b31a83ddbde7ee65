"""Count unigrams, bigrams and trigrams of clean English (2014 Wikipedia parts).

Output (in the artifact dir):
  vocab.txt           one normalised token per line; line number = id (0 <unk>, 1 <s>, 2 <num>)
  unigrams.npy        uint32 count per id
  capitals.npy        uint8: 255 * share of mid-sentence occurrences written with a capital
  bigrams.keys.npy    sorted uint32 fingerprints of (a, b)      + bigrams.counts.npy  (uint8 code)
  trigrams.keys.npy   sorted uint32 fingerprints of (a, b, c)   + trigrams.counts.npy (uint8 code)
Counts are stored as 1-byte log codes (see resources.stats.decode_counts); fingerprints
are 32 bits of a 64-bit mix of the id key, so an absent n-gram is found by mistake with
probability ~ entries / 2**32 (0.1%), which the scoring tolerates.
"""

from __future__ import annotations

import sys
import time
from array import array
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from unspin.build.corpus import COUNT_PARTS, counting_paragraphs
from unspin.resources.stats import ID_BITS, encode_counts, fingerprint
from unspin.text.tokens import TOKEN_RE, norm_token

SPECIALS = ("<unk>", "<s>", "<num>")
MIN_UNIGRAM = 3
MAX_VOCAB = 400_000
MIN_BIGRAM = 2
MIN_TRIGRAM = 3
SENTENCE_ENDERS = frozenset({".", "!", "?", '"', "(", ":"})


def _tokenize_part(args: tuple[str, str]) -> tuple[list[str], np.ndarray]:
    """Local ids of every raw token of one part (-1 marks a paragraph boundary)."""
    data_dir, part = args
    raw: dict[str, int] = {}
    out = array("i")
    push = out.append
    findall = TOKEN_RE.findall
    for para in counting_paragraphs(Path(data_dir), part):
        push(-1)
        for t in findall(para):
            i = raw.get(t)
            if i is None:
                i = raw[t] = len(raw)
            push(i)
    push(-1)
    return list(raw), np.frombuffer(out, dtype=np.int32).copy()


def corpus_ids(data_dir: Path, workers: int = 2):
    """(vocab, ids, capitalised, sentence_start) for every token of the counting share;
    paragraph boundaries are id 1 (<s>). Deterministic: the same vocabulary every time."""
    t0 = time.time()
    with ProcessPoolExecutor(workers) as pool:
        parts = list(pool.map(_tokenize_part, [(str(data_dir), p) for p in COUNT_PARTS]))
    print(f"  tokenised {len(parts)} parts in {time.time() - t0:.0f}s", file=sys.stderr)

    # Normalised vocabulary, ordered by frequency then spelling (deterministic).
    norm_counts: dict[str, int] = {}
    for raw, ids in parts:
        c = np.bincount(ids[ids >= 0], minlength=len(raw))
        for tok, n in zip(raw, c.tolist()):
            k = norm_token(tok)
            norm_counts[k] = norm_counts.get(k, 0) + n
    for s in SPECIALS:
        norm_counts.pop(s, None)
    kept = sorted(
        (k for k, n in norm_counts.items() if n >= MIN_UNIGRAM), key=lambda k: (-norm_counts[k], k)
    )[: MAX_VOCAB - len(SPECIALS)]
    vocab = list(SPECIALS) + kept
    assert len(vocab) < 2**ID_BITS
    index = {w: i for i, w in enumerate(vocab)}

    all_ids, caps, starts = [], [], []
    for raw, ids in parts:
        lut = np.array([index.get(norm_token(t), 0) for t in raw] + [1], dtype=np.int32)
        cap = np.array([t[0].isupper() for t in raw] + [False])
        ender = np.array([t in SENTENCE_ENDERS for t in raw] + [True])
        local = np.where(ids < 0, len(raw), ids)  # boundary -> the extra last slot
        all_ids.append(lut[local])
        caps.append(cap[local])
        prev = np.concatenate([[len(raw)], local[:-1]])
        starts.append(ender[prev])
    ids = np.concatenate(all_ids)
    cap = np.concatenate(caps)
    start = np.concatenate(starts)
    print(f"  {len(ids):,} tokens, vocab {len(vocab):,} ({time.time() - t0:.0f}s)", file=sys.stderr)
    return vocab, ids, cap, start


def build(data_dir: Path, out_dir: Path) -> None:
    t0 = time.time()
    vocab, ids, cap, start = corpus_ids(data_dir)

    V = len(vocab)
    unigrams = np.bincount(ids, minlength=V).astype(np.uint32)
    mid = ~start & (ids > 2)
    mid_all = np.bincount(ids[mid], minlength=V)
    mid_cap = np.bincount(ids[mid & cap], minlength=V)
    capitals = np.where(mid_all > 0, np.round(255 * mid_cap / np.maximum(mid_all, 1)), 0)

    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    np.save(out_dir / "unigrams.npy", unigrams)
    np.save(out_dir / "capitals.npy", capitals.astype(np.uint8))

    i64 = ids.astype(np.int64)
    bi = (i64[:-1] << ID_BITS) | i64[1:]
    _save_table(out_dir / "bigrams", bi, MIN_BIGRAM)
    del bi
    tri = (((i64[:-2] << ID_BITS) | i64[1:-1]) << ID_BITS) | i64[2:]
    _save_table(out_dir / "trigrams", tri, MIN_TRIGRAM)
    print(f"  n-grams done in {time.time() - t0:.0f}s", file=sys.stderr)


def _save_table(stem: Path, keys: np.ndarray, min_count: int) -> None:
    uniq, counts = np.unique(keys, return_counts=True)
    keep = counts >= min_count
    fp = fingerprint(uniq[keep])
    counts = counts[keep]
    order = np.argsort(fp, kind="stable")
    fp, counts = fp[order], counts[order]
    # Merge the rare fingerprint collisions so every key is unique.
    first = np.concatenate([[True], fp[1:] != fp[:-1]])
    starts = np.flatnonzero(first)
    merged = np.add.reduceat(counts, starts)
    np.save(stem.with_suffix(".keys.npy"), fp[first])
    np.save(stem.with_suffix(".counts.npy"), encode_counts(merged))
    print(f"  {stem.name}: {len(starts):,} kept of {len(uniq):,}", file=sys.stderr)
