"""Load test of `unspin serve` over loopback: N concurrent clients, ~2 KB texts.

    .venv/bin/python -m benchmarks.serve_load [--requests 2000] [--clients 16] [--workers 1]

Starts a real server (default settings, access log on, written to a temp file), warms it
up, then sends the requests from concurrent keep-alive clients and reports errors,
throughput, latency percentiles and the server's memory (RSS of the process tree, sampled
four times a second) at the start, middle and end of the run. Texts are paragraphs of the
held-out 2021 Wikipedia slice joined to ~2 KB; every other one is spun by the evaluation
spinner (Moby synonyms, 20% of content words), so both code paths are exercised.
Exit status 1 when any request failed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import psutil

from benchmarks.data import wiki_paragraphs
from benchmarks.spinner import Spinner, default_data_dir, load_dictionary


def make_texts(n: int, size: int = 2000, seed: int = 7) -> list[str]:
    """n texts of about `size` characters from held-out paragraphs; odd ones spun."""
    paras = wiki_paragraphs(default_data_dir(), max_chars=8_000_000)
    docs, cur = [], ""
    for p in paras:
        cur = f"{cur}\n\n{p}" if cur else p
        if len(cur) >= size * 0.9:
            docs.append(cur[: int(size * 1.2)].rsplit(" ", 1)[0])
            cur = ""
        if len(docs) >= n:
            break
    spinner = Spinner(load_dictionary("moby"), rate=0.2, seed=seed)
    return [spinner.spin(d).text if i % 2 else d for i, d in enumerate(docs)]


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tree_rss(proc: psutil.Process) -> int:
    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


class Sampler(threading.Thread):
    """RSS of the server's process tree, with how many requests were done at the time."""

    def __init__(self, pid: int, done: list[int], every: float = 0.25) -> None:
        super().__init__(daemon=True)
        self.proc, self.done, self.every = psutil.Process(pid), done, every
        self.samples: list[tuple[float, int, int]] = []
        self.stop = threading.Event()

    def run(self) -> None:
        t0 = time.monotonic()
        while not self.stop.is_set():
            self.samples.append((time.monotonic() - t0, self.done[0], tree_rss(self.proc)))
            self.stop.wait(self.every)


async def load(url: str, texts: list[str], requests: int, clients: int, done: list[int]):
    latencies: list[float] = []
    errors: list[str] = []
    next_i = 0
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:

        async def worker() -> None:
            nonlocal next_i
            while next_i < requests:
                i = next_i
                next_i += 1
                text = texts[i % len(texts)]
                t = time.perf_counter()
                try:
                    r = await client.post("/v1/analyze", json={"text": text})
                    ok = r.status_code == 200 and "restored" in r.json()
                    if not ok:
                        errors.append(f"{r.status_code}: {r.text[:200]}")
                except httpx.HTTPError as exc:
                    errors.append(f"{type(exc).__name__}: {exc}")
                latencies.append(time.perf_counter() - t)
                done[0] += 1

        t0 = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(clients)))
        wall = time.perf_counter() - t0
    return latencies, errors, wall


def pct(xs: list[float], q: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, max(0, round(q / 100 * len(s)) - 1))]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--workers", type=int, default=1, help="server worker processes")
    ap.add_argument("--texts", type=int, default=200, help="distinct texts (cycled)")
    ap.add_argument("--json", type=Path, help="also write the results here")
    args = ap.parse_args(argv)

    texts = make_texts(args.texts)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = tempfile.NamedTemporaryFile("w", prefix="serve-load-", suffix=".log", delete=False)
    cmd = [sys.executable, "-m", "unspin", "serve", "--port", str(port)]
    cmd += ["--workers", str(args.workers)]
    server = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"server did not start; see {log.name}")
            time.sleep(0.2)
        warm = [0]
        asyncio.run(load(url, texts, 4 * args.clients, args.clients, warm))  # not measured
        done = [0]
        sampler = Sampler(server.pid, done)
        sampler.start()
        time.sleep(0.5)
        latencies, errors, wall = asyncio.run(load(url, texts, args.requests, args.clients, done))
        time.sleep(0.5)
        sampler.stop.set()
        sampler.join()
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()

    rss = [s[2] for s in sampler.samples]
    q = max(1, len(rss) // 10)
    first, last = statistics.mean(rss[:q]), statistics.mean(rss[-q:])
    mid = statistics.mean(rss[len(rss) // 2 - q // 2 : len(rss) // 2 + q // 2 + 1])
    mib = 1 << 20
    result = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": f"{os.cpu_count()} cores, {platform.machine()}, "
        f"Python {platform.python_version()}",
        "workers": args.workers,
        "clients": args.clients,
        "requests": args.requests,
        "mean_text_chars": round(statistics.mean(len(t) for t in texts)),
        "errors": len(errors),
        "error_examples": errors[:3],
        "wall_s": round(wall, 2),
        "throughput_rps": round(args.requests / wall, 1),
        "latency_ms": {
            "p50": round(pct(latencies, 50) * 1000, 1),
            "p90": round(pct(latencies, 90) * 1000, 1),
            "p99": round(pct(latencies, 99) * 1000, 1),
            "max": round(max(latencies) * 1000, 1),
        },
        "server_rss_mib": {
            "first_10pct": round(first / mib, 1),
            "middle": round(mid / mib, 1),
            "last_10pct": round(last / mib, 1),
            "peak": round(max(rss) / mib, 1),
            "growth_pct": round(100 * (last - first) / first, 2),
        },
        "rss_samples": len(rss),
    }
    os.unlink(log.name)
    out = json.dumps(result, indent=2)
    print(out)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(out + "\n", encoding="utf-8")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
