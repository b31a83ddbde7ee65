"""`unspin scan` on the local engine: every record accounted for, same bytes for any -j."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from scan_corpus import read_jsonl, write_corpus

from unspin.cli import main
from unspin.corpus.readers import iter_records
from unspin.corpus.scan import ScanOptions, scan
from unspin.errors import InputError

pytest.importorskip("pyarrow")  # part of the `scan` extra, which `make test` installs


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("corpus")
    write_corpus(folder, docs=120)
    return folder


@pytest.fixture(scope="module")
def baseline(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("base") / "out.jsonl"
    opts = ScanOptions(id_field="doc_id", max_bytes=2000, shard_size=40)
    scan([str(corpus)], str(out), opts, progress=False)
    return out


def test_one_row_per_input_record(corpus: Path, baseline: Path) -> None:
    records = list(iter_records([str(corpus)], id_field="doc_id", max_bytes=2000))
    rows = read_jsonl(baseline)
    assert len(rows) == len(records) > 200
    assert [(r["source"], r["position"], r["id"]) for r in rows] == [
        (r.source, r.position, r.id) for r in records
    ]
    for row in rows:
        if "error" in row:
            assert set(row) == {"id", "source", "position", "error"}
            assert "\n" not in row["error"]
        else:
            assert row["verdict"] in ("spun", "clean", "uncertain", "unsupported")
            assert 0.0 <= row["spun_probability"] <= 1.0
            assert row["span_count"] == len(row["spans"])
    errors = {
        (Path(r["source"]).name, r["position"]): r["error"].split(":")[0]
        for r in rows
        if "error" in r
    }
    assert errors[("b_bad.jsonl", 2)] == "malformed JSON"
    assert errors[("b_bad.jsonl", 3)] == "wrong type"
    assert errors[("b_bad.jsonl", 4)] == "missing text field"
    assert errors[("b_bad.jsonl", 5)] == "undecodable bytes"
    assert errors[("b_bad.jsonl", 6)] == "oversized record"
    assert errors[("b_bad.jsonl", 8)] == "not a JSON object"
    assert list(errors.values()).count("truncated file") == 1
    assert not any(Path(r["source"]).name == "d_empty.jsonl" for r in rows)

    manifest = json.loads(Path(str(baseline) + ".manifest.json").read_text())
    assert manifest["records_in"] == manifest["records_out"] == len(rows)
    assert manifest["errors"] == len(errors)
    assert sum(manifest["errors_by_reason"].values()) == manifest["errors"]
    assert manifest["analysed"] + manifest["errors"] == manifest["records_in"]
    assert sum(manifest["verdicts"].values()) == manifest["analysed"]
    assert not Path(str(baseline) + ".parts").exists()


def test_two_workers_write_the_same_bytes(corpus: Path, baseline: Path, tmp_path: Path) -> None:
    out = tmp_path / "j2.jsonl"
    rc = main([
        "scan", str(corpus), "-o", str(out), "--id-field", "doc_id", "--max-bytes", "2000",
        "--shard-size", "40", "-j", "2", "--quiet",
    ])  # fmt: skip
    assert rc == 0
    assert out.read_bytes() == baseline.read_bytes()


def test_parquet_output_matches_jsonl(corpus: Path, baseline: Path, tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    out = tmp_path / "out.parquet"
    scan([str(corpus)], str(out), ScanOptions(id_field="doc_id", max_bytes=2000, shard_size=40))
    rows = pq.read_table(out).to_pylist()
    expected = read_jsonl(baseline)
    assert len(rows) == len(expected)
    for got, want in zip(rows, expected):
        assert {k: v for k, v in got.items() if v is not None} == {
            k: v for k, v in want.items() if v is not None
        }


def test_filter_modes_partition_the_records(corpus: Path, baseline: Path, tmp_path: Path) -> None:
    rows = read_jsonl(baseline)
    analysed = [r for r in rows if "error" not in r]
    kept_out, dropped_out = tmp_path / "keep.jsonl.gz", tmp_path / "drop.jsonl"
    base = ScanOptions(id_field="doc_id", max_bytes=2000, shard_size=40, restore=True)
    m1 = scan([str(corpus)], str(kept_out), ScanOptions(**{**base.__dict__, "keep": ("clean",)}))
    m2 = scan([str(corpus)], str(dropped_out), ScanOptions(**{**base.__dict__, "drop": ("clean",)}))
    kept, dropped = read_jsonl(kept_out), read_jsonl(dropped_out)
    assert {r["verdict"] for r in kept} <= {"clean"}
    assert "clean" not in {r["verdict"] for r in dropped}
    assert sorted(r["id"] for r in kept + dropped) == sorted(r["id"] for r in analysed)
    assert all(isinstance(r["text"], str) and isinstance(r["restored"], str) for r in kept)
    errors = read_jsonl(Path(m1["errors_output"]))
    assert [e["id"] for e in errors] == [r["id"] for r in rows if "error" in r]
    assert m1["records_out"] + m1["filtered_out"] + m1["errors"] == m1["records_in"]
    assert m1["records_out"] == m2["filtered_out"]


def test_resume_refuses_other_options(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "o.jsonl"
    parts = Path(str(out) + ".parts")
    parts.mkdir()
    (parts / "run.json").write_text('{"plan": 0}')
    with pytest.raises(InputError, match="--restart"):
        scan([str(corpus)], str(out), ScanOptions(shard_size=40))
    scan([str(corpus)], str(out), ScanOptions(shard_size=40), restart=True)
    assert out.exists() and not parts.exists()


def test_cli_errors_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", str(tmp_path / "nope.jsonl"), "-o", str(tmp_path / "o.jsonl")]) == 3
    assert "no such file or folder" in capsys.readouterr().err
    (tmp_path / "x.jsonl").write_text('{"text": "hi"}\n')
    assert main(["scan", str(tmp_path / "x.jsonl"), "-o", str(tmp_path / "o.csv")]) == 3
    assert "output must end in" in capsys.readouterr().err


def _scan_cmd(corpus: Path, out: Path) -> list[str]:
    return [
        sys.executable, "-m", "unspin", "scan", str(corpus), "-o", str(out),
        "--id-field", "doc_id", "--max-bytes", "2000", "--shard-size", "10", "--quiet",
    ]  # fmt: skip


def test_sigkill_then_resume_gives_identical_output(
    corpus: Path, baseline: Path, tmp_path: Path
) -> None:
    out = tmp_path / "killed.jsonl"
    parts = Path(str(out) + ".parts")
    killed_with_parts = 0
    for _attempt in range(2):  # kill it twice at different points, then let it finish
        proc = subprocess.Popen(_scan_cmd(corpus, out), stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        target = 3 + 6 * _attempt
        while time.monotonic() < deadline and proc.poll() is None:
            done = len(list(parts.glob("*-??????.jsonl"))) if parts.exists() else 0
            if done >= target:
                break
            time.sleep(0.02)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            killed_with_parts += 1
        proc.wait()
    assert killed_with_parts >= 1, "the scan finished before it could be killed"
    assert parts.exists() and not out.exists()
    done_before = len(list(parts.glob("*-??????.jsonl")))
    assert done_before >= 3
    rc = subprocess.run(_scan_cmd(corpus, out), stderr=subprocess.PIPE, timeout=120).returncode
    assert rc == 0
    assert out.read_bytes() == baseline.read_bytes()
    manifest = json.loads(Path(str(out) + ".manifest.json").read_text())
    assert manifest["resumed_records"] >= 10 * done_before - 10
    assert not parts.exists()


def test_progress_bar_on_a_terminal_only(tmp_path: Path) -> None:
    import pty

    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"text": f"Document number {i}."}) + "\n" for i in range(30)))
    cmd = [sys.executable, "-m", "unspin", "scan", str(src), "--shard-size", "5", "-o"]
    piped = subprocess.run([*cmd, str(tmp_path / "a.jsonl")], capture_output=True, text=True)
    assert piped.returncode == 0
    assert "scanned 30 records" in piped.stderr and "\r" not in piped.stderr
    assert piped.stdout == ""

    master, slave = pty.openpty()
    proc = subprocess.Popen([*cmd, str(tmp_path / "b.jsonl")], stderr=slave, stdout=slave)
    os.close(slave)
    seen = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # EIO once the child has closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    os.close(master)
    assert proc.wait(timeout=60) == 0
    assert b"\r" in seen and b"docs/s" in seen and b"scanned 30 records" in seen


def test_output_inside_the_input_folder_is_not_read_back(tmp_path: Path) -> None:
    (tmp_path / "in.jsonl").write_text(json.dumps({"text": "One small document here."}) + "\n")
    out = tmp_path / "out.jsonl"
    first = scan([str(tmp_path)], str(out), ScanOptions(drop=("spun",)), progress=False)
    second = scan([str(tmp_path)], str(out), ScanOptions(drop=("spun",)), progress=False)
    assert first["records_in"] == second["records_in"] == 1 and second["inputs"] == 1
