"""`unspin trace INPUT... --db PATH`: find the sources that suspect documents were spun from."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, TextIO

from unspin.commands import add_record_fields, unit_interval


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "trace",
        help="find the indexed sources of spun documents",
        description=(
            "For every record of INPUT (files, folders, globs as `scan` reads them, or - for "
            "stdin), report the reference documents in --db it was spun from: similarity "
            "(the fraction of the document rewritten from that source), explains (the "
            "fraction attributed to it, sentence by sentence), the swapped word pairs (spun "
            "-> original) and a restoration taken from the source; and for every sentence, "
            "the source and the stretch of it the sentence was rewritten from. A page "
            "stitched from several articles gets every source that explains a sentence. "
            '--json writes one line per record: {"id": ..., "sources": [{"id": ..., '
            '"similarity": ..., "explains": ...}, ...], "sentences": [{"start": ..., "end": '
            '..., "source": ID or null, "source_start": ..., "source_end": ..., "changed": '
            "...}, ...]}, best source first; offsets are character indices into the record's "
            "text and the source's. Exit status 0 whether or not sources were found."
        ),
    )
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="files, folders, globs, or -")
    p.add_argument("--db", required=True, help="index built by `unspin index`")
    p.add_argument("--json", action="store_true", help="JSON Lines, one per input record")
    p.add_argument("-o", "--output", default=None, help="write here instead of stdout")
    add_record_fields(p)
    p.add_argument("--top", type=int, default=10, help="most sources per document (default 10)")
    p.add_argument(
        "--min-similarity",
        type=unit_interval,
        default=0.5,
        help="report sources when at least this fraction of the document is rewritten from "
        "them together, each explaining at least one sentence (default 0.5)",
    )
    p.add_argument("--no-pairs", action="store_true", help="leave out the word pairs")
    p.add_argument("--no-restored", action="store_true", help="leave out the restoration")
    p.add_argument("-j", "--jobs", type=int, default=1, help="worker processes (default 1)")
    p.add_argument("--engine", choices=("local", "ray"), default="local")
    p.add_argument("--address", default=None, help="Ray cluster address (default: a local one)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from unspin.errors import InputError
    from unspin.trace.engine import trace_many
    from unspin.trace.index import Index
    from unspin.trace.inputs import iter_items

    if args.jobs < 1 or args.top < 1:
        raise InputError("--jobs and --top must be at least 1")
    Index(args.db).close()  # a missing, old or corrupted index fails here, before any output
    items = iter_items(args.inputs, args.text_field, args.id_field)
    records = ((rid, text, error) for rid, text, error, _src, _pos in items)
    kw = {"top": args.top, "min_similarity": args.min_similarity}
    results = trace_many(
        args.db, records, jobs=args.jobs, engine=args.engine, address=args.address, **kw
    )
    out: TextIO = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout  # noqa: SIM115
    try:
        for rid, found, error in results:
            if args.json:
                row: dict[str, Any] = {
                    "id": rid,
                    "sources": [
                        s.to_dict(pairs=not args.no_pairs, restored=not args.no_restored)
                        for s in (found.sources if found else [])
                    ],
                    "sentences": [s.to_dict() for s in (found.sentences if found else [])],
                }
                if error is not None:
                    row["error"] = error
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
            else:
                out.write(_human(rid, found, error, args))
    finally:
        if out is not sys.stdout:
            out.close()
    return 0


def _human(rid: str, found: Any, error: str | None, args: argparse.Namespace) -> str:
    if error is not None:
        return f"{rid}: error: {error}\n"
    if not found or not found.sources:
        return f"{rid}: no source found\n"
    lines = []
    for k, s in enumerate(found.sources):
        al = s.alignment
        head = "source" if k == 0 else "  also"
        lines.append(
            f"{rid}: {head} {s.id}  explains {s.explains:.2f}  similarity {s.similarity:.2f}  "
            f"({al.sentences} sentences aligned, {al.changed:.0%} of their words swapped)"
        )
        if k == 0 and not args.no_pairs:
            shown = ", ".join(f"{p.spun} → {p.original or '∅'}" for p in al.pairs[:12])
            more = f" … (+{len(al.pairs) - 12})" if len(al.pairs) > 12 else ""
            if shown:
                lines.append(f"    swaps: {shown}{more}")
    if len(found.sources) > 1 or any(s.source is None for s in found.sentences):
        lines.append("    sentence by sentence:")
        for n, s in enumerate(found.sentences, 1):
            where = (
                f"{s.source} [{s.source_start}:{s.source_end}], {s.changed:.0%} changed"
                if s.source is not None
                else "no source"
            )
            lines.append(f"    {n:>3}. [{s.start}:{s.end}] ← {where}")
    return "\n".join(lines) + "\n"
