"""Restoration: put the original back for every flagged span, keep every other byte."""

from __future__ import annotations

from collections.abc import Iterable

from unspin.report import Span


def match_case(original: str, spun: str, sentence_start: bool, proper: bool) -> str:
    """Give the original the capitals a writer would have used in this position."""
    if not original:
        return original
    if spun.isupper() and len(spun) > 1:
        return original.upper()
    if sentence_start or proper:
        return original[0].upper() + original[1:]
    return original


def apply_spans(text: str, spans: Iterable[Span]) -> str:
    out: list[str] = []
    pos = 0
    for s in sorted(spans, key=lambda s: s.start):
        if s.start < pos:
            continue  # overlapping spans are resolved before this point; be safe anyway
        out.append(text[pos : s.start])
        if (
            s.original == ""
            and out
            and out[-1].endswith(" ")
            and text[s.end : s.end + 1] in (" ", "")
        ):
            out[-1] = out[-1][:-1]  # deleting a pasted phrase: do not leave a double space
        out.append(s.original)
        pos = s.end
    out.append(text[pos:])
    return "".join(out)
