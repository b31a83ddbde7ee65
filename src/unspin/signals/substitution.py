"""Substitution: which words and phrases a spinner swapped, and what they replaced.

Every content word (and every multi-word form listed in the reverse thesaurus) becomes a
*unit*. Its candidate originals come from the lexicon; the language model scores how well
each fits between the unit's neighbours. The evidence for one unit is a feature vector:
how much better the best candidate fits (the gain), how well the word itself fits (unseen
bigrams around a common word are suspicious; around a rare name they are not), the
dictionaries behind the candidate, a capital left mid-sentence, and so on. A small
network trained on synthetic spins of clean text (build/model.py) turns it into a score.
Candidate-free evidence matters: a spinner using a dictionary we lack still leaves words
that do not fit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from unspin.resources.lexicon import SOURCES, Lexicon
from unspin.resources.stats import Stats
from unspin.signals.lm import LanguageModel
from unspin.signals.stopwords import STOPWORDS
from unspin.text.tokens import SENTENCE_END, Token, norm_token

MAX_CANDS = 20
TOP_ALTERNATIVES = 5
MIN_COLLOCATION = 20
MIN_PMI = 5.0
TOPIC_WEIGHT = 5.0  # nats of language-model evidence per unit of cosine
FEATURES = (
    "bias",
    "gain",
    "gain_pos",
    "gain_gt2",
    "gain_gt4",
    "gain_gt7",
    "lift_w",
    "uni_w",
    "uni_c",
    "log_ncands",
    "unseen_l",
    "unseen_r",
    "unseen_tri",
    "c_unseen_l",
    "c_unseen_r",
    "c_unseen_tri",
    "src_oewn",
    "src_ppdb",
    "src_moby",
    "src_pps",
    "src_template",
    "is_phrase",
    "cap_anomaly",
    "has_cands",
    "proper",
    "short",
    "rank_best",
    "topic_w",
    "topic_c",
    "topic_gain",
    "has_vec",
)
_F = {k: i for i, k in enumerate(FEATURES)}
_SRC_NAMES = ("oewn", "ppdb", "moby", "pps", "template")
_SRC_BITS = [SOURCES[k] for k in _SRC_NAMES]
CANDIDATE_FEATURES = (
    "gain",
    "gain_pos",
    "uni_c",
    "seen_l",
    "seen_r",
    "seen_tri",
    "freq_rank",
    "src_oewn",
    "src_ppdb",
    "src_moby",
    "src_pps",
    "src_template",
    "n_sources",
    "topic_c",
    "topic_gain",
)
# Until a ranker is trained, candidates are ranked by how much better they fit.
DEFAULT_RANKER = np.array([1.0] + [0.0] * (len(CANDIDATE_FEATURES) - 1))


def candidate_features(gain, log_uni_c, src, win, freq_rank, topic_c, topic_w) -> np.ndarray:
    """Per (unit, candidate) evidence that the candidate is the original the spinner
    replaced: fit in context, fit with the topic, frequency, which dictionaries link them."""
    bits = np.zeros((len(gain), len(_SRC_BITS)))
    for k, b in enumerate(_SRC_BITS):
        bits[:, k] = (src & b) != 0
    return np.column_stack(
        [
            np.clip(gain, -10, 15),
            np.clip(gain, 0, 15),
            log_uni_c / 10,
            win.seen_left,
            win.seen_right,
            win.seen_tri,
            np.log1p(freq_rank),
            bits,
            bits.sum(axis=1),
            topic_c,
            topic_c - topic_w,
        ]
    ).astype(float)


@dataclass
class Units:
    """Scored units of one block of text (token index ranges are half-open)."""

    tok_start: np.ndarray  # int, first token of the unit
    tok_end: np.ndarray  # int, one past the last token
    features: np.ndarray  # float (n, len(FEATURES))
    alternatives: list[list[tuple[str, float]]]  # per unit: (original, gain), best first
    listed: np.ndarray | None = None  # bool: a multi-word spun form listed in the lexicon

    def __len__(self) -> int:
        return len(self.tok_start)

    def is_listed(self) -> np.ndarray:
        return self.listed if self.listed is not None else np.zeros(len(self), dtype=bool)


class SubstitutionScorer:
    def __init__(
        self, stats: Stats, lexicon: Lexicon, lm: LanguageModel, ranker: np.ndarray | None = None
    ) -> None:
        self.ranker = DEFAULT_RANKER if ranker is None else ranker
        self.last_pairs: tuple = ()
        self.stats = stats
        self.lex = lexicon
        self.lm = lm
        self.index = stats.index
        self.vocab = stats.vocab
        self.capitals = np.asarray(stats.capitals)
        self.stop_ids = {self.index[w] for w in STOPWORDS if w in self.index}

    # -- helpers -------------------------------------------------------------------------
    def _seen(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return self.stats.bigram_counts(a, b) > 0

    # -- main entry ----------------------------------------------------------------------
    def score(self, tokens: list[Token], ids: np.ndarray) -> Units:
        n = len(tokens)
        pad = np.concatenate([[1, 1], ids, [1, 1]]).astype(np.int64)
        texts = [t.text for t in tokens]
        sent_start = np.zeros(n, dtype=bool)
        prev = "."
        for i, t in enumerate(texts):
            sent_start[i] = prev in SENTENCE_END or prev in {'"', "(", ":", "“"}
            prev = t
        is_word = np.fromiter((t[0].isalpha() for t in texts), bool, n)
        is_cap = np.fromiter((t[0].isupper() for t in texts), bool, n)
        cap_ratio = self.capitals[ids] / 255.0
        stop = np.fromiter((int(i) in self.stop_ids for i in ids), bool, n)
        # Proper names mid-sentence are left alone unless the word is normally lower case
        # (a spinner's dictionary capital, e.g. "Consciousness" mid-sentence).
        proper_mid = is_cap & ~sent_start & (cap_ratio > 0.5)
        eligible = is_word & ~stop & ~proper_mid & (ids > 2)
        pos = np.flatnonzero(eligible)

        # Topical context: the sum of the vectors of the block's content words.
        centroid = self.stats.vectors_of(ids[pos]).sum(axis=0)
        single = self._single(pos, pad, ids, is_cap, sent_start, cap_ratio, texts, centroid)
        parts = [single, self._joint(single, pad, ids, centroid)]
        parts.append(self._phrases(tokens, texts, pad, ids, sent_start, is_cap))
        parts = [u for u in parts if u is not None and len(u)]
        if len(parts) <= 1:
            return parts[0] if parts else single
        return Units(
            np.concatenate([u.tok_start for u in parts]),
            np.concatenate([u.tok_end for u in parts]),
            np.vstack([u.features for u in parts]),
            [a for u in parts for a in u.alternatives],
            np.concatenate([u.is_listed() for u in parts]),
        )

    def _joint(
        self, single: Units, pad: np.ndarray, ids: np.ndarray, centroid: np.ndarray
    ) -> Units | None:
        """Two adjacent swapped words repaired together ("colossal information" -> "big
        data"). Spinners break established terms; so where two adjacent content words never
        occur together in clean English, every pair of their candidates (or the words
        themselves) that forms a strong collocation is tried, scored by the language model."""
        pos = single.tok_start
        if len(pos) < 2:
            return None
        adj = np.flatnonzero(pos[1:] == pos[:-1] + 1)
        w1, w2 = ids[pos[adj]], ids[pos[adj] + 1]
        adj = adj[self.stats.bigram_counts(w1, w2) == 0]
        if len(adj) == 0:
            return None
        lex, lm, stats = self.lex, self.lm, self.stats
        rows_x, rows_y, rows_owner = [], [], []
        for j, k in enumerate(adj):
            c1 = lex.candidates(int(ids[pos[k]]))[0]
            c2 = lex.candidates(int(ids[pos[k] + 1]))[0]
            if len(c1) == 0 or len(c2) == 0:
                continue
            rows_x.append(np.repeat(c1, len(c2)))
            rows_y.append(np.tile(c2, len(c1)))
            rows_owner.append(np.full(len(c1) * len(c2), j))
        if not rows_x:
            return None
        x = np.concatenate(rows_x).astype(np.int64)
        y = np.concatenate(rows_y).astype(np.int64)
        owner = np.concatenate(rows_owner)
        count = stats.bigram_counts(x, y)
        pmi = np.log(np.maximum(count, 1e-9) * stats.total) - np.log(lm.uni[x] * lm.uni[y])
        ok = (count >= MIN_COLLOCATION) & (pmi > MIN_PMI)
        if not ok.any():
            return None
        x, y, owner = x[ok], y[ok], owner[ok]
        i = pos[adj[owner]] + 2  # index of the first word in `pad`
        lp = (
            lm.logp(pad[i - 2], pad[i - 1], x)
            + lm.logp(pad[i - 1], x, y)
            + lm.logp(x, y, pad[i + 2])
            + lm.logp(y, pad[i + 2], pad[i + 3])
        )
        # Established terms belong to the topic: add the pair's topical fit.
        vec = stats.vectors_of
        ctx = centroid
        ctx_norm = max(float(np.linalg.norm(ctx)), 1e-6)
        pair_vec = vec(x) + vec(y)
        topic = (pair_vec @ ctx) / np.maximum(np.linalg.norm(pair_vec, axis=1), 1e-6) / ctx_norm
        lp = lp + TOPIC_WEIGHT * topic
        uo = np.unique(owner)
        iw = pos[adj[uo]] + 2
        w1, w2 = pad[iw], pad[iw + 1]
        spun_vec = vec(w1) + vec(w2)
        spun_topic = (
            (spun_vec @ ctx) / np.maximum(np.linalg.norm(spun_vec, axis=1), 1e-6) / ctx_norm
        )
        base = (
            lm.logp(pad[iw - 2], pad[iw - 1], w1)
            + lm.logp(pad[iw - 1], w1, w2)
            + lm.logp(w1, w2, pad[iw + 2])
            + lm.logp(w2, pad[iw + 2], pad[iw + 3])
            + TOPIC_WEIGHT * spun_topic
        )
        F = _F
        feats = np.zeros((len(uo), len(FEATURES)))
        alts: list[list[tuple[str, float]]] = []
        vocab = self.vocab
        for r, j in enumerate(uo):
            sel = np.flatnonzero(owner == j)
            order = sel[np.argsort(-lp[sel], kind="stable")[:TOP_ALTERNATIVES]]
            gain = float(lp[order[0]] - base[r])
            alts.append([(f"{vocab[x[o]]} {vocab[y[o]]}", float(lp[o] - base[r])) for o in order])
            a, b = adj[j], adj[j] + 1
            f = feats[r]
            f[:] = np.maximum(single.features[a], single.features[b])
            f[F["gain"]] = np.clip(gain, -10, 15)
            f[F["gain_pos"]] = np.clip(gain, 0, 15)
            f[F["gain_gt2"]] = gain > 2
            f[F["gain_gt4"]] = gain > 4
            f[F["gain_gt7"]] = gain > 7
            f[F["is_phrase"]] = 1
            f[F["unseen_l"]] = single.features[a, F["unseen_l"]]
            f[F["unseen_r"]] = single.features[b, F["unseen_r"]]
        starts = pos[adj[uo]]
        return Units(starts, starts + 2, feats, alts)

    def _single(self, pos, pad, ids, is_cap, sent_start, cap_ratio, texts, centroid) -> Units:
        lm, lex = self.lm, self.lex
        m = len(pos)
        feats = np.zeros((m, len(FEATURES)))
        alts: list[list[tuple[str, float]]] = [[] for _ in range(m)]
        if m == 0:
            return Units(pos, pos + 1, feats, alts)
        w = ids[pos]
        l2, l1, r1, r2 = pad[pos], pad[pos + 1], pad[pos + 3], pad[pos + 4]
        win_w = lm.window(l2, l1, w, r1, r2)

        # Candidates, vectorised over the CSR arrays (most frequent originals first).
        a = np.asarray(lex.offsets[w], dtype=np.int64)
        b = np.asarray(lex.offsets[w + 1], dtype=np.int64)
        cnt = np.minimum(b - a, MAX_CANDS)
        owner = np.repeat(np.arange(m), cnt)
        within = np.arange(cnt.sum()) - np.repeat(np.cumsum(cnt) - cnt, cnt)
        flat = np.repeat(a, cnt) + within
        c_ids = np.asarray(lex._cands[flat], dtype=np.int64)
        c_src = np.asarray(lex._sources[flat])
        keep = (c_src & lex.mask) != 0
        owner, c_ids, c_src, within = owner[keep], c_ids[keep], c_src[keep], within[keep]
        ncand = np.bincount(owner, minlength=m)

        # Topical fit: cosine with the other content words of the block.
        vw = self.stats.vectors_of(w)
        ctx = centroid[None, :] - vw
        ctx_norm = np.maximum(np.linalg.norm(ctx, axis=1), 1e-6)
        topic_w = (vw * ctx).sum(axis=1) / ctx_norm
        topic_c = (self.stats.vectors_of(c_ids) * ctx[owner]).sum(axis=1) / ctx_norm[owner]

        win_c = lm.window(l2[owner], l1[owner], c_ids, r1[owner], r2[owner])
        gain = win_c.logp - win_w.logp[owner]
        pair = candidate_features(
            gain, lm.log_uni[c_ids], c_src, win_c, within, topic_c, topic_w[owner]
        )
        rank = pair @ self.ranker
        # Best candidate per unit by the ranker.
        order = np.lexsort((-rank, owner))
        first = np.full(m, -1)
        if len(order):
            heads = np.flatnonzero(np.r_[True, owner[order][1:] != owner[order][:-1]])
            first[owner[order][heads]] = order[heads]
        has = first >= 0
        best = np.where(has, first, 0)
        zero = np.zeros(m)
        g = np.where(has, gain[best], 0.0) if len(gain) else zero
        cb = np.where(has, c_ids[best], 0) if len(c_ids) else zero.astype(np.int64)
        src = np.where(has, c_src[best], 0) if len(c_src) else zero.astype(np.uint8)

        f = feats
        F = _F
        f[:, F["bias"]] = 1
        f[:, F["gain"]] = np.clip(g, -10, 15)
        f[:, F["gain_pos"]] = np.clip(g, 0, 15)
        f[:, F["gain_gt2"]] = g > 2
        f[:, F["gain_gt4"]] = g > 4
        f[:, F["gain_gt7"]] = g > 7
        f[:, F["lift_w"]] = np.clip(win_w.logp - 3 * lm.log_uni[w], -10, 40) / 10
        f[:, F["uni_w"]] = lm.log_uni[w] / 10
        f[:, F["uni_c"]] = np.where(has, lm.log_uni[cb] / 10, 0)
        f[:, F["log_ncands"]] = np.log1p(ncand)
        f[:, F["unseen_l"]] = ~win_w.seen_left
        f[:, F["unseen_r"]] = ~win_w.seen_right
        f[:, F["unseen_tri"]] = ~win_w.seen_tri
        if len(c_ids):
            f[:, F["c_unseen_l"]] = has & ~win_c.seen_left[best]
            f[:, F["c_unseen_r"]] = has & ~win_c.seen_right[best]
            f[:, F["c_unseen_tri"]] = has & ~win_c.seen_tri[best]
            f[:, F["rank_best"]] = np.where(has, rank[best], 0)
            f[:, F["topic_c"]] = np.where(has, topic_c[best], 0)
            f[:, F["topic_gain"]] = np.where(has, topic_c[best] - topic_w, 0)
        f[:, F["topic_w"]] = topic_w
        f[:, F["has_vec"]] = np.abs(vw).sum(axis=1) > 0
        for k, bit in zip(_SRC_NAMES, _SRC_BITS):
            f[:, F["src_" + k]] = (src & bit) != 0
        f[:, F["cap_anomaly"]] = is_cap[pos] & ~sent_start[pos] & (cap_ratio[pos] < 0.2)
        f[:, F["has_cands"]] = has
        f[:, F["proper"]] = cap_ratio[pos]
        f[:, F["short"]] = np.fromiter((len(texts[p]) <= 3 for p in pos), bool, m)

        # Ranked alternatives, only where the best candidate fits better (cheap).
        vocab = self.vocab
        for j in np.flatnonzero(has & (g > 0)):
            sel = np.flatnonzero(owner == j)
            top = sel[np.argsort(-rank[sel], kind="stable")[:TOP_ALTERNATIVES]]
            alts[j] = [(vocab[int(c_ids[k])], float(rank[k])) for k in top]
        self.last_pairs = (owner, c_ids, pair)  # kept for training the ranker (build/model.py)
        return Units(pos, pos + 1, feats, alts)

    def _phrases(self, tokens, texts, pad, ids, sent_start, is_cap) -> Units | None:
        """Multi-word spun forms listed in the lexicon (tortured phrases, rewrites)."""
        phrases = self.lex.phrases
        heads = self.lex.phrase_heads
        lower = [t.lower() for t in texts]
        matches: list[tuple[int, int, list[tuple[str, int]]]] = []
        seqs: list[list[int]] = []
        n = len(texts)
        for i, t in enumerate(lower):
            if t not in heads:
                continue
            for length in (5, 4, 3, 2):
                entries = phrases.get(" ".join(lower[i : i + length])) if i + length <= n else None
                if not entries:
                    continue
                ctx_l = [int(pad[i]), int(pad[i + 1])]
                ctx_r = [int(pad[i + length + 2]), int(pad[i + length + 3])]
                seqs.append(ctx_l + [int(x) for x in ids[i : i + length]] + ctx_r)
                for original, _ in entries:
                    o_ids = [self.index.get(norm_token(x), 0) for x in original.split()]
                    seqs.append(ctx_l + o_ids + ctx_r)
                matches.append((i, length, entries))
                break
        if not matches:
            return None
        lp = self.lm.sequences(seqs)
        rows = []
        k = 0
        for i, length, entries in matches:
            lp_spun = lp[k]
            scored = sorted(
                ((o, float(lp[k + 1 + e] - lp_spun), fl) for e, (o, fl) in enumerate(entries)),
                key=lambda r: -r[1],
            )
            k += 1 + len(entries)
            unseen = float(self.stats.bigram_counts(pad[i + 1 : i + 2], ids[i : i + 1])[0] == 0)
            rows.append(
                (
                    i,
                    i + length,
                    [(o, g) for o, g, _ in scored[:TOP_ALTERNATIVES]],
                    scored[0][2],
                    scored[0][1],
                    unseen,
                )
            )
        if not rows:
            return None
        F = _F
        feats = np.zeros((len(rows), len(FEATURES)))
        for r, (i, _j, alts, flags, gain, unseen) in enumerate(rows):
            f = feats[r]
            f[F["bias"]] = 1
            f[F["gain"]] = np.clip(gain, -10, 15)
            f[F["gain_pos"]] = np.clip(gain, 0, 15)
            f[F["gain_gt2"]] = gain > 2
            f[F["gain_gt4"]] = gain > 4
            f[F["gain_gt7"]] = gain > 7
            f[F["unseen_l"]] = unseen
            f[F["log_ncands"]] = np.log1p(len(alts))
            for k, bit in zip(_SRC_NAMES, _SRC_BITS):
                f[F["src_" + k]] = (flags & bit) != 0
            f[F["is_phrase"]] = 1
            f[F["has_cands"]] = 1
            f[F["cap_anomaly"]] = bool(is_cap[i] and not sent_start[i])
        starts = np.array([r[0] for r in rows])
        ends = np.array([r[1] for r in rows])
        return Units(starts, ends, feats, [r[2] for r in rows], np.ones(len(rows), dtype=bool))
