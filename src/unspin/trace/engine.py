"""Run fingerprinting and verification on several cores (or a Ray cluster).

Fingerprints and alignments are pure functions of the text, so they parallelise without
coordination: a pool of worker processes computes them and the parent process alone
writes the SQLite index (SQLite allows one writer). ``engine="ray"`` swaps the local pool
for Ray's drop-in ``ray.util.multiprocessing.Pool``, which spreads the same work over a
Ray cluster (``address``), mirroring ``unspin scan --engine ray``.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any

from unspin.trace.fingerprint import Fingerprinter, FingerprintParams

_CHUNK = 64
_WINDOW = 4096  # items handed to the pool at a time; two windows are in flight at most

_worker_fp: Fingerprinter | None = None
_worker_index: Any = None


def _init_fp(params: FingerprintParams) -> None:
    global _worker_fp
    _worker_fp = Fingerprinter(params)


def _prepare_one(item: tuple[str, str, str | None, int | None]) -> Any:
    from unspin.trace.index import prepare

    assert _worker_fp is not None
    return prepare(_worker_fp, *item)


def bounded_imap(
    pool: Any, fn: Callable[[Any], Any], items: Iterable[Any], chunksize: int
) -> Iterator[Any]:
    """``pool.imap`` with bounded memory: ``imap`` itself reads its whole input at once
    (measured: 1.85 GB for a 1M-document index), so hand it windows, keeping the next one
    queued while the current one is consumed, which keeps the workers busy."""
    it = iter(items)
    pending: deque[Iterator[Any]] = deque()
    while True:
        window = list(islice(it, _WINDOW))
        if window:
            pending.append(pool.imap(fn, window, chunksize=chunksize))
        if not pending:
            return
        if len(pending) > 1 or not window:
            yield from pending.popleft()


def make_pool(
    jobs: int,
    initializer: Callable[..., None],
    initargs: tuple[Any, ...],
    engine: str = "local",
    address: str | None = None,
) -> Any:
    """A process pool with the multiprocessing API: local processes or Ray actors."""
    if engine == "ray":
        try:
            from ray.util.multiprocessing import Pool as RayPool
        except ImportError:
            from unspin.errors import UnspinError

            raise UnspinError("--engine ray needs Ray: pip install 'unspin[ray]'") from None
        return RayPool(jobs, initializer=initializer, initargs=initargs, ray_address=address)
    import multiprocessing as mp

    # fork where there is one: workers start at once, share the loaded lexicon, and a
    # script calling the API needs no `if __name__ == "__main__"` guard. Workers never touch
    # the parent's SQLite connection (each opens its own) and leave through os._exit.
    methods = mp.get_all_start_methods()
    ctx = mp.get_context("fork" if "fork" in methods else None)
    init = (initializer, initargs, os.getpid())
    return ctx.Pool(jobs, initializer=_local_worker, initargs=init)


def _local_worker(initializer: Callable[..., None], initargs: tuple[Any, ...], parent: int) -> None:
    from unspin.workers import worker_setup

    worker_setup(parent)  # a killed parent leaves no orphans (see unspin.workers)
    initializer(*initargs)


def prepare_many(
    params: FingerprintParams,
    items: Iterable[tuple[str, str, str | None, int | None]],
    *,
    jobs: int = 1,
    engine: str = "local",
    address: str | None = None,
) -> Iterator[Any]:
    """Prepared documents (fingerprint + compressed text), in input order."""
    if jobs <= 1 and engine == "local":
        _init_fp(params)
        for item in items:
            yield _prepare_one(item)
        return
    pool = make_pool(jobs, _init_fp, (params,), engine, address)
    try:
        yield from bounded_imap(pool, _prepare_one, items, _CHUNK)
    finally:
        pool.terminate()
        pool.join()


def _init_trace(path: str, kw: dict[str, Any]) -> None:
    global _worker_index
    from unspin.trace.index import Index

    _worker_index = (Index(path), kw)


def _trace_one(item: tuple[str, str | None, str | None]) -> tuple[str, Any, str | None]:
    rid, text, error = item
    if error is not None or text is None:
        return rid, None, error or "no text"
    index, kw = _worker_index
    return rid, index.explain(text, **kw), None


def trace_many(
    path: str,
    records: Iterable[tuple[str, str | None, str | None]],
    *,
    jobs: int = 1,
    engine: str = "local",
    address: str | None = None,
    **kw: Any,
) -> Iterator[tuple[str, Any, str | None]]:
    """(id, `Trace` or None, error) per record, in input order; workers open the index."""
    if jobs <= 1 and engine == "local":
        _init_trace(path, kw)
        for item in records:
            yield _trace_one(item)
        return
    pool = make_pool(jobs, _init_trace, (path, kw), engine, address)
    try:
        yield from bounded_imap(pool, _trace_one, records, 8)
    finally:
        pool.terminate()
        pool.join()
