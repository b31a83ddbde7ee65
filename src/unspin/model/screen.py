"""The cascade's first stage: a small convolutional student of the learned detector.

Most documents of a crawl are clean. The screen (screen.onnx, trained by build/screen.py)
reads the same sub-words as the detector at a few per cent of its cost and gives each word
a logit; `screen_features` sums them up per document, and the calibrated screen
(verdict.Calibration.screen_probability) clears a text as clean when even the full path
would almost surely call it clean. Only the rest reach the full detector.

The student's convolutions see 15 sub-words each side, so a long text is cut into chunks
that overlap by more than that and every sub-word is scored exactly as in one pass.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from unspin.errors import DataError
from unspin.model.encoding import CLS_ID, SEP_ID, Encoded

SCREEN_FILE = "screen.onnx"
CHUNK = 4096  # sub-words per run
CONTEXT = 32  # sub-words of context added at each side of a chunk (receptive field: 15)
SCREEN_FEATURES = (
    "bias",
    "mean_p",
    "frac_p50",
    "frac_p80",
    "top_mean",
    "log_mean_odds",
    "cap_mid",
    "log_words",
)
_SENTENCE_OPENERS = frozenset('.!?"(:\u201c')


class Screen:
    """Loads screen.onnx once; `word_logits` for an encoded text."""

    def __init__(self, data_dir: Path, providers: list[str], threads: int | None = None) -> None:
        path = data_dir / SCREEN_FILE
        if not path.is_file():
            raise DataError(f"artifacts missing in {data_dir}: {SCREEN_FILE} (run `make data`)")
        import onnxruntime as ort

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads or int(os.environ.get("UNSPIN_THREADS", "1"))
        opts.inter_op_num_threads = 1
        try:
            self.session = ort.InferenceSession(str(path), sess_options=opts, providers=providers)
        except Exception as exc:  # onnxruntime raises its own exception types
            raise DataError(f"{path} could not be loaded: {exc}") from None

    def word_logits(self, enc: Encoded) -> np.ndarray:
        """The student's logit for every word of the text (-10 where it has no sub-word)."""
        ids = np.concatenate(([CLS_ID], enc.ids, [SEP_ID])).astype(np.int64)
        sub = np.empty(len(ids), dtype=np.float32)
        for a in range(0, len(ids), CHUNK):
            lo, hi = max(0, a - CONTEXT), min(len(ids), a + CHUNK + CONTEXT)
            (lg,) = self.session.run(["logits"], {"input_ids": ids[None, lo:hi]})
            b = min(len(ids), a + CHUNK)
            sub[a:b] = lg[0, a - lo : b - lo]
        out = np.full(len(enc.first), -10.0, dtype=np.float32)
        ok = enc.first >= 0
        out[ok] = sub[enc.first[ok] + 1]
        return out


def capitals_mid_sentence(text: str, enc: Encoded, capitals, index: dict[str, int]) -> int:
    """Words capitalised mid-sentence that clean text writes in lower case (a spinner's
    dictionary capital the uncased student cannot see)."""
    n = 0
    for s, e in enc.words:
        if not text[s].isupper() or text[s:e].isupper():
            continue
        j = s - 1
        while j >= 0 and text[j].isspace():
            j -= 1
        if j < 0 or text[j] in _SENTENCE_OPENERS:
            continue
        wid = index.get(text[s:e].lower(), 0)
        n += wid > 2 and capitals[wid] < 0.2 * 255
    return n


def screen_features(logits: np.ndarray, cap_mid: int) -> np.ndarray:
    """One row over SCREEN_FEATURES for a text's word logits."""
    p = 1.0 / (1.0 + np.exp(-np.clip(logits, -40, 40)))
    n = len(p)
    if n == 0:
        return np.array([1.0, *([0.0] * (len(SCREEN_FEATURES) - 1))])
    k = max(5, int(np.ceil(0.05 * n)))
    top = np.partition(p, n - k)[n - k :] if n > k else p
    odds = float(np.mean(p / np.maximum(1 - p, 1e-6)))
    return np.array(
        [
            1.0,
            float(p.mean()),
            float((p > 0.5).mean()),
            float((p > 0.8).mean()),
            float(top.mean()),
            float(np.log(max(odds, 1e-6))) / 5,
            min(cap_mid * 100.0 / n, 10.0) / 5,
            float(np.log1p(min(n, 1000))) / 5,
        ]
    )
