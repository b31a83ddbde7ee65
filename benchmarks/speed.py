"""Throughput per core, cold start and peak memory, each engine in its own fresh process.

A separate process per engine keeps the measurements honest: peak RSS is that engine's alone
and nothing is warm from an earlier run. Threads are pinned to one (per-core numbers).
`python -m benchmarks.speed ENGINE DOCS.json SECONDS` prints one JSON line.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ENGINES = (
    "unspin",
    "unspin-full",
    "unspin-encoder",
    "wordfreq",
    "torturephrases",
    "gopher-repetition",
    "gopher-quality",
    "c4",
    "fineweb",
)
ONE_THREAD = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "NUMEXPR_NUM_THREADS": "1",
}
REPO = Path(__file__).resolve().parent.parent


def _engine(name: str):
    """A callable texts -> None for one engine, loaded (this is the load time measured)."""
    if name == "unspin":
        import unspin

        a = unspin.Analyzer()
        return lambda texts: a.analyze_many(texts)
    if name == "unspin-full":  # the slow path: every text through the full detector
        import unspin

        slow = unspin.Analyzer(screen=False)
        return lambda texts: slow.analyze_many(texts)
    if name == "unspin-encoder":  # the learned detector alone; returns the sub-words it read
        import unspin

        det = unspin.Analyzer().detector

        def encoder(texts: list[str]) -> int:
            return sum(ws.subwords for ws in det.score(texts))

        return encoder
    if name == "wordfreq":
        from benchmarks.detectors import WordfreqRarity

        return WordfreqRarity()
    if name == "torturephrases":
        from benchmarks.detectors import TorturePhrases

        return TorturePhrases()
    from benchmarks.detectors import datatrove_filter

    keep = datatrove_filter(name)
    return lambda texts: [keep(t) for t in texts]


def _peak_rss_kb() -> int:
    """This process's own peak RSS. ru_maxrss is not used: on Linux it keeps the high-water
    mark of the forking parent across exec, which would charge the harness to every engine."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def measure(name: str, docs: list[str], seconds: float) -> dict:
    """Load the engine, warm it on one document, then run batches until `seconds` pass.

    Rates are per CPU-second of this single-threaded process ("per core"), so a busy shared
    machine slows the wall clock but not the number; the wall-clock rate is kept beside it.
    """
    t0 = time.perf_counter()
    fn = _engine(name)
    fn(docs[:1])  # lazy loading happens here for unspin
    load = time.perf_counter() - t0
    done = nbytes = tokens = 0
    t1 = time.perf_counter()
    c1 = time.process_time()
    i = 0
    while True:
        batch = docs[i : i + 16] or docs[:16]
        i = i + 16 if i + 16 < len(docs) else 0
        n = fn(batch)
        tokens += n if isinstance(n, int) else 0
        done += len(batch)
        nbytes += sum(len(d.encode("utf-8")) for d in batch)
        cpu = time.process_time() - c1
        if cpu >= seconds and done >= min(len(docs), 16):
            break
    wall = time.perf_counter() - t1
    rss_kb = _peak_rss_kb()
    extra = {"tokens_per_s": tokens / cpu} if tokens else {}
    return {
        **extra,
        "engine": name,
        "docs": done,
        "cpu_seconds": round(cpu, 3),
        "wall_seconds": round(wall, 3),
        "docs_per_s": done / cpu,
        "mb_per_s": nbytes / cpu / 1e6,
        "docs_per_wall_s": done / wall,
        "load_s": round(load, 3),
        "peak_rss_mb": rss_kb / 1024,
    }


def run_engine(name: str, docs: list[str], seconds: float) -> dict:
    """measure() in a fresh single-threaded process; an engine that is missing is reported."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(docs, f)
        path = f.name
    env = {**os.environ, **ONE_THREAD, "PYTHONPATH": str(REPO)}
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "benchmarks.speed", name, path, str(seconds)],
            capture_output=True,
            text=True,
            env=env,
            cwd=str(REPO),
            timeout=seconds * 4 + 240,
        )
    finally:
        os.unlink(path)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        err = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        return {"engine": name, "error": err[:300]}
    return json.loads(lines[-1])


def cold_start(runs: int = 3) -> dict:
    """Wall time of `unspin check` on a short text, each run a new process."""
    exe = Path(sys.executable).parent / "unspin"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "unspin"]
    text = "The counterfeit consciousness system uses colossal information to rank pages.\n"
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write(text)
        path = f.name
    times, codes = [], []
    try:
        for _ in range(runs):
            t = time.perf_counter()
            proc = subprocess.run([*cmd, "check", path], capture_output=True, text=True)
            times.append(time.perf_counter() - t)
            codes.append(proc.returncode)
    finally:
        os.unlink(path)
    return {
        "command": "unspin check SHORT.txt",
        "runs_s": [round(t, 3) for t in times],
        "median_s": statistics.median(times),
        "exit_codes": codes,
    }


if __name__ == "__main__":
    engine, docs_path, secs = sys.argv[1], sys.argv[2], float(sys.argv[3])
    with open(docs_path, encoding="utf-8") as fh:
        corpus = json.load(fh)
    print(json.dumps(measure(engine, corpus, secs)))
