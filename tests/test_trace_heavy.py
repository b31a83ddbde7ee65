"""Tracing what real spinners write: heavy phrase-level rewrites, split and merged sentences,
pages stitched from several sources (sentence by sentence), and the README's example pair,
through the API, the CLI (in a subprocess) and `cluster`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from trace_texts import SOURCES as TEXTS

from unspin.trace import Index, align, cluster, explain
from unspin.trace.align import Text

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"

# One sentence of each of three sources, each rewritten hard (phrases for words), stitched.
STITCHED = (
    "Margaret Okafor was conceived in the year 1962 in Enugu, and she examined science at the "
    "University of Lagos and afterward labored for the Nigerian National Petroleum Corporation "
    "in Port Harcourt. The curve ranges 161 metres over the stream and conveys the A167 street "
    "between Newcastle and Gateshead. Throughout nine years it noticed approximately 530,506 "
    "stars and affirmed 2,662 exoplanets prior to its gas ran out in October 2018."
)
# Same template as okafor, other names and numbers: a sibling, not a spin.
SIBLING = (
    "Astrid Lindqvist was born in 1971 in Uppsala. She studied geology at Stockholm University "
    "and later worked for the Swedish Geological Survey in Lulea. In 2003 she founded "
    "Lindqvist Mining, which developed safer ventilation for deep mines."
)
SOURCES = {**TEXTS, "lindqvist": SIBLING}  # the sibling is indexed too


def readme_pair() -> tuple[str, str]:
    return (
        (EXAMPLES / "original_article.txt").read_text(encoding="utf-8"),
        (EXAMPLES / "spun_article.txt").read_text(encoding="utf-8"),
    )


@pytest.fixture()
def db(tmp_path: Path) -> Path:
    original, _ = readme_pair()
    path = tmp_path / "refs.db"
    with Index(path, mode="a") as idx:
        idx.add([*SOURCES.items(), ("hospital-ai", original)])
    return path


def test_readme_pair_is_traced_sentence_by_sentence(db: Path) -> None:
    _, spun = readme_pair()
    t = explain(spun, str(db))
    assert [s.id for s in t.sources] == ["hospital-ai"]
    assert t.sources[0].explains >= 0.6
    # Every sentence is listed; the attributed ones point into the source's text.
    original, _ = readme_pair()
    assert [s.start for s in t.sentences] == sorted(s.start for s in t.sentences)
    attributed = [s for s in t.sentences if s.source == "hospital-ai"]
    assert len(attributed) >= 6
    for s in attributed:
        assert 0 <= s.source_start < s.source_end <= len(original)
        assert 0.0 <= s.changed <= 1.0
    first = attributed[1]  # "Over the past decade, hospitals have started to utilize ..."
    assert spun[first.start : first.end].startswith("Over the past decade")
    assert original[first.source_start : first.source_end].startswith("Over the past decade")


def test_stitched_page_gets_every_source(db: Path) -> None:
    t = explain(STITCHED, str(db))
    assert {s.id for s in t.sources} == {"okafor", "tyne", "kepler"}
    got = [(STITCHED[s.start : s.start + 12], s.source) for s in t.sentences]
    assert got == [("Margaret Oka", "okafor"), ("The curve ra", "tyne"), ("Throughout n", "kepler")]
    assert "lindqvist" not in {s.source for s in t.sentences}


def test_sources_a_few_sentences_found_pass_the_quick_test(db: Path) -> None:
    """With one candidate by overall score, the other sources come from their sentences'
    keys (`SENTENCE_TOP`): each must align a sentence that found it, or a neighbour,
    before the whole page is aligned with it. Tyne and Kepler explain one sentence each."""
    with Index(db) as idx:
        t = idx.explain(STITCHED, max_candidates=1)
    assert {s.id for s in t.sources} == {"okafor", "tyne", "kepler"}
    assert [s.source for s in t.sentences] == ["okafor", "tyne", "kepler"]
    near = align(STITCHED, SOURCES["tyne"], within={0, 1})
    assert near.sentences == 1 and align(STITCHED, SOURCES["tyne"], within={2}).sentences == 0


def test_a_weak_best_score_that_no_sentence_key_hits_is_not_verified(db: Path, monkeypatch) -> None:
    """With every sentence key held by more documents than the cap allows, candidates come
    from the bands alone and no sentence backs them: one scoring under `WEAK_SCORE` is not
    verified (its text is never read), one scoring above it is."""
    monkeypatch.setattr("unspin.trace.index.MAX_WORD_POSTINGS", 0)
    spun = SOURCES["okafor"].replace("studied", "examined").replace("cheap", "modest")
    read: list[int] = []
    text = Index.text
    monkeypatch.setattr(Index, "text", lambda self, doc: read.append(doc) or text(self, doc))
    with Index(db) as idx:
        found = idx.candidates(idx.fingerprinter(spun), Text(spun))
        assert found and not any(backing for _doc, _score, backing in found)
        assert [s.id for s in idx.trace(spun)] == ["okafor"]
        assert read
        monkeypatch.setattr("unspin.trace.index.WEAK_SCORE", found[0][1] + 1)
        read.clear()
        assert idx.trace(spun) == [] and read == []


def test_template_sibling_is_rejected(db: Path) -> None:
    """Lindqvist's text is indexed; Okafor's template with Lindqvist's names is not Okafor."""
    t = explain(SIBLING.replace("Astrid Lindqvist", "Maria Berg"), str(db))
    assert "okafor" not in {s.id for s in t.sources}
    al = align(SIBLING, SOURCES["okafor"])
    assert al.sentences == 0 or al.conflicts > 0


