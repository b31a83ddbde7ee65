"""Small deterministic corpora for the scan tests (no shared data needed)."""

from __future__ import annotations

import gzip
import json
import random
from pathlib import Path

SENTENCES = [
    "The river runs past the old mill and into the valley where farmers grow wheat.",
    "In spring the water rises and the fields along the banks turn green again.",
    "The town council voted to repair the bridge before the winter storms arrived.",
    "Scientists measured the temperature of the lake every morning for three years.",
    "The museum opened a new exhibition about the history of printing in Europe.",
    "Local schools teach children to swim in the public pool during the summer.",
    "The railway line was extended to the coast at the end of the nineteenth century.",
    "Several species of birds nest in the reeds at the northern end of the lake.",
    "The company reported that its profits had fallen for the second year in a row.",
    "Researchers found that the new vaccine protected most patients from the disease.",
    "The counterfeit consciousness system processes colossal information quickly.",
    "In the event that you utilize the device, it had been designed for nerve mobile work.",
]


def paragraph(rng: random.Random) -> str:
    return " ".join(rng.choice(SENTENCES) for _ in range(rng.randint(3, 6)))


def write_corpus(folder: Path, docs: int = 120, seed: int = 0) -> list[Path]:
    """A folder of mixed, partly broken inputs; returns the files written."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    good = folder / "a_good.jsonl"
    with good.open("w", encoding="utf-8") as fh:
        for i in range(docs):
            fh.write(json.dumps({"text": paragraph(rng), "doc_id": f"g{i}"}) + "\n")
    bad = folder / "b_bad.jsonl"
    bad.write_bytes(
        b"\n".join(
            [
                json.dumps({"text": paragraph(rng), "doc_id": "b1"}).encode(),
                b'{"text": "cut off',
                json.dumps({"text": 42, "doc_id": "b3"}).encode(),
                json.dumps({"body": "no text"}).encode(),
                b'{"text": "caf\xe9 au lait"}',
                json.dumps({"text": "y" * 3000}).encode(),
                b"",
                b'"just a string"',
                json.dumps({"text": paragraph(rng)}).encode(),
            ]
        )
        + b"\n"
    )
    data = b"".join(
        json.dumps({"text": paragraph(rng), "doc_id": f"z{i}"}).encode() + b"\n" for i in range(400)
    )
    packed = gzip.compress(data, mtime=0)
    cut = folder / "c_cut.jsonl.gz"
    cut.write_bytes(packed[: len(packed) // 2])
    empty = folder / "d_empty.jsonl"
    empty.write_bytes(b"")
    txt = folder / "e_doc.txt"
    txt.write_text(paragraph(rng) + "\n", encoding="utf-8")
    return [good, bad, cut, empty, txt]


def read_jsonl(path: Path) -> list[dict]:
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]
