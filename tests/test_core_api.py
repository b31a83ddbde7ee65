"""The Python API and the report contract, on real artifacts."""

from __future__ import annotations

import numpy as np
import pytest

import unspin
import unspin.analyzer as analyzer_module
from unspin.restoration import apply_spans
from unspin.signals.artifacts import find_artifacts
from unspin.text.normalize import fold_homoglyphs
from unspin.text.tokens import tokenize

SPUN = (
    "Researchers now apply counterfeit consciousness to colossal information from hospitals, "
    "and profound learning models read scans faster than any doctor could."
)
CONTRACT_KEYS = {"spun_probability", "verdict", "spans", "restored", "language", "words"}
SPAN_KEYS = {"start", "end", "text", "kind", "original", "score", "alternatives"}


def test_report_contract(analyzer):
    r = analyzer.analyze(SPUN).to_dict()
    assert CONTRACT_KEYS <= set(r)
    assert 0.0 <= r["spun_probability"] <= 1.0
    assert r["verdict"] in {"spun", "clean", "uncertain", "unsupported"}
    assert r["spans"], "the tortured phrases must be flagged"
    for s in r["spans"]:
        assert SPAN_KEYS <= set(s)
        assert SPUN[s["start"] : s["end"]] == s["text"]
        assert s["kind"] in {"substitution", "keyword", "artifact"}
        assert 0.0 <= s["score"] <= 1.0
    assert "artificial intelligence" in r["restored"]
    assert "big data" in r["restored"]


def test_module_functions_share_one_analyzer():
    assert unspin.default_analyzer() is unspin.default_analyzer()
    assert unspin.restore(SPUN) == unspin.analyze(SPUN).restored


def test_restored_equals_input_when_nothing_flagged(analyzer):
    text = "The bridge was completed in 1932 and is still used by thousands of people every day."
    r = analyzer.analyze(text)
    assert r.spans == () and r.restored == text


def test_threshold_controls_sensitivity(analyzer):
    text = open("examples/spun_article.txt", encoding="utf-8").read()
    strict = analyzer.analyze(text, threshold=0.99)
    loose = analyzer.analyze(text, threshold=0.05)
    assert len(loose.spans) > len(strict.spans)


@pytest.mark.parametrize(
    "text,reason",
    [
        ("", "empty"),
        ("   \n\t  ", "empty"),
        ("Too short to judge.", "too short"),
        (
            "Der schnelle braune Fuchs springt über den faulen Hund, während die Katze im "
            "Garten schläft und der Vogel auf dem Dach sitzt und singt.",
            "English",
        ),
        (
            "Быстрая коричневая лиса прыгает через ленивую собаку, пока кошка спит в саду "
            "и птица поёт на крыше старого дома у реки.",
            "English",
        ),
        ("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f\x10 binary", "binary"),
    ],
)
def test_unsupported_inputs(analyzer, text, reason):
    r = analyzer.analyze(text)
    assert r.verdict == "unsupported"
    assert reason in r.reason
    assert r.restored == text


TOO_SHORT = ["short", "Hello world.", "Utilize counterfeit consciousness now."]


@pytest.mark.parametrize("text", TOO_SHORT)
def test_too_short_texts_are_left_alone(analyzer, text):
    """Too little to judge: no spans, no rewriting, and no probability (null in JSON)."""
    r = analyzer.analyze(text)
    assert r.verdict == "unsupported" and "too short" in r.reason
    assert r.spans == () and r.restored == text and r.spun_probability is None
    assert r.to_dict()["spun_probability"] is None


@pytest.mark.parametrize("threshold", [2, -0.1, 1.5, "0.5", True])
def test_out_of_range_threshold_is_refused_like_the_cli(analyzer, threshold):
    with pytest.raises(ValueError, match="between 0 and 1"):
        unspin.Analyzer(threshold=threshold)
    with pytest.raises(ValueError, match="between 0 and 1"):
        analyzer.analyze("Some text to analyse here.", threshold=threshold)
    with pytest.raises(ValueError, match="between 0 and 1"):
        analyzer.analyze_many(["Some text to analyse here."], threshold=threshold)


