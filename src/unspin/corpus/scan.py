"""Scan a corpus: read -> analyse -> write, in shards that survive being killed.

How the work is cut, so that every engine and every interruption give the same bytes:

- Input files are grouped: each JSONL/Parquet/WARC file is its own group; a run of
  consecutive .txt/.html files (one document each) forms groups of up to `shard_size` files.
- A group's records are cut into shards of `shard_size` records (or fewer, once their
  text reaches `shard_bytes`). Shard ``GGGGGG-KKKKKK`` is the K-th shard of group G, so
  shard boundaries depend only on the input and the options, never on -j or the engine.
- Each finished shard is written atomically into ``OUTPUT.parts/`` (its stats first, its
  rows last: the rows file existing means the shard is done). A group whose shards are all
  done gets a marker, so a resumed run skips it without reading it again.
- When every group is done the shards are concatenated, in order, into OUTPUT (atomically),
  the manifest is written and the parts folder removed. A killed run started again with the
  same command redoes only the missing shards.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import time
from collections import Counter, deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from unspin.corpus.readers import (
    DEFAULT_MAX_BYTES,
    DOCUMENT_FORMATS,
    Record,
    check_fields,
    detect_format,
    expand_inputs,
    iter_file,
)
from unspin.corpus.writers import (
    empty_output,
    encode_jsonl,
    encode_rows,
    error_row,
    merge_parts,
    output_format,
    part_suffix,
    result_row,
    write_atomic,
)
from unspin.errors import DataError, InputError, UnspinError

VERDICTS = ("spun", "clean", "uncertain", "unsupported")
DEFAULT_SHARD_SIZE = 500
DEFAULT_SHARD_BYTES = 32 * 1024 * 1024
PLAN_VERSION = 1


@dataclass(frozen=True)
class ScanOptions:
    """Everything that changes the output bytes (and so must match on resume)."""

    text_field: str = "text"
    id_field: str | None = None
    max_bytes: int = DEFAULT_MAX_BYTES
    restore: bool = False
    keep: tuple[str, ...] | None = None  # write only records with these verdicts
    drop: tuple[str, ...] | None = None  # write all records but those with these verdicts
    threshold: float | None = None
    fmt: str = "jsonl"
    shard_size: int = DEFAULT_SHARD_SIZE
    shard_bytes: int = DEFAULT_SHARD_BYTES
    device: str = "auto"  # where the models run (unspin.runtime)
    screen: bool = True  # the cascade's screen clears clean texts first

    def __post_init__(self) -> None:
        if self.keep is not None and self.drop is not None:
            raise InputError("--keep and --drop cannot be combined")
        for v in (self.keep or ()) + (self.drop or ()):
            if v not in VERDICTS:
                raise InputError(f"unknown verdict {v!r} (choose from {', '.join(VERDICTS)})")
        if self.shard_size < 1 or self.shard_bytes < 1 or self.max_bytes < 1:
            raise InputError("shard size, shard bytes and max bytes must be positive")
        if self.threshold is not None and not 0.0 <= self.threshold <= 1.0:
            raise InputError("threshold must be between 0 and 1")

    @property
    def filtering(self) -> bool:
        return self.keep is not None or self.drop is not None

    def selects(self, verdict: str) -> bool:
        if self.keep is not None:
            return verdict in self.keep
        if self.drop is not None:
            return verdict not in self.drop
        return True


# -- shard processing (runs in workers, Ray actors or in-process) -----------------------------


def error_category(reason: str) -> str:
    return reason.split(":", 1)[0].strip() or "unknown error"


def new_stats() -> dict[str, Any]:
    return {
        "records": 0,
        "analysed": 0,
        "errors": 0,
        "written": 0,
        "filtered_out": 0,
        "text_chars": 0,
        "errors_by_reason": {},
        "verdicts": {},
    }


def add_stats(total: dict[str, Any], part: dict[str, Any]) -> None:
    for key, value in part.items():
        if isinstance(value, dict):
            bucket = total.setdefault(key, {})
            for k, v in value.items():
                bucket[k] = bucket.get(k, 0) + v
        else:
            total[key] = total.get(key, 0) + value


def process_shard(
    analyzer: Any, records: Sequence[Record], opts: ScanOptions
) -> tuple[bytes, bytes | None, dict]:
    """Analyse one shard: (rows as bytes, error rows as bytes (filter modes), stats)."""
    rows: list[dict[str, Any]] = []
    err_rows: list[dict[str, Any]] = []
    stats = new_stats()
    errors: Counter[str] = Counter()
    verdicts: Counter[str] = Counter()
    reports = _analyze_records(analyzer, records, opts.threshold)
    for rec, (report, failure) in zip(records, reports):
        stats["records"] += 1
        reason = rec.error or failure
        if rec.error is None:
            assert rec.text is not None
            stats["text_chars"] += len(rec.text)
        if report is None:
            assert reason is not None
            errors[error_category(reason)] += 1
            stats["errors"] += 1
            (err_rows if opts.filtering else rows).append(error_row(rec, reason))
            continue
        stats["analysed"] += 1
        verdicts[report.verdict] += 1
        if opts.selects(report.verdict):
            rows.append(result_row(rec, report, restored=opts.restore, text=opts.filtering))
        else:
            stats["filtered_out"] += 1
    stats["written"] = len(rows)
    stats["errors_by_reason"] = dict(errors)
    stats["verdicts"] = dict(verdicts)
    payload = encode_rows(rows, opts.fmt, restored=opts.restore, text=opts.filtering)
    err_payload = encode_jsonl(err_rows) if opts.filtering else None
    return payload, err_payload, stats


def _analyze_records(
    analyzer: Any, records: Sequence[Record], threshold: float | None
) -> list[tuple[Any, str | None]]:
    """(report, None) or (None, reason) per record. Readable records are analysed in one
    batch (the learned detector pools their windows); if the batch fails, each record is
    retried alone, so one odd document costs only its own record."""
    out: list[tuple[Any, str | None]] = [(None, None)] * len(records)
    todo = [i for i, r in enumerate(records) if r.error is None]
    texts = [records[i].text or "" for i in todo]
    try:
        for i, rep in zip(todo, analyzer.analyze_many(texts, threshold=threshold)):
            out[i] = (rep, None)
        return out
    except UnspinError:
        raise  # missing artifacts etc.: stop the scan, do not write a million errors
    except Exception:
        pass
    for i, text in zip(todo, texts):
        try:
            out[i] = (analyzer.analyze(text, threshold=threshold), None)
        except UnspinError:
            raise
        except Exception as exc:  # one odd document must not stop a corpus-sized scan
            out[i] = (None, f"analysis failed: {type(exc).__name__}: {exc}".splitlines()[0][:300])
    return out


def make_analyzer(opts: ScanOptions) -> Any:
    import unspin

    return unspin.Analyzer(device=opts.device, screen=opts.screen)


# -- planning -------------------------------------------------------------------------------


def plan_groups(files: Sequence[str], shard_size: int) -> list[list[str]]:
    """Files grouped into units of work (see the module docstring)."""
    groups: list[list[str]] = []
    run: list[str] = []
    for f in files:
        kind = detect_format(f)
        if kind is not None and kind[0] in DOCUMENT_FORMATS:
            run.append(f)
            if len(run) == shard_size:
                groups.append(run)
                run = []
            continue
        if run:
            groups.append(run)
            run = []
        groups.append([f])
    if run:
        groups.append(run)
    return groups


def shard_id(group: int, chunk: int) -> str:
    return f"{group:06d}-{chunk:06d}"


def group_records(
    files: Sequence[str], opts: ScanOptions, progress: Any = None, names: dict | None = None
) -> Iterator[Record]:
    for f in files:
        yield from iter_file(
            f,
            opts.text_field,
            opts.id_field,
            opts.max_bytes,
            source=(names or {}).get(f),
            progress=progress,
            fields=opts.filtering,  # filter rows carry the input record itself
        )


def cut_shards(records: Iterable[Record], opts: ScanOptions) -> Iterator[list[Record]]:
    """Consecutive records in shards of `shard_size` records or `shard_bytes` characters."""
    shard: list[Record] = []
    size = 0
    for rec in records:
        shard.append(rec)
        size += len(rec.text) if rec.text else 0
        if len(shard) >= opts.shard_size or size >= opts.shard_bytes:
            yield shard
            shard, size = [], 0
    if shard:
        yield shard


# -- the parts folder -----------------------------------------------------------------------


class Parts:
    """``OUTPUT.parts/``: finished shards of an interrupted or running scan."""

    def __init__(self, output: str, fmt: str, fingerprint: dict[str, Any], restart: bool) -> None:
        self.path = output + ".parts"
        self.suffix = part_suffix(fmt)
        self.resumed = False
        self.earlier: set[str] = set()  # shards an interrupted run had finished
        run_file = os.path.join(self.path, "run.json")
        if os.path.isdir(self.path):
            if restart:
                shutil.rmtree(self.path)
            else:
                try:
                    with open(run_file, encoding="utf-8") as fh:
                        previous = json.load(fh)
                except (OSError, ValueError):
                    previous = None
                if previous != fingerprint:
                    raise InputError(
                        f"{self.path} holds parts of a scan with other inputs or options; "
                        "run the same command to resume it, or pass --restart to start over"
                    )
                self.resumed = True
                for name in os.listdir(self.path):
                    if ".tmp" in name:
                        os.remove(os.path.join(self.path, name))  # a write cut by a kill
                    elif name.endswith(self.suffix) and not name.endswith(".errors.jsonl"):
                        self.earlier.add(name[: -len(self.suffix)])
        if not self.resumed:
            os.makedirs(self.path, exist_ok=True)
            write_atomic(run_file, json.dumps(fingerprint, indent=1).encode())

    def rows(self, sid: str) -> str:
        return os.path.join(self.path, sid + self.suffix)

    def errors(self, sid: str) -> str:
        return os.path.join(self.path, sid + ".errors.jsonl")

    def stats(self, sid: str) -> str:
        return os.path.join(self.path, sid + ".stats.json")

    def marker(self, group: int) -> str:
        return os.path.join(self.path, f"{group:06d}.done")

    def done(self, sid: str) -> bool:
        return os.path.exists(self.rows(sid))

    def write_shard(self, sid: str, payload: bytes, err_payload: bytes | None, stats: dict) -> None:
        write_atomic(self.stats(sid), json.dumps(stats, sort_keys=True).encode())
        if err_payload is not None:  # filter modes keep error rows apart
            write_atomic(self.errors(sid), err_payload)
        write_atomic(self.rows(sid), payload)  # last: its presence means the shard is done

    def group_shards(self, group: int) -> int | None:
        """Number of shards of a finished group, or None if the group is not finished."""
        try:
            with open(self.marker(group), encoding="utf-8") as fh:
                n = int(json.load(fh)["shards"])
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if all(self.done(shard_id(group, k)) for k in range(n)):
            return n
        return None

    def finish_group(self, group: int, shards: int) -> None:
        write_atomic(self.marker(group), json.dumps({"shards": shards}).encode())

    def read_stats(self, sid: str) -> dict[str, Any]:
        with open(self.stats(sid), encoding="utf-8") as fh:
            return json.load(fh)


# Package parts that cannot change a scan's rows (the CLI, other commands, the server, tracing).
_NOT_ANALYSIS = {"cli.py", "__main__.py", "commands", "server", "trace", "build"}


def fingerprint(files: Sequence[str], opts: ScanOptions) -> dict[str, Any]:
    """What must not change between a killed run and its resumption."""
    from unspin import __version__
    from unspin.resources.paths import ARTIFACT_DIR

    inputs = []
    for f in files:
        st = os.stat(f)
        inputs.append([f, st.st_size, st.st_mtime_ns])
    artifacts = []
    if ARTIFACT_DIR.is_dir():
        for p in sorted(ARTIFACT_DIR.iterdir()):
            if p.is_file():
                st = p.stat()
                artifacts.append([p.name, st.st_size, st.st_mtime_ns])
    # The code that makes the rows: a resumed scan must not mix two versions of it.
    code = hashlib.sha256()
    package = ARTIFACT_DIR.parent
    for p in sorted(package.rglob("*.py")):
        rel = p.relative_to(package).as_posix()
        if rel.split("/")[0] in _NOT_ANALYSIS:
            continue
        code.update(rel.encode() + b"\0" + p.read_bytes())
    return {
        "plan": PLAN_VERSION,
        "unspin": __version__,
        "options": asdict(opts),
        "inputs": inputs,
        "artifacts": artifacts,
        "code": code.hexdigest()[:16],
    }


# -- progress ---------------------------------------------------------------------------------


class Progress:
    """A byte-based bar with docs/s and ETA on a terminal; silent otherwise."""

    def __init__(self, total_bytes: int, enabled: bool | None = None) -> None:
        if enabled is None:
            enabled = sys.stderr.isatty()  # CI logs and pipes get only the summary
        self.bar = None
        self.docs = 0
        self.start = time.monotonic()
        if enabled:
            from tqdm import tqdm

            self.bar = tqdm(
                total=total_bytes, unit="B", unit_scale=True, unit_divisor=1024,
                desc="scan", dynamic_ncols=True, smoothing=0.1,
            )  # fmt: skip

    def advance(self, to_bytes: int, docs: int) -> None:
        self.docs += docs
        if self.bar is None:
            return
        if to_bytes > self.bar.n:
            self.bar.update(to_bytes - self.bar.n)
        rate = self.docs / max(time.monotonic() - self.start, 1e-9)
        self.bar.set_postfix_str(f"{self.docs} docs, {rate:.1f} docs/s", refresh=False)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


# -- local engine ---------------------------------------------------------------------------

_worker: dict[str, Any] = {}


def _init_worker(opts: ScanOptions, output: str, parent: int | None = None) -> None:
    if parent is not None:  # a pool worker
        from unspin.workers import worker_setup

        worker_setup(parent)  # exit with the parent; Ctrl-C is the parent's to handle
    _worker["opts"] = opts
    _worker["parts"] = _PartsView(output, opts.fmt)
    _worker["analyzer"] = None  # loaded by the first shard, so a DataError reaches the driver


class _PartsView(Parts):
    """The parts folder as seen by a worker: writes shards, never creates or checks it."""

    def __init__(self, output: str, fmt: str) -> None:
        self.path = output + ".parts"
        self.suffix = part_suffix(fmt)
        self.resumed = True


def _run_shard(sid: str, records: list[Record]) -> dict[str, Any]:
    if _worker["analyzer"] is None:
        _worker["analyzer"] = make_analyzer(_worker["opts"])
    payload, err_payload, stats = process_shard(_worker["analyzer"], records, _worker["opts"])
    _worker["parts"].write_shard(sid, payload, err_payload, stats)
    return stats


class _Inline:
    """A stand-in for a finished future when -j 1 works in-process."""

    def __init__(self, value: Any) -> None:
        self._value = value

    def result(self) -> Any:
        return self._value


@dataclass
class RunCounters:
    records_read: int = 0
    resumed_records: int = 0
    resumed_shards: int = 0
    shards_done: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def run_local(
    groups: Sequence[Sequence[str]],
    output: str,
    parts: Parts,
    opts: ScanOptions,
    jobs: int,
    progress: Progress,
    names: dict[str, str] | None = None,
) -> RunCounters:
    counters = RunCounters()
    read_bytes = [0]

    def on_bytes(n: int) -> None:
        read_bytes[0] += n

    executor = None
    if jobs > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        executor = ProcessPoolExecutor(
            max_workers=jobs,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker,
            initargs=(opts, output, os.getpid()),
        )
    else:
        _init_worker(opts, output)

    # FIFO of (future, group, bytes read when the shard was cut); at most 2 shards per worker.
    pending: deque[tuple[Any, int, int]] = deque()
    outstanding: Counter[int] = Counter()
    total_shards: dict[int, int] = {}

    def settle_group(g: int) -> None:
        if g in total_shards and outstanding[g] == 0:
            parts.finish_group(g, total_shards.pop(g))

    def drain_one() -> None:
        fut, g, mark = pending.popleft()
        stats = fut.result()
        counters.shards_done += 1
        outstanding[g] -= 1
        progress.advance(mark, stats["records"])
        settle_group(g)

    try:
        for g, files in enumerate(groups):
            finished = parts.group_shards(g)
            if finished is not None:
                for k in range(finished):
                    counters.resumed_records += parts.read_stats(shard_id(g, k))["records"]
                read_bytes[0] += sum(os.path.getsize(f) for f in files)
                progress.advance(read_bytes[0], 0)
                continue
            n = 0
            records = group_records(files, opts, on_bytes, names)
            for k, shard in enumerate(cut_shards(records, opts)):
                n = k + 1
                sid = shard_id(g, k)
                counters.records_read += len(shard)
                if parts.done(sid):
                    counters.resumed_shards += 1
                    counters.resumed_records += len(shard)
                    progress.advance(read_bytes[0], 0)
                    continue
                outstanding[g] += 1
                if executor is None:
                    pending.append((_Inline(_run_shard(sid, shard)), g, read_bytes[0]))
                else:
                    pending.append((executor.submit(_run_shard, sid, shard), g, read_bytes[0]))
                while len(pending) > 2 * jobs:
                    drain_one()
            total_shards[g] = n
            settle_group(g)
        while pending:
            drain_one()
    finally:
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)
    return counters


# -- the whole scan ---------------------------------------------------------------------------


def _without_own_files(files: list[str], output: str) -> list[str]:
    """Inputs minus this scan's own output, parts, manifest and error file (an output folder
    that is also an input folder must not feed the scan its own results)."""
    out = os.path.realpath(output)
    own = {out, out + ".manifest.json", out + ".errors.jsonl"}
    parts = out + ".parts" + os.sep
    kept = [f for f in files if (r := os.path.realpath(f)) not in own and not r.startswith(parts)]
    if not kept:
        raise InputError("no input files left once the scan's own output is set aside")
    return kept


def scan(
    inputs: Sequence[str],
    output: str,
    opts: ScanOptions | None = None,
    *,
    jobs: int = 1,
    engine: str = "local",
    address: str | None = None,
    restart: bool = False,
    progress: bool | None = None,
    names: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Scan `inputs` into `output`; returns the manifest (also written next to the output).
    `names` gives some input files the name their records carry as `source` (the CLI's
    stdin is spooled to a file named "-")."""
    fmt = output_format(output)
    opts = opts or ScanOptions()
    if opts.fmt != fmt:
        opts = ScanOptions(**{**asdict(opts), "fmt": fmt})
    if jobs < 1:
        raise InputError("-j must be at least 1")
    if engine not in ("local", "ray"):
        raise InputError(f"unknown engine {engine!r} (local or ray)")
    files = _without_own_files(expand_inputs(inputs), output)
    check_fields(files, opts.text_field, opts.id_field)  # a wrong field name fails here
    out_dir = os.path.dirname(os.path.abspath(output))
    if not os.path.isdir(out_dir):
        raise InputError(f"{output}: folder {out_dir} does not exist")
    fp = fingerprint(files, opts)
    parts = Parts(output, fmt, fp, restart)
    groups = plan_groups(files, opts.shard_size)
    input_bytes = sum(os.path.getsize(f) for f in files)
    bar = Progress(input_bytes, progress)
    started = time.monotonic()
    try:
        if engine == "ray":
            from unspin.corpus.ray_engine import run_ray

            if names:
                raise InputError("stdin (-) is scanned by the local engine, not --engine ray")
            counters = run_ray(groups, parts, opts, jobs=jobs, address=address, progress=bar)
        elif engine == "local":
            counters = run_local(groups, output, parts, opts, jobs, bar, names)
        else:
            raise InputError(f"unknown engine {engine!r} (local or ray)")
    except UnspinError:
        if not any(n.endswith(parts.suffix) for n in os.listdir(parts.path)):
            shutil.rmtree(parts.path, ignore_errors=True)  # nothing to resume: leave no trace
        raise
    finally:
        bar.close()
    seconds = time.monotonic() - started
    return finish(groups, output, parts, opts, counters, seconds, input_bytes, jobs, engine, files)


