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
from terminal import on_terminal

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
    assert {r["unspin_verdict"] for r in kept} <= {"clean"}
    assert "clean" not in {r["unspin_verdict"] for r in dropped}
    assert sorted(r["unspin_id"] for r in kept + dropped) == sorted(r["id"] for r in analysed)
    assert all(isinstance(r["text"], str) and isinstance(r["unspin_restored"], str) for r in kept)
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
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"text": f"Document number {i}."}) + "\n" for i in range(30)))
    cmd = [sys.executable, "-m", "unspin", "scan", str(src), "--shard-size", "5", "-o"]
    piped = subprocess.run([*cmd, str(tmp_path / "a.jsonl")], capture_output=True, text=True)
    assert piped.returncode == 0
    assert "scanned 30 records" in piped.stderr and "\r" not in piped.stderr
    assert piped.stdout == ""

    rc, seen = on_terminal([*cmd, str(tmp_path / "b.jsonl")], stdout_too=True, timeout=60)
    assert rc == 0
    assert b"\r" in seen and b"docs/s" in seen and b"scanned 30 records" in seen


def test_output_inside_the_input_folder_is_not_read_back(tmp_path: Path) -> None:
    (tmp_path / "in.jsonl").write_text(json.dumps({"text": "One small document here."}) + "\n")
    out = tmp_path / "out.jsonl"
    first = scan([str(tmp_path)], str(out), ScanOptions(drop=("spun",)), progress=False)
    second = scan([str(tmp_path)], str(out), ScanOptions(drop=("spun",)), progress=False)
    assert first["records_in"] == second["records_in"] == 1 and second["inputs"] == 1


def _unspin(
    *args: str, stdin: bytes | None = None, timeout: int = 180
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "unspin", *args], input=stdin, capture_output=True, timeout=timeout
    )


ROWS = [
    {"id": "r1", "url": "http://a.example/1", "text": "The river runs past the old mill and "
     "into the valley where the farmers grow wheat every year.", "meta": {"lang": "en"}},
    {"id": "r2", "url": "http://a.example/2", "text": "Researchers now apply counterfeit "
     "consciousness to medical images in many hospitals.", "meta": {"lang": "en"}},
    {"id": "r3", "text": "short", "score": 3},
]  # fmt: skip


def test_ids_default_to_the_id_field_and_urls_are_kept(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in ROWS))
    out = tmp_path / "out.jsonl"
    p = _unspin("scan", str(src), "-o", str(out), "--quiet")
    assert p.returncode == 0, p.stderr
    rows = read_jsonl(out)
    assert [r["id"] for r in rows] == ["r1", "r2", "r3"]
    assert [r.get("url") for r in rows] == ["http://a.example/1", "http://a.example/2", None]
    assert rows[2]["verdict"] == "unsupported" and rows[2]["spun_probability"] is None


def test_field_names_no_record_has_fail_fast(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in ROWS))
    out = tmp_path / "out.jsonl"
    for flag, name in (("--id-field", "doc_id"), ("--text-field", "body")):
        p = _unspin("scan", str(src), "-o", str(out), flag, name)
        err = p.stderr.decode()
        assert p.returncode == 3 and f"{flag} {name}" in err and err.count("\n") == 1, err
        assert not out.exists() and not Path(str(out) + ".parts").exists()
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"content": ["a text"] * 50}), tmp_path / "p.parquet")
    p = _unspin("scan", str(tmp_path / "p.parquet"), "-o", str(out))
    err = p.stderr.decode()
    assert p.returncode == 3 and "--text-field text: no such column (columns: content)" in err
    assert not out.exists()
    for cmd in (["index", "--db", str(tmp_path / "i.db")], ["cluster"]):
        p = _unspin(*cmd, str(src), "--id-field", "doc_id")
        assert p.returncode == 3 and "--id-field doc_id" in p.stderr.decode()


@pytest.mark.parametrize("suffix", [".jsonl", ".parquet"])
def test_filters_pass_every_input_field_through(tmp_path: Path, suffix: str) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in ROWS))
    out = tmp_path / f"kept{suffix}"
    p = _unspin("scan", str(src), "-o", str(out), "--drop", "clean", "--restore", "--quiet")
    assert p.returncode == 0, p.stderr
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        rows = pq.read_table(out).to_pylist()
        rows = [{k: v for k, v in r.items() if v is not None or k in ROWS[0]} for r in rows]
    else:
        rows = read_jsonl(out)
    by_id = {r["id"]: r for r in rows}
    for original in ROWS:
        if original["id"] not in by_id:
            continue
        row = by_id[original["id"]]
        for key, value in original.items():  # every input field, unchanged
            assert row[key] == value, (key, row)
        assert row["unspin_verdict"] in ("spun", "uncertain", "unsupported")
        assert row["unspin_id"] == original["id"] and "unspin_spans" in row
        assert "unspin_restored" in row and "verdict" not in row
    assert by_id["r3"]["unspin_verdict"] == "unsupported" and "r2" in by_id  # r2 is spun


def test_stdin_and_stdout(tmp_path: Path) -> None:
    data = "".join(json.dumps(r) + "\n" for r in ROWS).encode() + b"not json\n"
    p = _unspin("scan", "-", "-o", "-", stdin=data)
    assert p.returncode == 0, p.stderr
    rows = [json.loads(line) for line in p.stdout.decode().splitlines()]
    assert [r["id"] for r in rows] == ["r1", "r2", "r3", "-:4"]
    assert all(r["source"] == "-" for r in rows) and "malformed JSON" in rows[3]["error"]
    err = p.stderr.decode()
    assert "scanned 4 records from 1 file" in err and "wrote 4 records to stdout" in err
    assert "manifest" not in err
    p = _unspin("scan", "-", "-o", "-", "--keep", "unsupported", "--quiet", stdin=data)
    kept = [json.loads(line) for line in p.stdout.decode().splitlines()]
    assert [r["id"] for r in kept] == ["r3"] and kept[0]["score"] == 3
    assert "malformed JSON" in p.stderr.decode()  # the error record is not lost: stderr
    out = tmp_path / "from_stdin.jsonl"
    assert _unspin("scan", "-", "-o", str(out), "--quiet", stdin=data).returncode == 0
    assert [r["id"] for r in read_jsonl(out)] == ["r1", "r2", "r3", "-:4"]


