"""Where the time goes: CPU time per stage of full analysis, beside datatrove's filters.

Each stage is a method of the analyzer or the detector, wrapped with a timer that counts
its own (exclusive) CPU time, so nested calls are not counted twice: the encoder run
inside restoration's re-ranking counts as "model", not "restoration". The wrappers add
a few microseconds per call; the total without them is measured first, in the same
process, on the same documents. Single-threaded (per core).

`python -m benchmarks.stages [DOCS] [SECONDS]` prints a table and one JSON line.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

# (stage, object attribute path, method): the object is the Analyzer `a`.
STAGES = (
    ("screen", "", "screen"),
    ("screen", "screener", "word_logits"),
    ("tokenisation", "detector", "encode"),
    ("model", "detector", "run"),
    ("n-gram lookups", "", "word_rows"),
    ("verdict", "calibration", "word_scores"),
    ("verdict", "calibration", "doc_probability"),
    ("verdict", "calibration", "bar"),
    ("restoration", "", "_decide"),
    ("restoration", "", "candidate_fit"),
    ("json", "", "_to_json"),
)
PEERS = ("gopher-quality", "fineweb")


class StageClock:
    """Exclusive CPU seconds per stage: a stack of running stages, each charged only for
    the time its callees did not take."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.calls: dict[str, int] = {}
        self._stack: list[list[float]] = []  # [start, time spent in callees]

    def wrap(self, stage: str, fn: Callable) -> Callable:
        def timed(*args, **kwargs):
            self._stack.append([time.process_time(), 0.0])
            try:
                return fn(*args, **kwargs)
            finally:
                start, inner = self._stack.pop()
                took = time.process_time() - start
                self.seconds[stage] = self.seconds.get(stage, 0.0) + took - inner
                self.calls[stage] = self.calls.get(stage, 0) + 1
                if self._stack:
                    self._stack[-1][1] += took

        return timed


def _instrument(analyzer, clock: StageClock) -> None:
    for stage, path, name in STAGES:
        obj = getattr(analyzer, path) if path else analyzer
        if hasattr(obj, name):
            # object.__setattr__: the calibration is a frozen dataclass
            object.__setattr__(obj, name, clock.wrap(stage, getattr(obj, name)))


def _run(analyzer, docs: list[str], seconds: float) -> tuple[int, float]:
    """Analyse (and serialise, as scan does) batches of docs until `seconds` of CPU pass."""
    done, i = 0, 0
    c0 = time.process_time()
    while True:
        batch = docs[i : i + 64] or docs[:64]
        i = i + 64 if i + 64 < len(docs) else 0
        for r in analyzer.analyze_many(batch):
            analyzer._to_json(r)
        done += len(batch)
        cpu = time.process_time() - c0
        if cpu >= seconds:
            return done, cpu


def _peer(name: str, docs: list[str], seconds: float) -> float | None:
    try:
        from benchmarks.detectors import Unavailable, datatrove_filter

        keep = datatrove_filter(name)
    except (ImportError, Unavailable):
        return None
    done, c0 = 0, time.process_time()
    while time.process_time() - c0 < seconds:
        for d in docs[:64]:
            keep(d)
        done += min(64, len(docs))
    return done / (time.process_time() - c0)


def profile(docs: list[str], seconds: float = 20.0, screen: bool = True) -> dict:
    import unspin

    analyzer = unspin.Analyzer(screen=screen)
    analyzer._to_json = lambda r: json.dumps(r.to_dict())  # what scan writes per record
    analyzer.analyze_many(docs[:2])  # load everything before timing
    n, cpu = _run(analyzer, docs, seconds)
    clock = StageClock()
    _instrument(analyzer, clock)
    n_timed, cpu_timed = _run(analyzer, docs, seconds)
    per_doc = {k: v / n_timed for k, v in clock.seconds.items()}
    other = cpu_timed / n_timed - sum(per_doc.values())
    out = {
        "docs": len(docs),
        "mean_doc_bytes": sum(len(d.encode()) for d in docs) / len(docs),
        "screen": screen,
        "docs_per_s": n / cpu,
        "stages_ms_per_doc": {k: round(v * 1e3, 3) for k, v in per_doc.items()},
        "other_ms_per_doc": round(other * 1e3, 3),
        "stage_docs_per_s": {k: round(1 / v, 1) for k, v in per_doc.items() if v > 0},
        "calls": clock.calls,
        "peers_docs_per_s": {},
    }
    for p in PEERS:
        rate = _peer(p, docs, seconds / 2)
        if rate:
            out["peers_docs_per_s"][p] = rate
            out[f"ratio_to_{p}"] = out["docs_per_s"] / rate
    return out


def table(res: dict) -> str:
    lines = [
        f"{res['docs_per_s']:.1f} docs/s per core in all "
        f"(screen {'on' if res['screen'] else 'off'})",
        "| stage | ms per doc | docs/s per core if it were alone |",
        "|---|---|---|",
    ]
    for k, v in sorted(res["stages_ms_per_doc"].items(), key=lambda kv: -kv[1]):
        lines.append(f"| {k} | {v:.2f} | {res['stage_docs_per_s'].get(k, 0):.0f} |")
    lines.append(f"| other (Python glue) | {res['other_ms_per_doc']:.2f} | |")
    for p, rate in res["peers_docs_per_s"].items():
        lines.append(f"datatrove {p}: {rate:.1f} docs/s per core; unspin ÷ it = "
                     f"{res['docs_per_s'] / rate:.3f}")  # fmt: skip
    return "\n".join(lines)


def main(argv: list[str]) -> None:
    for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(k, "1")
    from benchmarks.sets import FULL, Builder

    n = int(argv[0]) if argv else 400
    seconds = float(argv[1]) if len(argv) > 1 else 20.0
    data = Path(os.environ.get("UNSPIN_DATA", Path(__file__).resolve().parents[2] / "shared/data"))
    docs = Builder(data, FULL).documents(n)
    for screen in (True, False):
        res = profile(docs, seconds, screen)
        print(table(res), file=sys.stderr)
        print(json.dumps(res))


if __name__ == "__main__":
    main(sys.argv[1:])