def finish(
    groups: Sequence[Sequence[str]],
    output: str,
    parts: Parts,
    opts: ScanOptions,
    counters: RunCounters,
    seconds: float,
    input_bytes: int,
    jobs: int,
    engine: str,
    files: Sequence[str],
) -> dict[str, Any]:
    """Merge the shards into the output, write the manifest, remove the parts folder."""
    from unspin import __version__

    sids: list[str] = []
    for g in range(len(groups)):
        n = parts.group_shards(g)
        if n is None:
            raise DataError(f"{parts.path}: group {g} unfinished after the scan (a worker died?)")
        sids.extend(shard_id(g, k) for k in range(n))
    total, this_run = new_stats(), new_stats()
    for sid in sids:
        stats = parts.read_stats(sid)
        add_stats(total, stats)
        if sid not in parts.earlier:
            add_stats(this_run, stats)
    if sids:
        merge_parts([parts.rows(s) for s in sids], output, opts.fmt)
    else:
        empty_output(output, opts.fmt, restored=opts.restore, text=opts.filtering)
    errors_output = None
    if opts.filtering:
        errors_output = output + ".errors.jsonl"
        merge_parts([parts.errors(s) for s in sids], errors_output, "jsonl")
    new_records = total["records"] - counters.resumed_records
    manifest = {
        "unspin": __version__,
        "output": output,
        "format": opts.fmt,
        "errors_output": errors_output,
        "inputs": len(files),
        "input_bytes": input_bytes,
        "records_in": total["records"],
        "records_out": total["written"],
        "analysed": total["analysed"],
        "errors": total["errors"],
        "errors_by_reason": dict(sorted(total["errors_by_reason"].items())),
        "filtered_out": total["filtered_out"],
        "verdicts": {v: total["verdicts"].get(v, 0) for v in VERDICTS},
        "resumed_records": counters.resumed_records,
        "this_run": {  # what this run did itself (a resumed run's share of the output)
            "records": this_run["records"],
            "analysed": this_run["analysed"],
            "errors": this_run["errors"],
            "verdicts": {v: this_run["verdicts"].get(v, 0) for v in VERDICTS},
        },
        "seconds": round(seconds, 3),
        "docs_per_s": round(new_records / seconds, 2) if seconds > 0 else None,
        "mb_per_s": (
            round(input_bytes / 1e6 / seconds, 3)
            if seconds > 0 and not counters.resumed_records
            else None
        ),
        "engine": engine,
        "jobs": jobs,
        "shards": len(sids),
        "options": {k: v for k, v in asdict(opts).items() if k != "fmt"},
    }
    write_atomic(output + ".manifest.json", (json.dumps(manifest, indent=2) + "\n").encode())
    shutil.rmtree(parts.path, ignore_errors=True)
    return manifest


