"""The benchmark spinner: exact offsets, determinism, the requested rate, spinner habits."""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.spinner import Spinner, default_data_dir, load_dictionary  # noqa: E402

TOY = {
    "big data": ["colossal information"],
    "big": ["colossal", "huge"],
    "data": ["information"],
    "dog": ["puppy"],
    "run": ["sprint"],
    "house": ["Residence"],
    "quick": ["speedy"],
    "analysis": ["examination"],
    "market": ["marketplace"],
    "report": ["account"],
}
TEXT = (
    "Big data changed the market. The quick dog runs to the house, and the analysis of big "
    "data helps  every report.\nIf it was raining, Paris stayed dry; the dog ran home."
)


def _unspin(spun: str, spans: list[dict]) -> str:
    out, pos = [], 0
    for s in spans:
        out.append(spun[pos : s["start"]])
        out.append(s["original"])
        pos = s["end"]
    out.append(spun[pos:])
    return "".join(out)


def test_offsets_exact_and_everything_else_kept() -> None:
    res = Spinner(TOY, rate=1.0, seed=3, function_rate=1.0).spin(TEXT)
    assert res.spans, "a full-rate spin must change something"
    for s in res.spans:
        assert res.text[s["start"] : s["end"]] == s["text"]
        assert s["kind"] == "substitution"
    starts = [s["start"] for s in res.spans]
    assert starts == sorted(starts)
    # Undoing every span gives back the input byte for byte (whitespace, punctuation, newline).
    assert _unspin(res.text, res.spans) == TEXT


def test_longest_phrase_capitals_and_function_swaps() -> None:
    res = Spinner(TOY, rate=1.0, seed=0, function_rate=1.0).spin(TEXT)
    pairs = {(s["original"], s["text"]) for s in res.spans}
    assert ("Big data", "Colossal information") in pairs  # phrase match, sentence-start capital
    assert ("big data", "colossal information") in pairs
    assert ("house", "Residence") in pairs  # the dictionary entry keeps its capital mid-sentence
    assert ("runs", "sprints") in pairs  # lemma + naive re-inflection
    assert "Paris" in res.text  # proper noun mid-sentence untouched
    originals = {s["original"] for s in res.spans}
    assert {"If", "it was", "helps"} <= originals  # function-word phrase swaps


def test_deterministic_per_seed_and_text() -> None:
    a = Spinner(TOY, rate=0.5, seed=7).spin(TEXT)
    b = Spinner(TOY, rate=0.5, seed=7)
    b.spin("unrelated text about a dog")  # call order must not matter
    assert b.spin(TEXT).text == a.text
    texts = {Spinner(TOY, rate=0.5, seed=s).spin(TEXT).text for s in range(8)}
    assert len(texts) > 1


def test_zero_rate_changes_nothing() -> None:
    res = Spinner(TOY, rate=0.0, seed=1, function_rate=0.0).spin(TEXT)
    assert res.text == TEXT and res.spans == []


def test_rate_on_real_dictionary() -> None:
    dictionary = load_dictionary("oewn", default_data_dir())
    assert "neuron" in dictionary["nerve cell"]
    paragraph = (
        "The committee approved the new budget after a long debate about public transport, "
        "schools and hospitals. Critics argued that the plan would raise local taxes and reduce "
        "services in rural areas, while supporters said the investment was necessary to repair "
        "old roads, build affordable housing and attract young families to the region."
    )
    for rate in (0.1, 0.2, 0.3):
        res = Spinner(dictionary, rate=rate, seed=11, function_rate=0.0).spin(paragraph)
        assert res.content_words > 20
        achieved = res.replaced_content_words / res.content_words
        assert abs(achieved - rate) <= 1.5 / res.content_words + 0.02
        assert _unspin(res.text, res.spans) == paragraph