def test_dir_and_star_import_show_the_api():
    shown = dir(unspin)
    assert {"Analyzer", "analyze", "restore", "Report", "Span", "__version__"} <= set(shown)
    assert "TYPE_CHECKING" not in shown and "annotations" not in shown
    namespace: dict = {}
    exec("from unspin import *", namespace)
    assert {"Analyzer", "analyze", "restore", "Report"} <= set(namespace)
    assert namespace["Analyzer"] is unspin.Analyzer


def test_progress_follows_the_encoder_to_the_end(analyzer):
    seen: list[tuple[int, int]] = []
    text = SPUN + " " + " ".join([SPUN] * 12)
    r = analyzer.analyze(text, progress=lambda done, total: seen.append((done, total)))
    assert r == analyzer.analyze(text)  # watching changes nothing
    assert len(seen) > 1 and seen[-1][0] == seen[-1][1]
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_rejects_non_str(analyzer):
    with pytest.raises(TypeError):
        analyzer.analyze(b"bytes are the caller's job")  # type: ignore[arg-type]


def test_long_single_line_streams_in_blocks(analyzer, monkeypatch):
    # A text with no line break is cut into blocks at spaces; past TWO_PASS_CHARS it is read
    # twice (the document's evidence first, then the spans), and both ways give one report.
    para = "The bridge was completed in 1932 and is still used by many people every day. "
    text = para * 2_500 + "It was built with colossal information about the river."
    assert len(text) > 8 * analyzer_module.BLOCK_CHARS
    one = analyzer.analyze(text)
    assert one.words > 30_000
    hits = [s for s in one.spans if s.text == "colossal information"]
    assert hits and text[hits[0].start : hits[0].end] == "colossal information"
    monkeypatch.setattr(analyzer_module, "TWO_PASS_CHARS", 2 * analyzer_module.BLOCK_CHARS)
    assert analyzer.analyze(text).to_dict() == one.to_dict()


def test_dictionaries_can_be_restricted():
    without_pps = unspin.Analyzer(dictionaries=("oewn", "ppdb", "moby", "template"))
    r = without_pps.analyze(SPUN)
    assert not any(s.original == "big data" and "pps" in s.evidence for s in r.spans)
    with pytest.raises(ValueError):
        unspin.Analyzer(dictionaries=("nope",))


def test_homoglyph_folding_keeps_offsets():
    text = "A n\u0435w b\u043eok and a Русский текст."
    folded, spans = fold_homoglyphs(text)
    assert len(folded) == len(text)
    assert [text[a:b] for a, b in spans] == ["n\u0435w", "b\u043eok"]
    assert folded.startswith("A new book")
    assert "Русский" in folded  # genuine Cyrillic words are left alone


def test_artifacts():
    text = "As shown [three], the results were good, and i think so too; see (i) above."
    found = {(text[a.start : a.end], a.original) for a in find_artifacts(text, [], text)}
    assert ("[three]", "[3]") in found
    assert ("i", "I") in found
    assert len(found) == 2  # "(i)" is a list marker, not the pronoun


def test_tokens_have_exact_offsets():
    text = "Don’t split state-of-the-art words; 3.14 is a number."
    toks = tokenize(text)
    assert all(text[t.start : t.end] == t.text for t in toks)
    assert "state-of-the-art" in [t.text for t in toks]


def test_restore_deletes_pasted_phrase_cleanly():
    from unspin.report import Span

    text = "It opened in 1901 and best pizza near me its collection grew."
    start = text.index("best")
    end = text.index(" its")
    span = Span(start, end, text[start:end], "keyword", "", 0.9)
    assert apply_spans(text, [span]) == "It opened in 1901 and its collection grew."


def test_language_model_prefers_seen_context(analyzer):
    lm = analyzer.scorer.lm
    idx = analyzer.stats.index
    a = np.array([idx["breast"]])
    good = lm.logp(np.array([idx["of"]]), a, np.array([idx["cancer"]]))
    bad = lm.logp(np.array([idx["of"]]), a, np.array([idx["growth"]]))
    assert good[0] > bad[0]


KEYWORD_TEXT = (
    "The museum opened in 1901 and cheap car insurance uk its collection grew quickly during "
    "the following decades under the first director."
)


def test_keyword_signal_finds_pasted_query(analyzer):
    from unspin.signals.keywords import find_keywords

    tokens, _, ids = analyzer.units(KEYWORD_TEXT)
    found = [
        KEYWORD_TEXT[tokens[k.tok_start].start : tokens[k.tok_end - 1].end]
        for k in find_keywords(KEYWORD_TEXT, tokens, ids, analyzer.stats)
    ]
    assert found == ["cheap car insurance uk"]