def summary_lines(m: dict[str, Any]) -> list[str]:
    """The human summary printed at the end of `unspin scan`: this run's own work, then what
    the output holds (the same numbers unless the run resumed an interrupted one)."""
    from unspin.commands import plural

    own = m.get("this_run") or {
        "records": m["records_in"], "errors": m["errors"], "verdicts": m["verdicts"],
    }  # fmt: skip
    v = own["verdicts"]
    lines = [
        f"scanned {plural(own['records'], 'record')} from {plural(m['inputs'], 'file')} "
        f"in {m['seconds']:.1f} s"
        + (f" ({m['docs_per_s']:.1f} docs/s)" if m["docs_per_s"] else ""),
        f"  verdicts: {v['spun']} spun, {v['clean']} clean, {v['uncertain']} uncertain, "
        f"{v['unsupported']} unsupported; {plural(own['errors'], 'error')}",
    ]
    if m["resumed_records"]:
        lines.append(
            f"  resumed: {plural(m['resumed_records'], 'record')} came from the interrupted "
            f"run ({m['records_in']} in the output, {m['errors']} of them errors)"
        )
    for reason, n in sorted(m["errors_by_reason"].items(), key=lambda kv: -kv[1]):
        lines.append(f"    {n} x {reason}")
    out = f"  wrote {plural(m['records_out'], 'record')} to {m['output']}"
    if m["filtered_out"]:
        out += f" ({m['filtered_out']} filtered out)"
    lines.append(out)
    if m["errors_output"]:
        lines.append(f"  error records: {m['errors_output']}")
    if m.get("manifest", True):
        lines.append(f"  manifest: {m['output']}.manifest.json")
    return lines
