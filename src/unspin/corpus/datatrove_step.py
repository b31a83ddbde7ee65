"""A datatrove filter step: drop machine-spun documents inside a datatrove pipeline.

    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter
    from unspin.corpus.datatrove_step import UnspinFilter

    pipeline = [JsonlReader("crawl/"), UnspinFilter(drop=("spun",)), JsonlWriter("clean/")]

Every document that passes through gets ``unspin_spun_probability``, ``unspin_verdict`` and
``unspin_span_count`` in its metadata (flat scalars, so Parquet writers keep one schema;
the probability is None for an ``unsupported`` document, as in every unspin report);
dropped documents go to the optional ``exclusion_writer`` with ``filter_reason`` set to
``unspin_<verdict>``. The Analyzer loads lazily, once per worker process. Documents are
analysed `batch_size` at a time (default 64), so the learned detector's windows are pooled.
"""

from __future__ import annotations

import json
from typing import Any

from datatrove.data import Document
from datatrove.pipeline.filters.base_filter import BaseFilter
from datatrove.pipeline.writers.disk_base import DiskWriter

VERDICTS = ("spun", "clean", "uncertain", "unsupported")


class UnspinFilter(BaseFilter):
    """Keep or drop documents by unspin's verdict, writing the score into metadata."""

    name = "🌀 unspin"

    def __init__(
        self,
        drop: tuple[str, ...] | None = ("spun",),
        keep: tuple[str, ...] | None = None,
        threshold: float | None = None,
        spans: bool = False,
        exclusion_writer: DiskWriter | None = None,
        batch_size: int = 64,
        device: str | None = None,
        screen: bool | None = None,
    ) -> None:
        """`drop` (default: spun) or `keep` lists verdicts; `spans=True` also stores the
        flagged spans as a JSON string in ``unspin_spans``; `device` and `screen` as for
        `unspin.Analyzer` (unset: UNSPIN_DEVICE / UNSPIN_SCREEN, else auto and on)."""
        super().__init__(exclusion_writer, batch_size=batch_size)
        if keep is not None:
            drop = None
        for v in (keep or ()) + (drop or ()):
            if v not in VERDICTS:
                raise ValueError(f"unknown verdict {v!r}; choose from {', '.join(VERDICTS)}")
        self.keep = tuple(keep) if keep is not None else None
        self.drop = tuple(drop) if drop is not None else ()
        self.threshold = threshold
        self.spans = spans
        self.device, self.screen = device, screen
        self._analyzer: Any = None

    @property
    def analyzer(self) -> Any:
        if self._analyzer is None:
            import unspin

            self._analyzer = unspin.Analyzer(device=self.device, screen=self.screen)
        return self._analyzer

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_analyzer"] = None  # each worker loads (memory-maps) its own
        return state

    def filter(self, doc: Document) -> bool | tuple[bool, str]:
        return self._judge(doc, self.analyzer.analyze(doc.text or "", threshold=self.threshold))

    def filter_batch(self, batch: list[Document]) -> list[bool | tuple[bool, str]]:
        texts = [doc.text or "" for doc in batch]
        reports = self.analyzer.analyze_many(texts, threshold=self.threshold)
        return [self._judge(doc, r) for doc, r in zip(batch, reports)]

    def _judge(self, doc: Document, report: Any) -> bool | tuple[bool, str]:
        p = report.spun_probability  # None for `unsupported` (nothing judged)
        doc.metadata["unspin_spun_probability"] = None if p is None else round(p, 4)
        doc.metadata["unspin_verdict"] = report.verdict
        doc.metadata["unspin_span_count"] = len(report.spans)
        if self.spans:
            spans = [s.to_dict() for s in report.spans]
            doc.metadata["unspin_spans"] = json.dumps(spans, ensure_ascii=False)
        self.stat_update(f"unspin_{report.verdict}")
        kept = (
            report.verdict in self.keep
            if self.keep is not None
            else report.verdict not in self.drop
        )
        return True if kept else (False, f"unspin_{report.verdict}")