def test_html_files_are_scanned_by_their_main_text(tmp_path: Path) -> None:
    pytest.importorskip("trafilatura")
    page = (
        "<html><body><nav>Home | About</nav><article><p>"
        + "The river runs past the old mill and into the valley where farmers grow wheat. " * 3
        + "</p></article><footer>Walker &amp; Sons</footer></body></html>"
    )
    (tmp_path / "a.html").write_text(page)
    (tmp_path / "b.htm").write_text("<html><body><img src=x.png></body></html>")
    out = tmp_path / "out.jsonl"
    p = _unspin("scan", str(tmp_path / "a.html"), str(tmp_path / "b.htm"), "-o", str(out),
                "--restore", "--quiet")  # fmt: skip
    assert p.returncode == 0, p.stderr
    a, b = read_jsonl(out)
    assert a["verdict"] in ("clean", "uncertain") and "<" not in a["restored"]
    assert "Walker" not in a["restored"] and "farmers grow wheat" in a["restored"]
    assert b["error"].startswith("no main text")


def _descendants(pid: int) -> set[int]:
    out: set[int] = set()
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            kids = Path(f"/proc/{p}/task/{p}/children").read_text().split()
        except OSError:
            continue
        for k in map(int, kids):
            out.add(k)
            todo.append(k)
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
def test_sigkilled_scan_leaves_no_worker_processes(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "killed.jsonl"
    cmd = [*_scan_cmd(corpus, out), "-j", "2"]
    proc = subprocess.Popen(cmd, stderr=subprocess.DEVNULL)
    workers: set[int] = set()
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and proc.poll() is None and len(workers) < 2:
        workers = {w for w in _descendants(proc.pid) if _alive(w)}
        time.sleep(0.1)
    assert proc.poll() is None and len(workers) >= 2, "the workers never started"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(_alive(w) for w in workers):
        time.sleep(0.2)
    left = [w for w in workers if _alive(w)]
    for w in left:  # do not leak them into the rest of the suite
        os.kill(w, signal.SIGKILL)
    assert not left, f"orphaned workers: {left}"


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_says_rerun_resumes_and_the_resumed_summary_counts_its_own_work(
    corpus: Path, baseline: Path, tmp_path: Path
) -> None:
    out = tmp_path / "interrupted.jsonl"
    parts = Path(str(out) + ".parts")
    cmd = [c for c in _scan_cmd(corpus, out) if c != "--quiet"]
    # Ctrl-C as at a terminal: a suite started in the background (`make test &`) hands its
    # children SIGINT ignored, and Python then installs no KeyboardInterrupt handler.
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, preexec_fn=_default_sigint)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and proc.poll() is None:
        if parts.exists() and len(list(parts.glob("*-??????.jsonl"))) >= 3:
            break
        time.sleep(0.02)
    assert proc.poll() is None, "the scan finished before it could be interrupted"
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert b"run the same command again to resume" in err and b"Traceback" not in err
    done = len(list(parts.glob("*-??????.jsonl")))
    p = subprocess.run(cmd, capture_output=True, timeout=180)
    assert p.returncode == 0 and out.read_bytes() == baseline.read_bytes()
    manifest = json.loads(Path(str(out) + ".manifest.json").read_text())
    own = manifest["this_run"]["records"]
    assert own == manifest["records_in"] - manifest["resumed_records"] and 0 < own
    assert manifest["resumed_records"] >= 10 * done - 10
    summary = p.stderr.decode()
    assert f"scanned {own} records" in summary
    assert (
        f"resumed: {manifest['resumed_records']} records came from the interrupted run" in summary
    )


def test_summary_wording_is_singular_for_one(tmp_path: Path) -> None:
    src = tmp_path / "one.jsonl"
    src.write_text(json.dumps(ROWS[0]) + "\n")
    p = _unspin("scan", str(src), "-o", str(tmp_path / "o.jsonl"))
    err = p.stderr.decode()
    assert "scanned 1 record from 1 file" in err and "wrote 1 record to" in err
    assert "0 errors" in err
    for command in ("scan", "index"):
        helptext = " ".join(_unspin(command, "--help").stdout.decode().split())
        assert "(default: text)" in helptext and "default: id where records have one" in helptext


def test_no_screen_is_an_option_of_the_output(
    corpus: Path, baseline: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--no-screen changes what is written (cleared texts get the full analysis), so a
    resume must not mix the two: the options are part of the manifest."""
    monkeypatch.setenv("UNSPIN_SCREEN", "1")  # main() sets it for its workers; undone after
    out = tmp_path / "slow.jsonl"
    args = ["--id-field", "doc_id", "--max-bytes", "2000", "--shard-size", "40"]
    assert main(["scan", str(corpus), "-o", str(out), *args, "--no-screen", "--quiet"]) in (0, 1)
    slow, fast = read_jsonl(out), read_jsonl(baseline)
    assert [r["id"] for r in slow] == [r["id"] for r in fast]
    manifest = json.loads(Path(f"{out}.manifest.json").read_text())
    assert manifest["options"]["screen"] is False