def test_split_and_merged_sentences_align() -> None:
    source = SOURCES["okafor"]
    # The second sentence split in two; the last two merged into one.
    suspect = (
        "Margaret Okafor was born in 1962 in Enugu. She studied chemistry at the University of "
        "Lagos. Later she worked for the Nigerian National Petroleum Corporation in Port "
        "Harcourt. In 1994 she founded Okafor Laboratories, which developed cheap water filters "
        "for rural clinics, and the company was sold to Veolia in 2011 for 40 million dollars."
    )
    al = align(suspect, source)
    assert al.similarity == 1.0 and al.conflicts == 0
    merged = al.matches[-1]
    assert source[merged.source_start : merged.source_end].startswith("In 1994")
    assert source[merged.source_start : merged.source_end].endswith("40 million dollars")
    # A changed number in the merged sentence is still a conflict.
    al = align(suspect.replace("2011", "2013"), source)
    assert al.conflicts == 1


def test_cluster_puts_the_readme_pair_in_one_family() -> None:
    original, spun = readme_pair()
    families = cluster([("original", original), ("spun", spun), *SOURCES.items()])
    sizes = {tuple(f.members): len(f.members) for f in families}
    assert ("original", "spun") in sizes
    assert all(n == 1 for m, n in sizes.items() if m != ("original", "spun"))


def _cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "unspin", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_cli_trace_json_has_sentences(db: Path) -> None:
    r = _cli("trace", "-", "--db", str(db), "--json", "--no-restored", stdin=STITCHED)
    assert r.returncode == 0, r.stderr
    row = json.loads(r.stdout)
    assert {s["id"] for s in row["sources"]} == {"okafor", "tyne", "kepler"}
    assert all(0 < s["explains"] <= 1 for s in row["sources"])
    sents = row["sentences"]
    assert [s["source"] for s in sents] == ["okafor", "tyne", "kepler"]
    for s in sents:
        assert set(s) == {"start", "end", "source", "source_start", "source_end", "changed"}
        src = SOURCES[s["source"]]
        assert 0 <= s["source_start"] < s["source_end"] <= len(src)


def test_cli_trace_readable_lists_sentences(db: Path) -> None:
    r = _cli("trace", "-", "--db", str(db), stdin=STITCHED)
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert "-: source okafor" in out and "also tyne" in out and "also kepler" in out
    assert "sentence by sentence:" in out
    assert "← kepler [" in out


def test_cli_cluster_readme_pair(tmp_path: Path) -> None:
    r = _cli("cluster", str(EXAMPLES / "original_article.txt"), str(EXAMPLES / "spun_article.txt"))
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("family of 2:")
