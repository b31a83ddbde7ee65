"""The model room: sub-word offsets, windows, batching, and ONNX against the training framework."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from unspin.model.detector import WordDetector
from unspin.model.encoding import first_subwords, pad_batch, windows, words_of
from unspin.resources.paths import ARTIFACT_DIR, shared_data_dir

TRICKY = (
    "Ketamine, categorized as a “dissociative anesthetic,”1 is used in powdered or liquid "
    "form. Short- and long-term effects include one-way valves, the body's tissues, "
    "naïve café-goers, 4.0 GPA scores and [seven] citations; it's 2,300 mg/kg — really."
)


@pytest.fixture(scope="module")
def detector() -> WordDetector:
    return WordDetector(ARTIFACT_DIR)


def test_every_word_maps_to_a_subword_starting_at_it(detector):
    words = words_of(TRICKY)
    enc = detector.tokenizer.encode(TRICKY, add_special_tokens=False)
    first = first_subwords(enc.offsets, words)
    assert (first >= 0).all()
    for (s, _e), j in zip(words, first):
        assert enc.offsets[j][0] == s, TRICKY[s:_e]
    assert [TRICKY[s:e] for s, e in words][:3] == ["Ketamine", "categorized", "as"]


def test_windows_score_every_word_exactly_once():
    n = 1000
    ids = np.arange(1000, 1000 + n)
    first = np.arange(0, n, 2)  # a word every second sub-word
    wins = windows(ids, first, window=64, margin=8)
    assert all(len(w.ids) <= 64 for w in wins)
    covered = np.concatenate([w.word_index for w in wins])
    assert sorted(covered.tolist()) == list(range(len(first)))
    for w in wins:  # positions point at the word's own sub-word, inside [CLS] ... [SEP]
        assert (w.ids[w.position] == ids[first[w.word_index]]).all()
        assert w.ids[0] == 101 and w.ids[-1] == 102
    ids_b, mask = pad_batch(wins)
    assert ids_b.shape == mask.shape and mask.sum() == sum(len(w.ids) for w in wins)


def test_windows_of_a_huge_document_in_one_pass():
    """Cutting is linear in the document: each window takes its words as one slice. (It used
    to test every word against every window: 50 MB of text never finished.) Words without a
    sub-word of their own (-1) are skipped, as before."""
    n = 4_000_000  # sub-words of a ~16 MB text; quadratic cutting took minutes here
    ids = np.arange(n) % 30000 + 1000
    first = np.arange(0, n, 3)
    first[5::7] = -1
    wins = windows(ids, first)
    covered = np.concatenate([w.word_index for w in wins])
    assert covered.tolist() == np.flatnonzero(first >= 0).tolist()
    w = wins[len(wins) // 2]
    assert (w.ids[w.position] == ids[first[w.word_index]]).all()


def test_scores_do_not_depend_on_the_other_texts(detector):
    texts = [TRICKY, "A short one.", TRICKY + " " + TRICKY * 20, "Nothing"]
    together = detector.score(texts)
    for text, ws in zip(texts, together):
        alone = detector.score([text])[0]
        assert ws.words == alone.words
        np.testing.assert_array_equal(ws.logits, alone.logits)
    assert len(together[2].logits) == len(words_of(texts[2]))
    assert together[2].subwords == sum(
        len(w.ids) for w in detector.windows(detector.encode(texts[2]))
    )
    assert detector.score([""])[0].logits.shape == (0,)


def test_long_text_words_have_context_on_both_sides(detector):
    """Each word of a long text is scored by a window where at least `margin` sub-words
    stand on either side of it (except at the text's own edges)."""
    enc = detector.encode((TRICKY + " ") * 12)
    words, wins = enc.words, detector.windows(enc)
    assert len(wins) > 3
    for k, w in enumerate(wins):
        if k > 0:
            assert w.position.min() >= 1 + 16
        if k < len(wins) - 1:
            assert w.position.max() <= len(w.ids) - 2 - 16
    assert sorted(np.concatenate([w.word_index for w in wins]).tolist()) == list(range(len(words)))


TORCH = importlib.util.find_spec("torch") is not None and shared_data_dir().is_dir()


@pytest.mark.skipif(not TORCH, reason="needs the build extra (torch) and ../shared/data")
def test_quick_build_exports_onnx_equal_to_torch(tmp_path: Path):
    """`python -m unspin.build detector screen calibration --quick` trains a tiny detector
    and screen, the same bytes twice; its fp32 ONNX export gives torch's logits, the int8
    one stays close."""

    def quick_build(out: Path) -> subprocess.Popen:
        cmd = [sys.executable, "-m", "unspin.build", "detector", "screen", "calibration"]
        return subprocess.Popen(
            [*cmd, "--quick", "--out", str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )

    # The two builds run side by side (each pins its own thread count, so the bytes do
    # not depend on what else runs).
    out, again = tmp_path / "art", tmp_path / "again"
    builds = [quick_build(out), quick_build(again)]
    for b in builds:
        _, err = b.communicate(timeout=900)
        assert b.returncode == 0, err.decode(errors="replace")[-2000:]
    # Deterministic: same seed, same threads. The checkpoint first, so a failure says
    # whether training or the export differed.
    for name in (
        "detector-quick-ckpt/detector.pt",
        "detector.onnx",
        "screen.onnx",
        "verdict.json",
    ):
        assert (out / name).read_bytes() == (again / name).read_bytes(), name
    import onnxruntime as ort
    import torch

    from unspin.build.detector import _model, weights_dir

    ckpt = out / "detector-quick-ckpt"
    model = _model(weights_dir())
    model.load_state_dict(torch.load(ckpt / "detector.pt", map_location="cpu"))
    model.eval()
    det = WordDetector(out)
    wins = det.windows(det.encode(TRICKY))
    ids, mask = pad_batch(wins)
    with torch.no_grad():
        ref = model(torch.from_numpy(ids), torch.from_numpy(mask)).numpy()
    fp32 = ort.InferenceSession(str(ckpt / "detector.fp32.onnx"))
    (got,) = fp32.run(["logits"], {"input_ids": ids, "attention_mask": mask})
    np.testing.assert_allclose(got[mask > 0], ref[mask > 0], atol=1e-3)
    (q,) = ort.InferenceSession(str(out / "detector.onnx")).run(
        ["logits"], {"input_ids": ids, "attention_mask": mask}
    )
    assert np.abs(q[mask > 0] - ref[mask > 0]).mean() < 0.5
    # The quick artifacts drive a full analysis.
    import unspin

    report = unspin.Analyzer(data_dir=out).analyze(TRICKY)
    assert report.verdict in ("spun", "clean", "uncertain")
