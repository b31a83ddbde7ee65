"""Worker processes that never outlive the command that started them.

A pool worker blocked on its task queue does not notice when its parent is killed (SIGKILL
runs no cleanup), and would wait forever holding its copy of the artifacts. `worker_setup`
runs in each worker as it starts: a daemon thread checks that the parent is still alive and
ends the worker when it is not; and Ctrl-C (sent to the whole process group) is left to the
parent, which stops the pool and says how to resume.
"""

from __future__ import annotations

import os
import signal
import threading

CHECK_EVERY_S = 0.5


def worker_setup(parent: int) -> None:
    """Call first thing in a pool worker's initializer with the parent's pid, taken in the
    parent (a worker that starts after its parent was killed is already re-parented)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        while True:
            if os.getppid() != parent:  # re-parented: the parent is gone
                os._exit(1)
            threading.Event().wait(CHECK_EVERY_S)

    threading.Thread(target=watch, name="unspin-parent-watch", daemon=True).start()
