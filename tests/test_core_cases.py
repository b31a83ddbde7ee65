"""Test cases in the style of ftfy: synthetic (spun, with expected spans), negative
(clean text that must come back byte-for-byte), known failures (kept honest)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CASES = Path(__file__).resolve().parent / "cases"


def _load(name: str) -> list[dict]:
    return json.loads((CASES / name).read_text(encoding="utf-8"))


def _text(case: dict) -> str:
    if "file" in case:
        path = REPO / case["file"]
        if not path.exists():
            pytest.skip(f"{case['file']} not present")
        return path.read_text(encoding="utf-8")
    return case["text"]


def _check_spun(analyzer, case: dict) -> None:
    text = _text(case)
    report = analyzer.analyze(text)
    for s in report.spans:
        assert text[s.start : s.end] == s.text
    found = {(s.text, s.kind): s for s in report.spans}
    for want in case["spans"]:
        key = (want["text"], want["kind"])
        assert key in found, f"missing span {key}; got {sorted(found)}"
        assert found[key].original == want["original"]
    if "verdict_in" in case:
        assert report.verdict in case["verdict_in"]
    if "restored_contains" in case:
        assert case["restored_contains"] in report.restored


@pytest.mark.parametrize("case", _load("synthetic.json"), ids=lambda c: c["label"])
def test_synthetic(analyzer, case):
    _check_spun(analyzer, case)


@pytest.mark.parametrize("case", _load("negative.json"), ids=lambda c: c["label"])
def test_negative_untouched(analyzer, case):
    report = analyzer.analyze(case["text"])
    assert report.spans == ()
    assert report.restored == case["text"]
    assert report.verdict != "spun"


@pytest.mark.parametrize("case", _load("known-failures.json"), ids=lambda c: c["label"])
@pytest.mark.xfail(strict=True, reason="known failure; see tests/cases/known-failures.json")
def test_known_failures(analyzer, case):
    _check_spun(analyzer, case)
