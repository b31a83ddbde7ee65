"""`unspin check`: output modes and documented exit codes, run as a real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from terminal import on_terminal

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


ONE_SWAP = "Researchers now apply counterfeit consciousness to medical images in many hospitals."
PAGE = (
    "<html><head><title>AI &amp; hospitals</title></head><body><nav>Home | About | Contact</nav>"
    "<article><p>Over the past decade, hospitals have started to utilize counterfeit "
    "consciousness to read medical images &amp; to predict which patients need urgent care. "
    "The frameworks learn from colossal information: millions of scans, laboratory results "
    "and doctors' notes.</p></article><footer>Walker &amp; Sons</footer></body></html>"
)


def test_too_short_text_is_left_alone_everywhere_in_the_cli():
    p = run("check", "-", stdin=b"short\n")
    out = p.stdout.decode()
    assert p.returncode == 0 and "[" not in out and "Shortly" not in out
    assert "verdict: unsupported (1 word; nothing flagged)" in out and "probability" not in out
    assert run("check", "--restore", "-", stdin=b"short\n").stdout == b"short\n"
    report = json.loads(run("check", "--json", "-", stdin=b"Hello world.").stdout)
    assert report["spun_probability"] is None and report["spans"] == []


def test_several_files_and_output_file(tmp_path):
    clean = tmp_path / "clean.txt"
    clean.write_text(
        "The river runs past the old mill and into the valley where farmers grow wheat."
    )
    out = tmp_path / "reports.jsonl"
    p = run("check", "--json", str(EXAMPLE), str(clean), "-o", str(out))
    assert p.returncode == 1 and p.stdout == b""  # one of them is spun
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["file"] for r in rows] == [str(EXAMPLE), str(clean)]
    assert rows[0]["verdict"] == "spun" and rows[1]["spans"] == []
    human = run("check", "--color", "never", str(clean), str(EXAMPLE)).stdout.decode()
    assert f"==> {clean} <==" in human and f"==> {EXAMPLE} <==" in human
    assert human.count("verdict:") == 2
    folder = tmp_path / "restored"
    folder.mkdir()
    assert run("check", "--restore", str(EXAMPLE), str(clean), "-o", str(folder)).returncode == 1
    assert "artificial intelligence" in (folder / EXAMPLE.name).read_text()
    assert (folder / "clean.txt").read_text() == clean.read_text()
    p = run("check", "--restore", str(EXAMPLE), str(clean))
    assert p.returncode == 3 and "-o FOLDER" in p.stderr.decode()
    p = run("check", str(EXAMPLE), str(tmp_path / "missing.txt"))  # fails before any output
    assert (
        p.returncode == 3 and p.stdout == b"" and "missing.txt: no such file" in p.stderr.decode()
    )


def test_html_is_reduced_to_its_main_text(tmp_path):
    pytest.importorskip("trafilatura")
    page = tmp_path / "page.html"
    page.write_text(PAGE)
    p = run("check", "--color", "never", str(page))
    out = p.stdout.decode()
    assert "[counterfeit consciousness → artificial intelligence]" in out
    assert "<" not in out and "&amp" not in out and "Walker" not in out and "Contact" not in out
    restored = run("check", "--restore", str(page)).stdout.decode()
    assert "artificial intelligence" in restored and "<" not in restored and "&" in restored
    piped = run("check", "--restore", "--html", "-", stdin=PAGE.encode()).stdout.decode()
    assert piped == restored
    plain = run("check", "--json", "-", stdin=PAGE.encode())  # without --html: text as given
    assert json.loads(plain.stdout)["restored"].startswith("<html>")
    empty = tmp_path / "empty.html"
    empty.write_text("<html><body><script>var a = 1;</script></body></html>")
    p = run("check", str(empty))
    assert p.returncode == 3 and "no main text" in p.stderr.decode()


def test_encoding_option_and_utf16_by_byte_order_mark(tmp_path):
    latin1 = tmp_path / "l.txt"
    latin1.write_bytes(("Le café " + ONE_SWAP).encode("latin-1"))
    p = run("check", "--restore", str(latin1))
    assert p.returncode == 3 and "--encoding" in p.stderr.decode()
    p = run("check", "--restore", "--encoding", "latin-1", str(latin1))
    out = p.stdout.decode()
    assert p.returncode in (0, 1) and "café Researchers" in out and "artificial intelligence" in out
    for codec in ("utf-16", "utf-32"):
        path = tmp_path / f"{codec}.txt"
        path.write_bytes(ONE_SWAP.encode(codec))  # Python writes the byte-order mark
        p = run("check", "--restore", str(path))
        assert p.returncode in (0, 1), p.stderr
        assert p.stdout.decode() == ONE_SWAP.replace(
            "counterfeit consciousness", "artificial intelligence"
        )
    p = run("check", "--encoding", "klingon", str(latin1))
    assert p.returncode == 3 and "unknown encoding" in p.stderr.decode()


def test_input_over_the_documented_limit_is_refused(tmp_path):
    from unspin.io import MAX_INPUT_BYTES

    big = tmp_path / "big.txt"
    big.write_bytes(b"word " * (MAX_INPUT_BYTES // 5 + 1))
    for args, stdin in (([str(big)], None), (["-"], big.read_bytes())):
        p = run("check", *args, stdin=stdin)
        err = p.stderr.decode()
        assert p.returncode == 3 and "larger than 4 MiB" in err and "unspin scan" in err
        assert err.count("\n") == 1


def test_wording_counts_and_help():
    line = run("check", "--color", "never", "-", stdin=ONE_SWAP.encode()).stdout.decode()
    assert "11 words; 1 substitution)" in line.splitlines()[-1]
    line = run("check", "--color", "never", str(EXAMPLE)).stdout.decode().splitlines()[-1]
    assert "substitutions)" in line and "substitution)" not in line
    helptext = run("check", "--help").stdout.decode()
    assert "--color" in helptext and "NO_COLOR" in helptext and "--encoding" in helptext


def test_long_input_shows_progress_on_a_terminal_only(tmp_path):
    from unspin.commands.check import PROGRESS_CHARS

    para = "The river runs past the old mill and into the valley where farmers grow wheat. "
    long = tmp_path / "long.txt"
    long.write_text(para * (PROGRESS_CHARS // len(para) + 1))
    piped = run("check", "--json", str(long))
    assert b"check:" not in piped.stderr and piped.returncode in (0, 1)
    # --no-screen: the full detector's work is what the bar follows
    rc, seen = on_terminal(
        [sys.executable, "-m", "unspin", "check", "--json", "--no-screen", str(long)]
    )
    assert rc in (0, 1)
    assert b"\x1b[Kcheck: 1% of 200," in seen and b"s left" in seen and b"check: 100%" in seen


def test_no_screen_and_device_options(tmp_path):
    """--no-screen sends the text through the full detector (its signals show the units it
    scored); the default lets the screen clear a clean document; an unusable --device or
    UNSPIN_DEVICE is one line, not a traceback."""
    original = tmp_path / "clean.txt"  # a clean document of ordinary length (~300 words)
    original.write_text("\n\n".join([(EXAMPLE.parent / "original_article.txt").read_text()] * 2))
    fast = json.loads(run("check", "--json", str(original)).stdout)
    slow = json.loads(run("check", "--json", "--no-screen", str(original)).stdout)
    assert "screen" in fast["signals"] and "units" not in fast["signals"]
    assert "units" in slow["signals"] and "screen" not in slow["signals"]
    assert fast["verdict"] == slow["verdict"] == "clean"
    bad = run("check", "--device", "gpu", str(original))
    assert bad.returncode == 2 and b"invalid choice" in bad.stderr
    env = {**os.environ, "UNSPIN_DEVICE": "tpu"}
    p = subprocess.run([sys.executable, "-m", "unspin", "check", str(original)],
                       capture_output=True, env=env, timeout=120)  # fmt: skip
    assert p.returncode == 3 and b"Traceback" not in p.stderr
    assert p.stderr.decode().strip().endswith("not 'tpu'")
