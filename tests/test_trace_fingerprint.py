"""Fingerprints: deterministic, process-independent, and invariant to synonym swaps."""

from __future__ import annotations

import subprocess
import sys

from unspin.build import trace_lexicon
from unspin.resources.paths import ARTIFACT_DIR
from unspin.trace.align import Text
from unspin.trace.fingerprint import (
    Fingerprinter,
    FingerprintParams,
    estimate_similarity,
    is_anchor,
    is_name,
    mutable_words,
    proper_names,
    query_word_keys,
    words,
)

ORIGINAL = (
    "Margaret Okafor was born in 1962 in Enugu. She studied chemistry at the University of "
    "Lagos and later worked for the Nigerian National Petroleum Corporation in Port Harcourt. "
    "In 1994 she founded Okafor Laboratories, which developed cheap water filters for rural "
    "clinics. The company was sold to Veolia in 2011 for 40 million dollars."
)
# Hand-spun the way article spinners do it: content words swapped, names and numbers kept.
SPUN = (
    "Margaret Okafor was conceived in 1962 in Enugu. She examined science at the College of "
    "Lagos and afterward labored for the Nigerian National Petroleum Corporation in Port "
    "Harcourt. In 1994 she established Okafor Laboratories, which created modest water "
    "channels for country facilities. The organization was offered to Veolia in 2011 for 40 "
    "million bucks."
)


def test_anchor_words_are_names_numbers_and_rare_terms() -> None:
    mutable = mutable_words()
    for w in ("okafor", "enugu", "1962", "veolia"):
        assert is_anchor(w, mutable), w
    # Words a thesaurus lists, in any inflection, and function words are not anchors.
    for w in ("studied", "companies", "wrote", "cheaper", "the", "which", "chemistry"):
        assert not is_anchor(w, mutable), w


def test_a_name_is_read_as_written_not_as_a_verb_form() -> None:
    mutable = mutable_words()
    # A surname or place that looks like "held" + "er" or "hard" + "ing" is a name; its
    # lowercase form still reads as an inflection, so neither is an anchor key.
    for w in ("helder", "harding"):
        assert is_name(w, mutable), w
        assert not is_anchor(w, mutable), w
    # Listed words, their plurals and possessives are not names.
    for w in ("university", "rain", "cities", "magpies", "river's", "the", "drew"):
        assert not is_name(w, mutable), w
    assert is_name("1962", mutable)


def test_a_word_thesauri_list_only_as_a_name_is_a_name_but_no_anchor() -> None:
    # Listed only written as a name: a name in a source ("Venezuela's" too), but still a
    # word a thesaurus lists, so the fingerprint's anchors and keys do not change. A word
    # also listed in lower case ("colorado", a cigar's colour; "john") is a common word,
    # and so are acronyms and abbreviations, which a rewrite may spell out ("LSD").
    mutable, proper = mutable_words(), proper_names()
    for w in ("venezuela", "venezuela's", "september", "washington"):
        assert is_name(w, mutable, proper), w
        assert not is_anchor(w, mutable), w
    for w in ("colorado", "john", "magpies", "lsd", "usa", "dr"):
        assert not is_name(w, mutable, proper), w
    assert proper < mutable


def test_words_normalise_case_and_possessives() -> None:
    assert words("Okafor’s LAB, 3.5 kg") == ["okafor", "lab", "3.5", "kg"]


def test_a_possessive_in_the_suspect_finds_the_sentence_key_of_the_plain_name() -> None:
    """The index keys a sentence by `words` (possessive dropped); the suspect's sentences
    come from the aligner's tokens, which keep it ("custer's"). Both must give one key."""
    source = "Custer led the cavalry into the valley at dawn that summer."
    spun = Text("Custer’s mens attacked the camp beneath fire from the rebels.")
    index_keys = set(Fingerprinter()(source).word_keys)
    query_keys = {key for key, _weight in query_word_keys(spun.sent_norms[0])}
    assert spun.sent_norms[0][0] == "custer's"
    assert index_keys & query_keys


def test_spun_copy_keeps_its_anchor_signature() -> None:
    fp = Fingerprinter()
    a, b = fp(ORIGINAL), fp(SPUN)
    assert a.n_anchor >= 8
    assert set(a.band_keys) & set(b.band_keys)
    assert float((a.anchor == b.anchor).mean()) >= 0.9
    assert estimate_similarity(a, b) >= 0.9
    unrelated = fp("The committee approved the budget for the new bridge over the river Tyne.")
    assert not set(a.band_keys) & set(unrelated.band_keys)


def test_empty_and_tiny_texts_have_no_lsh_keys() -> None:
    fp = Fingerprinter()
    empty = fp("")
    assert empty.empty and empty.n_content == 0 and empty.n_anchor == 0
    tiny = fp("Hello world.")
    assert tiny.empty and tiny.n_content == 2
    assert fp("Hello world.").digest == tiny.digest != empty.digest


def test_fingerprints_do_not_depend_on_the_process() -> None:
    # Band keys must agree across processes (no Python hash()): shards merge, indexes reopen.
    params = FingerprintParams()
    keys = Fingerprinter(params)(ORIGINAL).band_keys
    code = (
        "import sys; from unspin.trace.fingerprint import Fingerprinter;"
        "print(list(Fingerprinter()(sys.stdin.read()).band_keys))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], input=ORIGINAL, capture_output=True, text=True, check=True
    )
    assert eval(out.stdout) == list(keys)  # noqa: S307 - our own subprocess's list literal


def test_lexicon_artifact_rebuilds_byte_for_byte(tmp_path) -> None:
    out = trace_lexicon.build(out_dir=tmp_path)
    assert out.read_bytes() == (ARTIFACT_DIR / trace_lexicon.OUTPUT).read_bytes()
