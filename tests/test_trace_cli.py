"""`unspin index`, `unspin trace`, `unspin cluster`: the JSON contract and the exit codes."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from trace_texts import SOURCES

from unspin.cli import main
from unspin.errors import EXIT_DATA, EXIT_INPUT, EXIT_OK

SPUN_OKAFOR = (
    "Margaret Okafor was conceived in 1962 in Enugu. She examined science at the University of "
    "Lagos and afterward labored for the Nigerian National Petroleum Corporation in Port "
    "Harcourt. In 1994 she established Okafor Laboratories, which created modest water channels "
    "for country facilities. The organization was offered to Veolia in 2011 for 40 million bucks."
)
SPUN_TYNE = (
    "The Tyne Bridge in Newcastle was inaugurated by King George V in 1928. It was planned by "
    "Mott, Hay and Anderson and constructed by Dorman Long of Middlesbrough. The curve ranges 161 "
    "metres over the stream and conveys the A167 street between Newcastle and Gateshead."
)


@pytest.fixture()
def files(tmp_path):
    ref = tmp_path / "ref.jsonl"
    ref.write_text(
        "".join(json.dumps({"url": k, "text": v}) + "\n" for k, v in SOURCES.items()),
        encoding="utf-8",
    )
    sus = tmp_path / "suspects.jsonl"
    sus.write_text(
        json.dumps({"text": SPUN_OKAFOR})
        + "\n"
        + "not json at all\n"
        + json.dumps({"text": "An unrelated note about baking sourdough bread at home."})
        + "\n\n"
        + json.dumps({"text": SPUN_TYNE})
        + "\n",
        encoding="utf-8",
    )
    return tmp_path, ref, sus


def test_index_then_trace_json_contract(files, capsys) -> None:
    tmp, ref, sus = files
    db = tmp / "ref.db"
    assert main(["index", str(ref), "--db", str(db), "--id-field", "url"]) == EXIT_OK
    summary = json.loads(capsys.readouterr().err)
    assert summary["added"] == 3 and summary["errors"] == 0
    assert main(["trace", str(sus), "--db", str(db), "--json"]) == EXIT_OK
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    # One line per input record (the blank line 4 is not a record), ids as `scan` gives them.
    assert [r["id"] for r in rows] == [f"{sus}:1", f"{sus}:2", f"{sus}:3", f"{sus}:5"]
    assert rows[0]["sources"][0]["id"] == "okafor"
    assert rows[0]["sources"][0]["restored"].startswith("Margaret Okafor was born in 1962")
    assert {"spun": "conceived", "original": "born"}.items() <= rows[0]["sources"][0]["pairs"][
        0
    ].items()
    assert rows[1]["sources"] == [] and rows[1]["error"].startswith("malformed JSON")
    assert rows[2]["sources"] == []
    assert rows[3]["sources"][0]["id"] == "tyne"
    for r in rows:
        sims = [s["similarity"] for s in r["sources"]]
        assert sims == sorted(sims, reverse=True) and all(0.0 <= x <= 1.0 for x in sims)


def test_index_appends_and_counts_bad_records(files, capsys) -> None:
    tmp, ref, sus = files
    db = tmp / "both.db"
    assert main(["index", str(ref), "--db", str(db)]) == EXIT_OK
    capsys.readouterr()
    assert main(["index", str(sus), "--db", str(db)]) == EXIT_OK
    summary = json.loads(capsys.readouterr().err)
    assert summary["added"] == 3 and summary["errors"] == 1
    assert summary["errors_by_reason"] == {"malformed JSON": 1}
    assert summary["index"]["documents"] == 6


def test_trace_from_stdin_human_output(files, capsys, monkeypatch) -> None:
    tmp, ref, _ = files
    db = tmp / "ref.db"
    main(["index", str(ref), "--db", str(db), "--id-field", "url", "--quiet"])
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(SPUN_TYNE.encode())))
    assert main(["trace", "-", "--db", str(db)]) == EXIT_OK
    out = capsys.readouterr().out
    assert out.startswith("-: source tyne  explains 1.00  similarity 1.00")
    assert "inaugurated → opened" in out


def test_exit_codes(files, capsys) -> None:
    tmp, ref, sus = files
    assert main(["trace", str(sus), "--db", str(tmp / "missing.db")]) == EXIT_DATA
    bad = tmp / "bad.db"
    bad.write_bytes(b"this is not a database" * 100)
    assert main(["trace", str(sus), "--db", str(bad)]) == EXIT_DATA
    assert main(["index", str(ref), "--db", str(bad)]) == EXIT_DATA
    assert bad.read_bytes() == b"this is not a database" * 100
    assert main(["index", str(tmp / "nope.jsonl"), "--db", str(tmp / "x.db")]) == EXIT_INPUT
    assert not (tmp / "x.db").exists()
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.count("unspin: error:") == 4


def test_cluster_families(files, capsys) -> None:
    tmp, ref, sus = files
    assert main(["cluster", str(ref), str(sus), "--id-field", "url", "--json"]) == EXIT_OK
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    by_id = {r["id"]: r for r in rows}
    assert by_id[f"{sus}:1"]["family"] == "okafor" and by_id["okafor"]["size"] == 2
    assert by_id[f"{sus}:5"]["family"] == "tyne"
    assert by_id["kepler"]["size"] == 1
    assert by_id[f"{sus}:2"]["error"].startswith("malformed JSON")
    assert main(["cluster", str(ref), str(sus), "--families"]) == EXIT_OK
    fams = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert sorted(len(f["members"]) for f in fams) == [1, 1, 2, 2]


def test_ray_engine_builds_the_same_index(files, capsys) -> None:
    pytest.importorskip("ray")
    import sqlite3

    tmp, ref, _ = files
    local, ray_db = tmp / "local.db", tmp / "ray.db"
    assert main(["index", str(ref), "--db", str(local), "--quiet"]) == EXIT_OK
    args = ["index", str(ref), "--db", str(ray_db), "--engine", "ray", "-j", "2", "--quiet"]
    assert main(args) == EXIT_OK

    def rows(path):
        con = sqlite3.connect(path)
        try:
            return (
                con.execute("SELECT key, doc FROM bands ORDER BY key, doc").fetchall(),
                con.execute("SELECT doc, id, words FROM docs ORDER BY doc").fetchall(),
            )
        finally:
            con.close()

    assert rows(local) == rows(ray_db)


def _unspin(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "unspin", *args], capture_output=True, text=True, timeout=180
    )


def test_indexing_the_same_file_twice_is_a_no_op_and_new_text_replaces(files) -> None:
    tmp, _, sus = files
    ref = tmp / "ids.jsonl"
    rows = [{"id": k, "text": v} for k, v in SOURCES.items()]
    rows.append({"id": "okafor-copy", "text": SOURCES["okafor"]})  # an exact duplicate
    ref.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    db = tmp / "twice.db"
    first = _unspin("index", str(ref), "--db", str(db))
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stderr)["index"]["documents"] == 4  # ids from the `id` field
    again = json.loads(_unspin("index", str(ref), "--db", str(db)).stderr)
    assert again["unchanged"] == 4 and again["added"] == again["replaced"] == 0
    assert again["index"]["documents"] == 4 and again["index"]["unique"] == 3
    traced = _unspin("trace", str(sus), "--db", str(db), "--json")
    okafor = json.loads(traced.stdout.splitlines()[0])["sources"][0]
    assert okafor["id"] == "okafor" and okafor.get("duplicates") == ["okafor-copy"]
    # New text under a known id replaces the old one (even one whose copies remain).
    rows[0]["text"] = SOURCES["kepler"].replace("Kepler", "Hubble")
    ref.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    changed = json.loads(_unspin("index", str(ref), "--db", str(db)).stderr)
    assert changed["replaced"] == 1 and changed["unchanged"] == 3
    assert changed["index"]["documents"] == 4
    traced = _unspin("trace", str(sus), "--db", str(db), "--json")
    okafor = json.loads(traced.stdout.splitlines()[0])["sources"][0]
    assert okafor["id"] == "okafor-copy" and "duplicates" not in okafor
    assert okafor["restored"].startswith("Margaret Okafor was born in 1962")


def test_cluster_summary_counts_in_words():
    """One family is "1 family", not "1 families" (the README example pair is one)."""
    examples = Path(__file__).resolve().parent.parent / "examples"
    p = _unspin("cluster", str(examples))
    assert p.returncode == 0, p.stderr
    assert "1 family of spun variants, 0 documents on their own" in p.stdout
