"""Train the screen: a small convolutional student of the learned detector (screen.onnx).

The cascade (model/screen.py) runs this student on every text and the full detector only on
texts it cannot clear. It reads the same sub-words as the detector. Its embeddings start as
the top SCREEN_DIM principal components of the pretrained MiniLM's word embeddings (the
pinned package of build/detector.py); four dilated convolutions see 15 sub-words
each side. Trained on the encoder's training share (never the calibration share), spun by
the training spinner with OEWN synonyms only (calibration sets the screen's bar on PPDB
spins, a dictionary it has never seen), on the spinner's labels mixed with the shipped
detector's own logits (distillation: the screen should agree with what the full path would
say).

Build time only (the `build` extra). Deterministic for a seed and a thread count.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

from unspin.build.detector import (
    CKPT_DIR,
    SEED,
    build_examples,
    load_tokenizer,
    optimizer_step,
    pin_torch,
    weights_dir,
)
from unspin.model.detector import WordDetector
from unspin.model.encoding import PAD_ID, pad_batch

SCREEN_DIM = 128
KERNEL = 3
DILATIONS = (1, 2, 4, 8)
EXAMPLES = 24_000
QUICK_EXAMPLES = 48
EPOCHS = 2
BATCH = 32
LR = 2e-3
DISTILL = 0.5  # weight of the teacher's logits in the target (the rest: the spinner's labels)
# The screen learns from OEWN spins only; calibration sets its bar on PPDB spins, which it
# has never seen: how it fares on a spinner's dictionary it does not know.
SOURCES = ("oewn",)


def pca_embeddings(dim: int = SCREEN_DIM) -> np.ndarray:
    """The pretrained word embeddings projected on their top `dim` principal components."""
    from safetensors.numpy import load_file

    tensors = load_file(str(weights_dir() / "model.safetensors"))
    key = next(k for k in tensors if k.endswith("word_embeddings.weight"))
    e = tensors[key].astype(np.float64)
    centred = e - e.mean(axis=0)
    _, _, vt = np.linalg.svd(centred[::3], full_matrices=False)  # every 3rd row: same axes
    proj = centred @ vt[:dim].T
    proj /= proj.std()
    # The sign of a singular vector is arbitrary: fix it so builds agree byte for byte.
    proj *= np.sign(proj[np.abs(proj).argmax(axis=0), np.arange(dim)])
    return proj.astype(np.float32)


def _model(init: np.ndarray):
    import torch

    class Screen(torch.nn.Module):
        """Sub-word ids -> one logit per sub-word (padding does not leak into neighbours)."""

        def __init__(self) -> None:
            super().__init__()
            self.embed = torch.nn.Embedding.from_pretrained(torch.from_numpy(init), freeze=False)
            self.norms = torch.nn.ModuleList(torch.nn.LayerNorm(SCREEN_DIM) for _ in DILATIONS)
            self.convs = torch.nn.ModuleList(
                torch.nn.Conv1d(
                    SCREEN_DIM, SCREEN_DIM, KERNEL, dilation=d, padding=d * (KERNEL // 2)
                )
                for d in DILATIONS
            )
            self.head = torch.nn.Linear(SCREEN_DIM, 1)

        def forward(self, input_ids):
            mask = (input_ids != PAD_ID).unsqueeze(-1).float()
            x = self.embed(input_ids) * mask
            for norm, conv in zip(self.norms, self.convs):
                h = conv(norm(x).transpose(1, 2)).transpose(1, 2)
                x = (x + torch.nn.functional.gelu(h)) * mask
            return self.head(x).squeeze(-1)

    return Screen()


def teacher_logits(detector: WordDetector, examples: list) -> list[np.ndarray]:
    """The shipped detector's logit at every labelled sub-word of each example window
    (0 elsewhere)."""
    out = []
    for w, _ in examples:
        soft = np.zeros(len(w.ids), dtype=np.float32)
        soft[w.position] = detector.run([w])[0]
        out.append(soft)
    return out


def train(data: Path, artifacts: Path, examples: int, out: Path, threads: int = 2) -> Path:
    import torch

    pin_torch(threads, SEED)
    tok = load_tokenizer(artifacts / "tokenizer.json")
    t0 = time.time()
    ex = build_examples(data, artifacts, examples, SEED + 3, tok, SOURCES)
    teacher = teacher_logits(WordDetector(artifacts, threads=threads, device="cpu"), ex)
    print(f"  screen: {len(ex)} examples and teacher logits in {time.time() - t0:.0f}s",
          file=sys.stderr)  # fmt: skip
    model = _model(pca_embeddings())
    steps = int(len(ex) * EPOCHS / BATCH)
    opt = torch.optim.AdamW(model.parameters(), lr=LR, weight_decay=0.01)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=LR, total_steps=max(steps, 1))
    rng = np.random.default_rng(SEED)
    order = np.concatenate([rng.permutation(len(ex)) for _ in range(EPOCHS)])
    out.mkdir(parents=True, exist_ok=True)
    log = open(out / "screen.log", "a", encoding="utf-8")
    settings = dict(examples=examples, epochs=EPOCHS, batch=BATCH, lr=LR, distill=DISTILL,
                    dim=SCREEN_DIM, dilations=DILATIONS, threads=threads, seed=SEED)  # fmt: skip
    print(json.dumps({"settings": settings}), file=log, flush=True)
    t0 = time.time()
    run_loss = 0.0
    for step in range(steps):
        idx = order[step * BATCH : (step + 1) * BATCH]
        ids, _ = pad_batch([ex[i][0] for i in idx])
        y = np.full(ids.shape, -100.0, dtype=np.float32)
        soft = np.zeros(ids.shape, dtype=np.float32)
        for r, i in enumerate(idx):
            y[r, : len(ex[i][1])] = ex[i][1]
            soft[r, : len(ex[i][1])] = teacher[i]
        y_t, soft_t = torch.from_numpy(y), torch.from_numpy(soft)
        logits = model(torch.from_numpy(ids))
        sel = y_t >= 0
        target = (1 - DISTILL) * y_t[sel] + DISTILL * torch.sigmoid(soft_t[sel])
        loss = torch.nn.functional.binary_cross_entropy_with_logits(logits[sel], target)
        optimizer_step(model, opt, sched, loss)
        run_loss += float(loss.detach())
        if (step + 1) % 50 == 0 or step + 1 == steps:
            rec = dict(step=step + 1, of=steps, loss=run_loss / 50, min=(time.time() - t0) / 60)
            print(json.dumps(rec), file=log, flush=True)
            run_loss = 0.0
    log.close()
    torch.save(model.state_dict(), out / "screen.pt")
    return out / "screen.pt"


def export(ckpt: Path, onnx_path: Path) -> None:
    """ONNX with the embedding table in int8 (16 -> 4.7 MB, logits within ~0.15, same
    speed); the convolutions stay fp32: int8 ones ran 4x slower here."""
    import torch

    model = _model(np.zeros((30522, SCREEN_DIM), dtype=np.float32))
    model.load_state_dict(torch.load(ckpt, map_location="cpu"))
    model.eval()
    fp32 = ckpt.with_suffix(".fp32.onnx")
    torch.onnx.export(
        model,
        (torch.ones((1, 16), dtype=torch.long),),
        str(fp32),
        input_names=["input_ids"],
        output_names=["logits"],
        dynamic_axes={"input_ids": {0: "b", 1: "t"}, "logits": {0: "b", 1: "t"}},
        opset_version=17,
        dynamo=False,
    )
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(
        str(fp32), str(onnx_path), weight_type=QuantType.QInt8, op_types_to_quantize=["Gather"]
    )


def build(data: Path, out_dir: Path, quick: bool = False) -> None:
    ckpt_dir = out_dir / "screen-quick-ckpt" if quick else CKPT_DIR
    ckpt = train(data, out_dir, QUICK_EXAMPLES if quick else EXAMPLES, ckpt_dir)
    export(ckpt, out_dir / "screen.onnx")
