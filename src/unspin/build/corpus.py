"""The 2014 Wikipedia parts as paragraphs, split into a counting share and a dev share.

The last DEV_ARTICLES articles of part 05 are never counted: they are the clean text the
classifiers are trained and tuned on, so tuning never sees n-grams it was counted from.
The 2021 slice is held out entirely (evaluation only) and is never read here.
"""

from __future__ import annotations

import lzma
from collections.abc import Iterator
from pathlib import Path

COUNT_PARTS = tuple(f"enwiki2014slice_part0{i}.txt.xz" for i in range(1, 6))
DEV_PART = "enwiki2014slice_part05.txt.xz"
DEV_ARTICLES = 3000


def articles(path: Path) -> Iterator[tuple[str, list[str]]]:
    """(title, paragraphs) of each document of an xz file in the shared format: a `= Title =`
    line, then one paragraph per line (the enwiki slices and the web-genres files)."""
    with lzma.open(path, "rt", encoding="utf-8") as f:
        title: str | None = None
        paragraphs: list[str] = []
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("= ") and line.endswith(" ="):
                if paragraphs:
                    yield title or "", paragraphs
                title, paragraphs = line[2:-2], []
            elif line:
                paragraphs.append(line)
        if paragraphs:
            yield title or "", paragraphs


def _count_articles(path: Path) -> int:
    return sum(1 for _ in articles(path))


def counting_paragraphs(data_dir: Path, part: str) -> Iterator[str]:
    """Paragraphs of one part used for statistics (dev articles excluded)."""
    path = data_dir / "enwiki-slices" / part
    limit = _count_articles(path) - DEV_ARTICLES if part == DEV_PART else None
    for i, (_, article) in enumerate(articles(path)):
        if limit is not None and i >= limit:
            return
        yield from article


def dev_paragraphs(data_dir: Path, min_words: int = 30) -> list[str]:
    """Clean paragraphs never counted: for training and tuning the classifiers."""
    path = data_dir / "enwiki-slices" / DEV_PART
    dev = [paragraphs for _, paragraphs in articles(path)][-DEV_ARTICLES:]
    return [p for a in dev for p in a if len(p.split()) >= min_words]
