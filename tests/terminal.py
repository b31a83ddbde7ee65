"""Run a command on a pseudo-terminal and collect what it wrote there (progress bars)."""

from __future__ import annotations

import os
import pty
import subprocess


def on_terminal(
    cmd: list[str], stdout_too: bool = False, timeout: float = 300
) -> tuple[int, bytes]:
    """(exit status, bytes written to the terminal): stderr, and stdout with `stdout_too`."""
    master, slave = pty.openpty()
    out = slave if stdout_too else subprocess.DEVNULL
    proc = subprocess.Popen(cmd, stdout=out, stderr=slave)
    os.close(slave)
    seen = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # EIO once the child has closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    os.close(master)
    return proc.wait(timeout=timeout), seen
