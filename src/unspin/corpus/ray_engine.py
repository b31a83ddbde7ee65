"""`unspin scan --engine ray`: the same shards as the local engine, computed on Ray Data.

Each group of input files (see `unspin.corpus.scan`) is one row of a Ray dataset;
`map_batches` runs a pool of actors, each loading the Analyzer once, that read their group,
cut it into the same shards as the local engine and yield each shard's encoded rows. The
driver writes the shards into the parts folder, so only the driver needs the output path
(workers need the input paths) and a killed run resumes like a local one. Output is
byte-identical to the local engine's because both call `process_shard` on the same shards.
"""

from __future__ import annotations

import json
import logging
import os
import warnings
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import asdict
from typing import Any

from unspin.corpus.readers import iter_file
from unspin.corpus.scan import (
    Parts,
    Progress,
    RunCounters,
    ScanOptions,
    cut_shards,
    make_analyzer,
    process_shard,
    shard_id,
)
from unspin.errors import InputError


class ShardScanner:
    """A Ray Data actor: analyses the groups it is given, one shard at a time."""

    def __init__(self, opts: dict[str, Any]) -> None:
        fixed = {k: tuple(v) if isinstance(v, list) else v for k, v in opts.items()}
        self.opts = ScanOptions(**fixed)
        self.analyzer = make_analyzer(self.opts)

    def __call__(self, batch: Any) -> Iterator[Any]:
        import pyarrow as pa

        for row in batch.to_pylist():
            g = row["group"]
            done = set(row["done"])
            records = (
                rec
                for path, source in zip(row["paths"], row["sources"])
                for rec in iter_file(
                    path,
                    self.opts.text_field,
                    self.opts.id_field,
                    self.opts.max_bytes,
                    source=source,
                    fields=self.opts.filtering,
                )
            )
            n = 0
            for k, shard in enumerate(cut_shards(records, self.opts)):
                n = k + 1
                sid = shard_id(g, k)
                if sid in done:
                    payload, errors, stats = b"", None, {"records": len(shard)}
                    resumed = True
                else:
                    payload, errors, stats = process_shard(self.analyzer, shard, self.opts)
                    resumed = False
                yield _table(pa, g, k, sid, payload, errors, stats, resumed, last=False)
            yield _table(pa, g, n, "", b"", None, {}, False, last=True)  # end of group


def _table(pa: Any, g: int, k: int, sid: str, payload: bytes, errors: bytes | None, stats: dict,
           resumed: bool, *, last: bool) -> Any:  # fmt: skip
    # Binary columns through pyarrow: numpy would strip trailing NUL bytes off `bytes`.
    return pa.table(
        {
            "group": pa.array([g], pa.int64()),
            "chunk": pa.array([k], pa.int64()),
            "sid": pa.array([sid], pa.string()),
            "payload": pa.array([payload], pa.binary()),
            "errors": pa.array([errors], pa.binary()),
            "stats": pa.array([json.dumps(stats, sort_keys=True)], pa.string()),
            "resumed": pa.array([resumed], pa.bool_()),
            "last": pa.array([last], pa.bool_()),
        }
    )


def run_ray(
    groups: Sequence[Sequence[str]],
    parts: Parts,
    opts: ScanOptions,
    *,
    jobs: int,
    address: str | None,
    progress: Progress,
) -> RunCounters:
    try:
        import ray
    except ImportError:
        raise InputError("--engine ray needs Ray: pip install 'unspin[ray]'") from None

    counters = RunCounters()
    todo = []
    for g, files in enumerate(groups):
        n = parts.group_shards(g)
        if n is not None:
            for k in range(n):
                counters.resumed_records += parts.read_stats(shard_id(g, k))["records"]
            progress.advance(0, 0)
            continue
        prefix = f"{g:06d}-"
        done = sorted(
            name[: -len(parts.suffix)]
            for name in os.listdir(parts.path)
            if name.startswith(prefix) and name.endswith(parts.suffix) and ".errors." not in name
        )
        todo.append(
            {
                "group": g,
                "paths": [os.path.abspath(f) for f in files],
                "sources": list(files),
                "done": done,
            }
        )
    if not todo:
        return counters

    started_here = False
    if not ray.is_initialized():
        kwargs: dict[str, Any] = {
            "include_dashboard": False,
            "log_to_driver": False,
            "logging_level": logging.ERROR,
        }
        if address:
            ray.init(address=address, **kwargs)
        else:
            ray.init(num_cpus=jobs, **kwargs)
        started_here = True
    try:
        import ray.data  # configures its loggers on import; quieten them afterwards

        for name in ("ray", "ray.data"):
            logging.getLogger(name).setLevel(logging.ERROR)  # the summary is ours to print
        ctx = ray.data.DataContext.get_current()
        ctx.enable_progress_bars = False
        ctx.print_on_execution_start = False
        ds = ray.data.from_items(todo, override_num_blocks=len(todo))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # max_restarts spelling differs across Ray versions
            ds = ds.map_batches(
                ShardScanner,
                fn_constructor_args=(asdict(opts),),
                batch_size=1,
                batch_format="pyarrow",
                compute=ray.data.ActorPoolStrategy(size=max(1, min(jobs, len(todo)))),
                num_cpus=1,
                num_gpus=1 if opts.device == "cuda" else 0,  # --device cuda: a GPU per actor
                max_restarts=0,  # a failed actor fails the scan; the driver resumes it
            )
        received: Counter[int] = Counter()
        expected: dict[int, int] = {}
        done_bytes = 0
        for row in ds.iter_rows():
            g = int(row["group"])
            if row["last"]:
                expected[g] = int(row["chunk"])
            else:
                received[g] += 1
                stats = json.loads(row["stats"])
                counters.records_read += stats["records"]
                if row["resumed"]:
                    counters.resumed_shards += 1
                    counters.resumed_records += stats["records"]
                else:
                    parts.write_shard(row["sid"], row["payload"], row["errors"], stats)
                    counters.shards_done += 1
                    progress.advance(done_bytes, stats["records"])
            if g in expected and received[g] == expected[g]:
                parts.finish_group(g, expected.pop(g))
                done_bytes += sum(os.path.getsize(f) for f in groups[g])
                progress.advance(done_bytes, 0)
    finally:
        if started_here:
            ray.shutdown()
    return counters