def test_keyword_flag_is_gated_by_the_document(analyzer):
    # In a clean-looking paragraph a one-edge break is not enough at the default bar ...
    assert not [s for s in analyzer.analyze(KEYWORD_TEXT).spans if s.kind == "keyword"]
    # ... but a more sensitive threshold (one that brings the strict bar below a weak
    # paste's score) flags it, and restoration deletes it cleanly.
    from unspin.signals.keywords import WEAK_KEYWORD

    m = analyzer.calibration
    r = analyzer.analyze(
        KEYWORD_TEXT, threshold=m.threshold - (m.strict_threshold - WEAK_KEYWORD) - 0.05
    )
    assert [s.text for s in r.spans if s.kind == "keyword"] == ["cheap car insurance uk"]
    assert "opened in 1901 and its collection" in r.restored


def test_strong_keyword_is_flagged_in_a_clean_looking_paragraph(analyzer):
    # Both edges broken: flagged at the default threshold whatever the document's score
    # (the strict bar must not swallow it), as one keyword span (not a substitution of its
    # words), and gone at a stricter threshold.
    text = (
        "The church was restored in the nineteenth century when the roof best dentist near me "
        "collapsed during a winter storm and the bells were recast."
    )
    r = analyzer.analyze(text)
    assert [(s.kind, s.text) for s in r.spans] == [("keyword", "best dentist near me")]
    assert "when the roof collapsed during" in r.restored
    strict = analyzer.analyze(text, threshold=0.99)
    assert not [s for s in strict.spans if s.kind == "keyword"]


def test_keyword_signal_leaves_legitimate_uses(analyzer):
    from unspin.signals.keywords import find_keywords

    for text in (
        'The survey found that "cheap flights london" was a common search in the region.',
        "Offers:\n- cheap flights london\n- hotel deals paris\nBook early for the best rates.",
    ):
        tokens, _, ids = analyzer.units(text)
        assert find_keywords(text, tokens, ids, analyzer.stats) == []


def test_rerank_uses_the_detectors_view_of_each_candidate_in_place(analyzer):
    from unspin.analyzer import rerank
    from unspin.report import Alternative, Span

    sp = Span(
        4, 9, "mobile", "substitution", "phone", 0.9,
        (Alternative("phone", 0.6), Alternative("cell", 0.3), Alternative("device", 0.1)),
    )  # fmt: skip
    # The encoder finds "cell" natural in place (low logit), "phone" odd: cell wins.
    (out,) = rerank([sp], [np.array([3.0, -4.0, 0.0])], weight=1.0)
    assert out.original == "cell" and out.alternatives[0].text == "cell"
    assert abs(sum(a.score for a in out.alternatives) - 1.0) < 1e-9
    assert rerank([sp], [None], weight=1.0)[0] == sp  # nothing to choose: unchanged
    text = "The nerve mobile sends signals to the brain through long fibres."
    span = Span(
        10, 16, "mobile", "substitution", "phone", 0.9,
        (Alternative("phone", 0.5), Alternative("cell", 0.5)),
    )  # fmt: skip
    (fit,) = analyzer.candidate_fit(text, [span])
    assert fit.shape == (2,) and fit[1] < fit[0]  # "nerve cell" reads as the original


def test_unknown_device_is_refused():
    with pytest.raises(ValueError, match="device"):
        unspin.Analyzer(device="gpu")


def test_homoglyph_folding_beyond_cyrillic_and_greek() -> None:
    # Small capitals, IPA alpha, a Tai Lue digit for "o", a Cyrillic soft sign for "b",
    # an apostrophe inside the word, a lone Cyrillic "a" among Latin words.
    text = "Ι’m sure it ᴡill Ьe ɑn test ᧐f а kind."
    folded, spans = fold_homoglyphs(text)
    assert folded == "I’m sure it will be an test of a kind."
    assert len(spans) == 6
    # Greek letters used as such, IPA and Turkish words are left alone.
    for kept in ("the α-helix and β chains", "/ˈfɑːðər/ or ɡe̯orˈɡi", "Altın Kılıç", "С. М. Бр"):
        assert fold_homoglyphs(kept) == (kept, [])
