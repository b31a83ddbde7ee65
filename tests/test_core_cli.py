"""`unspin check`: output modes and documented exit codes, run as a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "spun_article.txt"


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "unspin", *args], input=stdin, capture_output=True, timeout=120
    )


def test_check_plain_output_marks_spans():
    p = run("check", str(EXAMPLE), "--color", "never")
    out = p.stdout.decode()
    assert p.returncode in (0, 1)
    assert "[counterfeit consciousness → artificial intelligence]" in out
    assert "verdict:" in out.splitlines()[-1]
    assert "\x1b[" not in out


def test_check_colour_when_forced():
    p = run("check", str(EXAMPLE), "--color", "always")
    assert "\x1b[33m" in p.stdout.decode()


def test_check_json_schema():
    p = run("check", "--json", str(EXAMPLE))
    report = json.loads(p.stdout)
    assert {"spun_probability", "verdict", "spans", "restored", "language", "words"} <= set(report)
    text = EXAMPLE.read_text(encoding="utf-8")
    for s in report["spans"]:
        assert text[s["start"] : s["end"]] == s["text"]
    assert p.returncode == (1 if report["verdict"] == "spun" else 0)


def test_check_restore_and_stdin():
    text = "Researchers now apply counterfeit consciousness to medical images in many hospitals."
    p = run("check", "--restore", "-", stdin=text.encode())
    assert p.returncode in (0, 1)
    assert p.stdout.decode() == text.replace("counterfeit consciousness", "artificial intelligence")


def test_exit_code_spun_is_one():
    text = " ".join(
        [
            "The counterfeit consciousness system learns from colossal information.",
            "Profound learning and counterfeit consciousness are applied to colossal information.",
            "Engineers train profound learning models with colossal information every day,",
            "and counterfeit consciousness tools use profound learning on colossal information.",
        ]
    )
    p = run("check", "--json", "-", stdin=text.encode())
    assert json.loads(p.stdout)["verdict"] == "spun"
    assert p.returncode == 1


def test_bad_inputs_give_one_line_errors(tmp_path):
    binary = tmp_path / "b.bin"
    binary.write_bytes(b"\x00\x01\x02garbage")
    latin1 = tmp_path / "l.txt"
    latin1.write_bytes("caf\xe9 ".encode("latin-1") * 10)
    for args, code in (
        (["check", str(tmp_path / "missing.txt")], 3),
        (["check", str(binary)], 3),
        (["check", str(latin1)], 3),
        (["check", str(tmp_path)], 3),
        (["check", "--threshold", "7", str(EXAMPLE)], 2),
        (["nosuchcommand"], 2),
    ):
        p = run(*args)
        err = p.stderr.decode()
        assert p.returncode == code, (args, err)
        assert "Traceback" not in err
        assert err.strip().count("\n") == 0 or code == 2


def test_empty_input_is_unsupported_not_an_error(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    p = run("check", "--json", str(empty))
    assert p.returncode == 0
    assert json.loads(p.stdout)["verdict"] == "unsupported"


def test_missing_artifacts_are_a_data_error(tmp_path):
    code = (
        "import sys, unspin\n"
        "from unspin.cli import main\n"
        "unspin._default = unspin.Analyzer(data_dir=sys.argv[1])\n"
        "sys.exit(main(['check', sys.argv[2]]))\n"
    )
    p = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path), str(EXAMPLE)], capture_output=True, timeout=60
    )
    assert p.returncode == 4
    assert "artifacts missing" in p.stderr.decode()
    assert "Traceback" not in p.stderr.decode()
