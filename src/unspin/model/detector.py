"""The fine-tuned encoder as a replaced-word detector: onnxruntime + tokenizers, no torch.

`WordDetector.score(texts)` gives, for every word of every text, the model's logit that a
spinner wrote it. Windows from all texts of one call are pooled and sorted by length. The
shipped model is dynamically quantised to int8, which quantises activations per run: in a
batch, a window's output would depend on its batch-mates (measured: logits moved by up to
0.3). So on the CPU every window runs alone (also the fastest here: 1 window per run gave
7.5k sub-words per CPU-second, 8 per run 4.6k) and a text's report never depends on the
texts beside it. onnxruntime's CUDA provider, when present, runs batches of CUDA_BATCH.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from unspin.errors import DataError
from unspin.model.encoding import Encoded, Window, first_subwords, pad_batch, windows, words_of

MODEL_FILE = "detector.onnx"
TOKENIZER_FILE = "tokenizer.json"
CPU_BATCH = 1
CUDA_BATCH = 32


@dataclass
class WordScores:
    """Words of one text as (start, end) offsets and the detector's logit for each."""

    words: list[tuple[int, int]]
    logits: np.ndarray
    subwords: int = 0  # sub-words the encoder read for this text (special tokens included)


def providers(device: str) -> list[str]:
    import onnxruntime as ort

    have = ort.get_available_providers()
    if device == "cpu":
        return ["CPUExecutionProvider"]
    if device == "cuda":
        if "CUDAExecutionProvider" not in have:
            raise DataError("--device cuda: onnxruntime has no CUDA provider (onnxruntime-gpu)")
        return ["CUDAExecutionProvider", "CPUExecutionProvider"]
    if "CUDAExecutionProvider" in have:
        return ["CUDAExecutionProvider", "CPUExecutionProvider"]
    return ["CPUExecutionProvider"]


class WordDetector:
    """Loads the ONNX model and the tokenizer once; `score` any number of texts."""

    def __init__(
        self, data_dir: Path, threads: int | None = None, device: str = "auto", window: int = 128
    ) -> None:
        model, tokenizer = data_dir / MODEL_FILE, data_dir / TOKENIZER_FILE
        missing = [p.name for p in (model, tokenizer) if not p.is_file()]
        if missing:
            raise DataError(
                f"artifacts missing in {data_dir}: {', '.join(missing)} (run `make data`)"
            )
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ImportError as exc:  # pragma: no cover - core dependencies
            raise DataError(f"the learned detector needs {exc.name}") from None
        self.tokenizer = Tokenizer.from_file(str(tokenizer))
        self.tokenizer.no_truncation()
        self.tokenizer.no_padding()
        opts = ort.SessionOptions()
        n = threads or int(os.environ.get("UNSPIN_THREADS", "1"))
        opts.intra_op_num_threads = n
        opts.inter_op_num_threads = 1
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        chosen = providers(device)  # an unusable --device is its own one-line error
        try:
            self.session = ort.InferenceSession(str(model), sess_options=opts, providers=chosen)
        except Exception as exc:  # onnxruntime raises its own exception types
            raise DataError(f"{model} could not be loaded: {exc}") from None
        self.window = window
        on_cuda = self.session.get_providers()[0] == "CUDAExecutionProvider"
        self.batch = CUDA_BATCH if on_cuda else CPU_BATCH

    def encode(self, text: str) -> Encoded:
        """Words and sub-words of a text, once for the screen and the detector alike."""
        words = words_of(text)
        if not words:
            return Encoded(words, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
        enc = self.tokenizer.encode(text, add_special_tokens=False)
        return Encoded(
            words, np.asarray(enc.ids, dtype=np.int64), first_subwords(enc.offsets, words)
        )

    def windows(self, enc: Encoded) -> list[Window]:
        return windows(enc.ids, enc.first, self.window) if enc.words else []

    def run(self, batch: list[Window]) -> list[np.ndarray]:
        """Logits at each window's scored positions."""
        ids, mask = pad_batch(batch)
        (logits,) = self.session.run(["logits"], {"input_ids": ids, "attention_mask": mask})
        return [logits[i, w.position] for i, w in enumerate(batch)]

    def score(
        self,
        texts: list[str],
        encoded: list[Encoded] | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> list[WordScores]:
        """Word logits of every text (`encoded`: the texts' encodings, when already made);
        `progress(done, total)` is told of each window run."""
        encs = encoded if encoded is not None else [self.encode(t) for t in texts]
        wins = [self.windows(e) for e in encs]
        out = [
            WordScores(
                e.words, np.full(len(e.words), -10.0, dtype=np.float32), sum(len(x.ids) for x in ws)
            )  # fmt: skip
            for e, ws in zip(encs, wins)
        ]
        jobs = [(d, w) for d, ws in enumerate(wins) for w in ws]
        jobs.sort(key=lambda j: len(j[1].ids))
        for b in range(0, len(jobs), self.batch):
            chunk = jobs[b : b + self.batch]
            for (d, w), lg in zip(chunk, self.run([w for _, w in chunk])):
                out[d].logits[w.word_index] = lg
            if progress is not None:
                progress(min(b + self.batch, len(jobs)), len(jobs))
        return out
