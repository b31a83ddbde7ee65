"""Start a real `unspin serve` process on a free loopback port for the server tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx

# A paragraph with known tortured phrases and a spelled-out citation marker.
SPUN = (
    "Over the past decade, hospitals have started to utilize counterfeit consciousness to "
    "read restorative pictures. The frameworks learn from colossal information: millions of "
    "scans, research facility results and specialists' notes. In the event that the "
    "preparation information is one-sided, the outcomes can be off-base for entire "
    "gatherings of patients [seven]."
)
CLEAN = (
    "The river runs past the old mill and into the valley where farmers grow wheat. "
    "In spring the water rises and the fields along the banks turn green again. "
    "The town council voted to repair the bridge before the winter storms arrived."
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    url: str
    proc: subprocess.Popen
    log: str

    def client(self, **kw) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=kw.pop("timeout", 60), **kw)


@contextmanager
def running_server(*args: str, startup_s: float = 90.0) -> Iterator[Server]:
    """`python -m unspin serve ARGS` on a free port; stopped (and reaped) on exit."""
    port = free_port()
    log = tempfile.NamedTemporaryFile("w+", prefix="unspin-serve-", suffix=".log", delete=False)
    cmd = [sys.executable, "-m", "unspin", "serve", "--port", str(port), *args]
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=dict(os.environ))
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + startup_s
        while True:
            if proc.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"server exited with {proc.returncode}:\n{log.read()[-3000:]}")
            try:
                if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"server did not start within {startup_s:.0f} s")
            time.sleep(0.2)
        yield Server(url, proc, log.name)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
        os.unlink(log.name)
