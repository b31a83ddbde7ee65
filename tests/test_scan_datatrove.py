"""The datatrove step in a real (small) datatrove pipeline agrees with `unspin scan`."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from scan_corpus import SENTENCES, read_jsonl

pytest.importorskip("datatrove")  # the `datatrove` extra; `make test` installs it

from datatrove.data import Document  # noqa: E402
from datatrove.executor import LocalPipelineExecutor  # noqa: E402
from datatrove.pipeline.readers import JsonlReader  # noqa: E402
from datatrove.pipeline.writers import JsonlWriter  # noqa: E402

import unspin  # noqa: E402
from unspin.corpus.datatrove_step import UnspinFilter  # noqa: E402


def test_filter_in_a_pipeline(tmp_path: Path) -> None:
    rng = random.Random(7)
    src = tmp_path / "in"
    src.mkdir()
    docs = [" ".join(rng.choice(SENTENCES) for _ in range(5)) for _ in range(30)]
    docs += ["Too short to judge.", "Tiny."]  # verdict "unsupported": dropped below
    with (src / "docs.jsonl").open("w") as fh:
        for i, text in enumerate(docs):
            fh.write(json.dumps({"id": f"d{i}", "text": text}) + "\n")
    expected = {f"d{i}": unspin.analyze(t).verdict for i, t in enumerate(docs)}

    step = UnspinFilter(
        drop=("spun", "unsupported"),
        exclusion_writer=JsonlWriter(str(tmp_path / "dropped"), compression=None),
    )
    LocalPipelineExecutor(
        pipeline=[
            JsonlReader(str(src)),
            step,
            JsonlWriter(str(tmp_path / "kept"), compression=None),
        ],
        tasks=1,
        logging_dir=str(tmp_path / "logs"),
    ).run()

    kept = [r for f in sorted((tmp_path / "kept").glob("*.jsonl")) for r in read_jsonl(f)]
    dropped = [r for f in sorted((tmp_path / "dropped").glob("*.jsonl")) for r in read_jsonl(f)]
    assert sorted(r["id"] for r in kept + dropped) == sorted(expected)
    for r in kept:
        assert r["metadata"]["unspin_verdict"] == expected[r["id"]]
        assert r["metadata"]["unspin_verdict"] not in ("spun", "unsupported")
        assert 0.0 <= r["metadata"]["unspin_spun_probability"] <= 1.0
    for r in dropped:
        assert r["metadata"]["filter_reason"] == f"unspin_{expected[r['id']]}"
    assert len(dropped) == sum(v in ("spun", "unsupported") for v in expected.values())
    assert kept and len(dropped) >= 2


def test_filter_pickles_without_its_analyzer() -> None:
    import pickle

    step = UnspinFilter(keep=("clean",))
    step.filter(Document(text="A short clean sentence about the river and the old mill.", id="x"))
    assert step._analyzer is not None
    copy = pickle.loads(pickle.dumps(step))
    assert copy._analyzer is None and copy.keep == ("clean",)
