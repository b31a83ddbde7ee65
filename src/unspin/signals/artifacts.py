"""Leftovers of machine rewriting that need no statistics to recognise.

- citation markers spelled out: "[seven]" for "[7]" (spinners rewrite digits as words);
- the pronoun "I" in lower case inside a sentence ("and that i");
- words written with look-alike letters from other scripts (found by text.normalize).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

NUMBER_WORDS = {
    w: str(i)
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen "
        "fourteen fifteen sixteen seventeen eighteen nineteen twenty".split()
    )
}
_CITATION = re.compile(r"\[(" + "|".join(NUMBER_WORDS) + r")\]", re.IGNORECASE)
# A lone lower-case "i" used as the pronoun: between words, followed by a word that
# follows "I" (a verb or contraction), so code ("for i in") and list markers are left alone.
_I_FOLLOWERS = (
    "am|was|were|have|had|has|will|would|shall|should|can|could|may|might|must|do|did|"
    "don't|didn't|think|thought|know|knew|believe|feel|felt|want|wanted|need|needed|"
    "like|love|hope|guess|said|say|saw|see|went|go|got|get|made|make|took|take|also|"
    "just|never|always|really|still"
)
_PRONOUN_I = re.compile(r"(?<=[A-Za-z,;] )i(?=(?:'(?:m|ve|ll|d)\b| (?:" + _I_FOLLOWERS + r")\b))")


@dataclass(frozen=True)
class Artifact:
    start: int
    end: int
    original: str
    evidence: str


def find_artifacts(
    text: str, homoglyph_spans: list[tuple[int, int]], folded: str
) -> list[Artifact]:
    out = [
        Artifact(
            m.start(),
            m.end(),
            f"[{NUMBER_WORDS[m.group(1).lower()]}]",
            "citation marker spelled out in words",
        )
        for m in _CITATION.finditer(text)
    ]
    out += [
        Artifact(m.start(), m.end(), "I", "pronoun 'I' in lower case mid-sentence")
        for m in _PRONOUN_I.finditer(text)
    ]
    out += [
        Artifact(a, b, folded[a:b], "look-alike letters from another script")
        for a, b in homoglyph_spans
    ]
    return out
