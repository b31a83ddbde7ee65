"""The cascade: the screen's chunking, its features, and what a cleared text's report says."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import unspin
from unspin.model import screen as screen_mod
from unspin.model.screen import SCREEN_FEATURES, capitals_mid_sentence, screen_features

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
# A clean document of ordinary length (the screen clears more long texts than paragraphs):
# the original the spun example came from, twice.
CLEAN = "\n\n".join([(EXAMPLES / "original_article.txt").read_text()] * 2)
SPUN = (EXAMPLES / "spun_article.txt").read_text()


@pytest.fixture(scope="module")
def analyzer() -> unspin.Analyzer:
    return unspin.Analyzer()


def test_long_texts_are_scored_in_chunks_exactly_as_in_one_pass(analyzer, monkeypatch):
    enc = analyzer.detector.encode(SPUN)
    whole = analyzer.screener.word_logits(enc)
    monkeypatch.setattr(screen_mod, "CHUNK", 50)  # many chunks, each with its context
    chunked = analyzer.screener.word_logits(enc)
    assert len(enc.ids) > 3 * 50
    np.testing.assert_allclose(chunked, whole, atol=1e-4)


def test_capitals_mid_sentence_counts_dictionary_capitals_only(analyzer):
    def count(text: str) -> int:
        enc = analyzer.detector.encode(text)
        return capitals_mid_sentence(text, enc, analyzer.stats.capitals, analyzer.stats.index)

    assert count("The results show Negative effects on the Consciousness of patients.") == 2
    assert count("Negative effects were seen. Consciousness returned in Paris and NASA.") == 0


def test_features_rise_with_the_words_logits():
    low, high = screen_features(np.full(40, -4.0), 0), screen_features(np.full(40, 3.0), 0)
    assert low.shape == (len(SCREEN_FEATURES),) and low[0] == high[0] == 1.0
    assert (high[1:6] > low[1:6]).all()
    assert screen_features(np.zeros(0), 0).shape == (len(SCREEN_FEATURES),)


def test_a_cleared_text_is_clean_with_nothing_flagged_and_the_slow_path_agrees(analyzer):
    fast = analyzer.analyze(CLEAN)
    cal = analyzer.calibration
    assert fast.signals["screen"] < cal.screen_bar(fast.words) <= cal.clean_cutoff
    assert "units" not in fast.signals  # the full detector never ran
    assert (fast.verdict, fast.spans, fast.restored) == ("clean", (), CLEAN)
    assert fast.spun_probability == fast.signals["screen"]
    slow = unspin.Analyzer(screen=False).analyze(CLEAN)
    assert "screen" not in slow.signals and "units" in slow.signals
    assert slow.verdict == "clean"


def test_spun_text_and_pasted_keywords_go_on_to_the_full_detector(analyzer):
    spun = analyzer.analyze(SPUN)
    assert "units" in spun.signals and spun.verdict == "spun" and spun.spans
    first = CLEAN.index(". ") + 1
    pasted = CLEAN[:first] + " Buy cheap essays online uk." + CLEAN[first:]
    assert analyzer._keyword_suspect(pasted) and not analyzer._keyword_suspect(CLEAN)
    report = analyzer.analyze(pasted)
    assert "units" in report.signals
    assert any(s.kind == "keyword" for s in report.spans)


def test_analyze_many_mixes_cleared_and_full_reports_in_input_order(analyzer):
    texts = [CLEAN, SPUN, "", CLEAN]
    reports = analyzer.analyze_many(texts)
    assert [r.verdict for r in reports] == ["clean", "spun", "unsupported", "clean"]
    assert reports[0] == reports[3] == analyzer.analyze(CLEAN)


def test_a_known_tortured_phrase_always_reaches_the_full_detector(analyzer):
    first = CLEAN.index(". ") + 1
    text = CLEAN[:first] + " The team relies on colossal information." + CLEAN[first:]
    assert analyzer.lexicon.has_fingerprint("relies on colossal information".split())
    report = analyzer.analyze(text)
    assert "units" in report.signals
    assert any(s.text == "colossal information" for s in report.spans)
