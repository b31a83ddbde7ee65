"""`unspin index REFERENCE... --db PATH`: build or extend a reference index for `trace`."""

from __future__ import annotations

import argparse
import json
import sys

from unspin.commands import add_record_fields


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "index",
        help="index reference documents so spun copies can be traced to them",
        description=(
            "Fingerprint every record of REFERENCE (files, folders, globs of .jsonl/.json[.gz|"
            ".zst], .parquet, .warc[.gz], .txt, as `scan` reads them) and add it to the index "
            "at --db (one SQLite file; created if absent, updated otherwise). Re-adding an id "
            "with the same words changes nothing (counted as unchanged), with new words "
            "replaces its text (counted as replaced), so indexing a file twice never doubles "
            "the index. Exact duplicates under other ids are stored once and reported "
            "together. Prints a JSON summary."
        ),
    )
    p.add_argument("inputs", nargs="+", metavar="REFERENCE", help="files, folders or globs")
    p.add_argument("--db", required=True, help="index file (created or updated)")
    add_record_fields(p)
    p.add_argument("-j", "--jobs", type=int, default=1, help="worker processes (default 1)")
    p.add_argument("--engine", choices=("local", "ray"), default="local")
    p.add_argument("--address", default=None, help="Ray cluster address (default: a local one)")
    p.add_argument("--quiet", action="store_true", help="no summary")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import time

    from unspin.errors import InputError
    from unspin.trace.engine import prepare_many
    from unspin.trace.index import AddStats, Index
    from unspin.trace.inputs import iter_items, reason

    if args.jobs < 1:
        raise InputError("--jobs must be at least 1")
    items = iter_items(args.inputs, args.text_field, args.id_field)
    first = next(items, None)  # bad paths fail here, before the index file is touched
    stats = AddStats()
    t0 = time.perf_counter()
    with Index(args.db, mode="a") as index:

        def good():
            pending = [first] if first is not None else []
            for rid, text, error, src, pos in _chain(pending, items):
                if error is not None or text is None:
                    stats.errors += 1
                    key = reason(error or "no text")
                    stats.errors_by_reason[key] = stats.errors_by_reason.get(key, 0) + 1
                    continue
                yield rid, text, src, pos

        prepared = prepare_many(
            index.params, good(), jobs=args.jobs, engine=args.engine, address=args.address
        )
        index.add_prepared(prepared, stats)
        summary = {**stats.to_dict(), "seconds": round(time.perf_counter() - t0, 2)}
        summary["index"] = index.stats()
    if not args.quiet:
        json.dump(summary, sys.stderr)
        sys.stderr.write("\n")
    return 0


def _chain(head, tail):
    yield from head
    yield from tail
