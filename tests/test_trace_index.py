"""The reference index: finds spun copies, keeps every record accounted for, and refuses
old, foreign or damaged files without touching them."""

from __future__ import annotations

import hashlib
import lzma
import sqlite3
import sys
from pathlib import Path

import pytest

from unspin.errors import DataError
from unspin.resources.paths import REPO_ROOT, shared_data_dir
from unspin.trace import Index, trace
from unspin.trace.align import Text
from unspin.trace.engine import trace_many
from unspin.trace.fingerprint import THESAURUS_KEY_WEIGHT, query_word_keys, word_key
from unspin.trace.index import LONG_DOC

sys.path.insert(0, str(REPO_ROOT))
from benchmarks.spinner import Spinner, load_dictionary  # noqa: E402

HELD_OUT = "enwiki-slices/enwiki2021slice_part01.txt.xz"


def _articles(n: int) -> list[str]:
    """The first `n` articles of >= 80 words of the held-out slice (bodies only)."""
    out: list[str] = []
    paras: list[str] = []
    with lzma.open(shared_data_dir() / HELD_OUT, "rt", encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("= ") and line.endswith(" ="):
                continue
            if line:
                paras.append(line)
                continue
            if paras and len(" ".join(paras).split()) >= 80:
                out.append("\n".join(paras))
                if len(out) == n:
                    break
            paras = []
    return out


@pytest.fixture(scope="module")
def corpus() -> list[str]:
    return _articles(260)


@pytest.fixture(scope="module")
def built(tmp_path_factory, corpus) -> Path:
    db = tmp_path_factory.mktemp("trace") / "ref.db"
    with Index(db, mode="a") as idx:
        stats = idx.add((f"ref-{i}", t) for i, t in enumerate(corpus[:200]))
    assert stats.added == 200 and stats.duplicates == 0 and stats.empty == 0
    return db


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize(("dictionary", "rate"), [("moby", 0.3), ("oewn+ppdb", 0.3)])
def test_finds_the_source_of_spun_copies(built, corpus, dictionary, rate) -> None:
    spinner = Spinner(load_dictionary(dictionary), rate, seed=5)
    with Index(built) as idx:
        for i in range(0, 200, 10):
            spun = spinner.spin(corpus[i]).text
            sources = idx.trace(spun)
            assert sources and sources[0].id == f"ref-{i}", (i, [s.id for s in sources])
            best = sources[0]
            assert best.similarity >= 0.7
            for p in best.alignment.pairs:
                assert spun[p.start : p.end] == p.spun


def test_unindexed_articles_find_no_source(built, corpus) -> None:
    with Index(built) as idx:
        for text in corpus[200:]:
            assert idx.trace(text) == []


def test_restoration_comes_from_the_source(built, corpus) -> None:
    spun = Spinner(load_dictionary("moby"), 0.2, seed=1).spin(corpus[7]).text
    best = trace(spun, built)[0]
    # Word-level restoration: every swapped stretch now reads as in the source.
    restored_words = best.alignment.restored.split()
    source_words = corpus[7].split()
    same = sum(a == b for a, b in zip(restored_words, source_words))
    assert same / len(source_words) >= 0.95


def test_workers_give_the_same_answers(built, corpus) -> None:
    spinner = Spinner(load_dictionary("moby"), 0.2, seed=9)
    recs = [(str(i), spinner.spin(corpus[i]).text, None) for i in range(0, 40, 4)]
    recs.append(("bad", None, "malformed JSON: Expecting value"))
    one = [
        (r, [s.id for s in t.sources] if t else [], e)
        for r, t, e in trace_many(str(built), recs, jobs=1)
    ]
    two = [
        (r, [s.id for s in t.sources] if t else [], e)
        for r, t, e in trace_many(str(built), recs, jobs=2)
    ]
    assert one == two
    assert one[-1] == ("bad", [], "malformed JSON: Expecting value")
    assert [ids[0] for _, ids, _ in one[:-1]] == [f"ref-{i}" for i in range(0, 40, 4)]


def test_exact_duplicates_are_stored_once_and_reported_together(tmp_path, corpus) -> None:
    db = tmp_path / "dups.db"
    with Index(db, mode="a") as idx:
        stats = idx.add([("a", corpus[0]), ("b", corpus[1]), ("a-copy", corpus[0] + "\n")])
        assert (stats.added, stats.duplicates) == (2, 1)
        assert idx.stats()["documents"] == 3 and idx.stats()["unique"] == 2
        spun = Spinner(load_dictionary("moby"), 0.2, seed=3).spin(corpus[0]).text
        best = idx.trace(spun)
        assert [s.id for s in best] == ["a"] and best[0].duplicates == ["a-copy"]


def test_empty_tiny_and_number_documents(tmp_path) -> None:
    table = "\n".join(f"{y} {y * 3 % 97} {y * 7 % 89} {y % 13}.{y % 7}" for y in range(1990, 2021))
    other_table = "\n".join(f"{y} {y * 5 % 83} {y * 11 % 79}" for y in range(1950, 1981))
    db = tmp_path / "edge.db"
    with Index(db, mode="a") as idx:
        stats = idx.add([("empty", ""), ("blank", "  \n\t"), ("tiny", "Ok."), ("table", table)])
        assert (stats.added, stats.empty, stats.unsigned) == (2, 2, 1)
        # Tiny documents are found as exact copies; tables of numbers by their numbers.
        assert [s.id for s in idx.trace("Ok.")] == ["tiny"]
        assert [s.id for s in idx.trace(table)] == ["table"]
        assert idx.trace(other_table) == []
        assert idx.trace("") == [] and idx.trace("Fine.") == []
        assert idx.trace("- item one\n- item two\n- item three") == []


def test_append_and_read_only(tmp_path, corpus) -> None:
    db = tmp_path / "grow.db"
    with Index(db, mode="a") as idx:
        idx.add([("x", corpus[0])])
    with Index(db, mode="a") as idx:
        idx.add([("y", corpus[1])])
        assert len(idx) == 2
    with Index(db) as idx:
        assert len(idx) == 2
        with pytest.raises(DataError, match="read-only"):
            idx.add_text("z", corpus[2])
        assert [s.id for s in idx.trace(corpus[1])] == ["y"]


def test_missing_index_is_a_clear_error(tmp_path) -> None:
    with pytest.raises(DataError, match="no such index"):
        Index(tmp_path / "nope.db")


def test_index_from_an_older_version_is_refused_untouched(tmp_path, corpus) -> None:
    db = tmp_path / "old.db"
    with Index(db, mode="a") as idx:
        idx.add([("x", corpus[0])])
    con = sqlite3.connect(db)
    with con:
        con.execute("UPDATE meta SET value = '0' WHERE key = 'schema_version'")
        con.execute("UPDATE meta SET value = '0.0.1' WHERE key = 'unspin_version'")
    con.close()
    before = _sha(db)
    for mode in ("r", "a"):
        with pytest.raises(DataError, match="older unspin .*0.0.1.*rebuild"):
            Index(db, mode=mode)
    assert _sha(db) == before


def test_index_with_another_lexicon_is_refused(tmp_path, corpus) -> None:
    db = tmp_path / "lex.db"
    with Index(db, mode="a") as idx:
        idx.add([("x", corpus[0])])
    con = sqlite3.connect(db)
    with con:
        con.execute("UPDATE meta SET value = 'feedfeedfeedfeed' WHERE key = 'lexicon'")
    con.close()
    with pytest.raises(DataError, match="rebuild"):
        Index(db)


def test_corrupted_files_are_refused_untouched(tmp_path, built) -> None:
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(bytes(range(256)) * 40)
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    truncated = tmp_path / "truncated.db"
    data = built.read_bytes()
    truncated.write_bytes(data[: len(data) // 2])
    damaged = tmp_path / "damaged.db"
    middle = len(data) // 2
    damaged.write_bytes(data[:middle] + b"\xa5" * 8192 + data[middle + 8192 :])
    foreign = tmp_path / "foreign.db"
    con = sqlite3.connect(foreign)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    for path in (garbage, empty, truncated, damaged, foreign):
        before = _sha(path)
        with pytest.raises(DataError, match="corrupted|not an unspin index|not an index"):
            with Index(path, mode="a") as idx:
                idx.add([("new", "A new document about the Okafor Laboratories of Enugu.")])
        assert _sha(path) == before, path
    for path in (garbage, empty, truncated, foreign):
        with pytest.raises(DataError):
            Index(path)


def test_real_spinbot_copy_is_traced(tmp_path, corpus) -> None:
    # The one real SpinBot output we have: it rewrites about 40% of the words.
    sample = shared_data_dir() / "spinbot-sample"
    original = (sample / "dog_original.txt").read_text(encoding="utf-8")
    spun = (sample / "dog_spun.txt").read_text(encoding="utf-8")
    db = tmp_path / "dog.db"
    with Index(db, mode="a") as idx:
        idx.add([("dog", original)] + [(f"wiki-{i}", t) for i, t in enumerate(corpus[:100])])
        sources = idx.trace(spun)
    assert [s.id for s in sources] == ["dog"]
    assert sources[0].similarity >= 0.7
    pairs = {(p.spun, p.original) for p in sources[0].alignment.pairs}
    assert ("residential puppy", "domestic dog") in pairs


def test_a_rare_synonym_the_spinner_put_in_does_not_outrank_the_source(tmp_path) -> None:
    # The spinner swapped "mended" (one of the source sentence's two keys) for the rare
    # "darned", which keys three documents that really darn socks. The name it kept
    # ("Tarbela") keys four documents, the source among them. A word a thesaurus lists
    # counts a quarter of one no thesaurus lists, so the sentence's own best documents are
    # the ones sharing the name, not the ones sharing the synonym.
    source = (
        "The men of Tarbela mended their torn nets at dawn before the market opened. They "
        "sold the catch to traders who came up from the plains each week. Boats were built "
        "from shisham wood felled in the hills above the river. Children learned to swim "
        "before they could read, and the elders kept the old songs of the ferry crossings."
    )
    spun = "The men of Tarbela darned their torn nets at dawn before the market opened."
    docs = [("source", source)]
    for i, when in enumerate(["a dry season", "the monsoon", "a cold year"]):
        docs.append((f"dam-{i}", f"Tarbela Dam on the Indus was finished in {when} after delays."))
    for i, what in enumerate(["woollen socks", "old sweaters", "worn gloves"]):
        docs.append((f"darn-{i}", f"Every winter evening her grandmother darned the {what}."))
    db = tmp_path / "ref.db"
    with Index(db, mode="a") as idx:
        idx.add(docs)
    weights = [w for _key, w in query_word_keys(["tarbela", "darned"])]
    assert weights == [1.0, THESAURUS_KEY_WEIGHT]
    with Index(db) as idx:
        ids = dict(idx._q("SELECT doc, id FROM docs"))
        found = idx.candidates(idx.fingerprinter(spun), Text(spun), limit=1)
    backed = {ids[doc] for doc, _score, backing in found if 0 in backing}
    assert "source" in backed
    assert not backed & {"darn-0", "darn-1", "darn-2"}


def test_a_long_document_holding_a_sentences_keys_ranks_below_a_short_one(tmp_path) -> None:
    # A long page (a digest of a dozen articles) holds some sentence's keys for any query:
    # its sentence-key hits weigh less (`LONG_DOC`), so where it and the short source
    # share a spun sentence's keys alike, the source is ranked first (on a tie the earlier
    # document would be) and the long page is not verified first.
    sentence = "The men of Tarbela mended their torn nets at dawn before the market opened."
    source = sentence + (
        " They sold the catch to traders who came up from the plains each week. Boats were "
        "built from shisham wood felled in the hills above the river. Children learned to "
        "swim before they could read, and the elders kept the old songs of the ferry crossings."
    )
    digest = "\n".join(_articles(12) + [sentence])
    spun = "The men of Tarbela darned their torn nets at dawn before the market opened."
    db = tmp_path / "ref.db"
    with Index(db, mode="a") as idx:
        idx.add([("digest", digest), ("source", source)])
    with Index(db) as idx:
        ids = dict(idx._q("SELECT doc, id FROM docs"))
        words = dict(idx._q("SELECT id, words FROM docs"))
        assert words["digest"] > 2 * LONG_DOC
        found = idx.candidates(idx.fingerprinter(spun), Text(spun), limit=1)
        assert [ids[doc] for doc, *_ in found] == ["source", "digest"]
        # Appending through another handle is seen by a reader that has ranked before.
        with Index(db, mode="a") as other:
            other.add([("copy", source.replace("plains", "hills"))])
        ids = dict(idx._q("SELECT doc, id FROM docs"))
        again = idx.candidates(idx.fingerprinter(spun), Text(spun), limit=1)
        assert "copy" in {ids[doc] for doc, *_ in again}


def test_a_boilerplate_key_is_remembered_until_this_index_rewrites_a_document(
    tmp_path, monkeypatch
) -> None:
    # With room for two postings a sentence key, a sentence three pages share keys nothing:
    # it is boilerplate, remembered so that its postings are not read again. Re-adding one
    # page with other words removes its keys, and the sentence then keys the other two.
    monkeypatch.setattr("unspin.trace.index.MAX_WORD_POSTINGS", 2)
    shared = "The men of Tarbela mended their torn nets at dawn before the market opened."
    rest = [
        "Goats grazed on the terraces above the orchard of apricots.",
        "A brass band played at the wedding of the miller's eldest daughter.",
        "Snow closed the pass to the salt caravans for most of the winter.",
    ]
    spun = "The men of Tarbela darned their torn nets at dawn before the market opened."
    db = tmp_path / "ref.db"
    with Index(db, mode="a") as idx:
        idx.add([(name, f"{shared} {more}") for name, more in zip("abc", rest)])
        ids = dict(idx._q("SELECT doc, id FROM docs"))

        def backed() -> set[str]:
            found = idx.candidates(idx.fingerprinter(spun), Text(spun))
            return {ids[doc] for doc, _score, sentences in found if sentences}

        assert backed() == set()
        assert word_key("tarbela") in idx._boilerplate
        idx.add([("c", rest[2])])
        ids = dict(idx._q("SELECT doc, id FROM docs"))
        assert backed() == {"a", "b"}


def test_a_replaced_document_takes_its_sentence_keys_with_it(tmp_path) -> None:
    # Re-adding an id with other words removes every key of its old text, sentence keys as
    # well as bands, and the copy that inherits the stored text inherits them all: no key
    # points at a document that is gone, and the copy is found by a spun sentence. A key
    # an older version left behind is passed over, not read as a corrupted index.
    text = (
        "The men of Tarbela mended their torn nets at dawn before the market opened. "
        "Goats grazed on the terraces above the orchard of apricots."
    )
    spun = "The men of Tarbela darned their torn nets at dawn before the market opened."
    db = tmp_path / "ref.db"
    with Index(db, mode="a") as idx:
        idx.add([("a", text), ("b", text), ("c", "Snow closed the pass to the salt caravans.")])
        idx.add([("a", "A brass band played at the wedding of the miller's eldest daughter.")])
        orphans = "SELECT COUNT(*) FROM bands WHERE doc NOT IN (SELECT doc FROM docs)"
        assert idx._q(orphans).fetchone()[0] == 0
        ids = dict(idx._q("SELECT doc, id FROM docs"))
        found = idx.candidates(idx.fingerprinter(spun), Text(spun))
        assert "b" in {ids[doc] for doc, _score, sentences in found if sentences}
    # Keys left behind by a removed document 0, as older versions did: ranked first (a tie
    # goes to the lower number), they are passed over.
    with sqlite3.connect(db) as conn:
        (heir,) = conn.execute("SELECT doc FROM docs WHERE id = 'b'").fetchone()
        conn.execute("INSERT INTO bands SELECT key, 0 FROM bands WHERE doc = ?", (heir,))
    with Index(db) as idx:
        assert idx.candidates(idx.fingerprinter(spun), Text(spun))[0][0] == 0
        assert [s.id for s in idx.trace(spun, min_similarity=0.1)] == ["b"]


def test_a_sentence_the_spinner_took_its_two_rarest_words_from_is_found_by_its_third(
    tmp_path,
) -> None:
    # The source sentence's three rarest words are "oaken", "vintners" and "staves"; the
    # spinner swapped the first two. "staves", a word a thesaurus lists, keys the source
    # and one other document: a quarter weight over the square root of two, which is
    # still a sentence's own best document worth verifying. The document that shares the
    # most words overall takes the one ranked place.
    source = (
        "The cooper hammered the oaken staves into barrels for the vintners of the valley. "
        "His workshop stood beside the mill race, and the smoke of his fires could be seen "
        "from the ridge. In winter he mended carts for the farmers and sold kindling."
    )
    spun = "The cooper hammered the oak staves into barrels for the winemakers of the valley."
    docs = [
        ("source", source),
        ("ships", "Sailors kept their rations in barrels bound with iron hoops and staves."),
        (
            "winery",
            "The winemakers of the valley bought barrels from a cooper in town. The valley "
            "winemakers hammered out a deal with the cooper for new barrels every autumn.",
        ),
    ]
    db = tmp_path / "ref.db"
    with Index(db, mode="a") as idx:
        idx.add(docs)
        assert idx.params.sentence_keys == 3
    with Index(db) as idx:
        ids = dict(idx._q("SELECT doc, id FROM docs"))
        found = idx.candidates(idx.fingerprinter(spun), Text(spun), limit=1)
        assert ids[found[0][0]] == "winery"
        assert "source" in {ids[doc] for doc, _score, backing in found if 0 in backing}
        assert [s.id for s in idx.trace(spun)] == ["source"]


STOCK = (
    "The Silver Heron medal was awarded for courage on the river or for long service on "
    "the ferries. Its first statute of 1931 named three grades, each worn on a blue ribbon "
    "with a white stripe. A later statute of 1948 added a fourth grade for rescues made at "
    "night or in flood. Recipients were entered in the registry kept at the harbour office "
    "in Valdemoor."
)


def test_a_stock_paragraph_many_documents_carry_names_none_of_them(tmp_path) -> None:
    # Two articles of one series carry the same paragraph; a third, not indexed, carries
    # it too. Both indexed ones explain that paragraph word for word and nothing else, so
    # neither is its source. A spun copy of one of them is still traced to it, paragraph
    # and all, and a source indexed twice (a mirror with page furniture) is still found.
    a = (
        "The Marta Kell was a paddle ferry built at the Orsk yard in 1902 for the Lisk "
        "crossing. She carried carts, cattle and mail until the bridge opened, and her crew "
        "kept a log that survives in the town archive. " + STOCK
    )
    b = (
        "Ivo Brann served as harbour master of Tarrow for twenty years and wrote two books "
        "on the tides of the estuary. He is remembered for the night of the great flood, "
        "when he sailed out alone to bring in the stranded barges. " + STOCK
    )
    own = (
        "Sela Voss was a cargo schooner that traded salt and timber along the northern "
        "coast until she was wrecked off Okham in a winter gale. Her bell hangs in the "
        "chapel of the fishermen who saved her crew."
    )
    mirror = "Home | Boats | Contact\n" + own + "\nShare this page"
    db = tmp_path / "ref.db"
    with Index(db, mode="a") as idx:
        idx.add([("a", a), ("b", b), ("own", own), ("mirror", mirror)])
    third = (
        "The Anja Roon was a chain ferry that worked the narrows at Pell from 1925 to 1960. "
        "Her winch house is kept as a museum beside the landing stage. " + STOCK
    )
    spun_a = a.replace("carried", "transported").replace("survives", "endures")
    spun_own = own.replace("traded", "dealt").replace("saved", "rescued") + (
        " Order cheap boat insurance online today with free quotes from our partners."
    )  # a pasted line, so the mirror is verified too and ties with its copy
    with Index(db) as idx:
        assert idx.trace(third) == []
        assert [s.id for s in idx.trace(spun_a)][:1] == ["a"]
        assert idx.explain(spun_a).sources[0].similarity > 0.9
        assert {s.id for s in idx.trace(spun_own)} & {"own", "mirror"}
