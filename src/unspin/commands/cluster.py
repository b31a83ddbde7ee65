"""`unspin cluster INPUT...`: group a collection into families of spun variants."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TextIO

from unspin.commands import add_record_fields, plural


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "cluster",
        help="group documents into families of spun variants of one text",
        description=(
            "Fingerprint every record of INPUT (as `scan` reads them), link documents of which "
            "at least --min-similarity is a spun rewrite of another, and print the families. "
            '--json writes one line per record: {"id": ..., "family": FIRST_MEMBER_ID, '
            '"size": N}; --families writes one line per family with its members and links.'
        ),
    )
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="files, folders or globs")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="JSON Lines, one per input record")
    out.add_argument("--families", action="store_true", help="JSON Lines, one per family")
    p.add_argument("-o", "--output", default=None, help="write here instead of stdout")
    add_record_fields(p)
    p.add_argument(
        "--min-similarity",
        type=float,
        default=0.5,
        help="link two documents when at least this fraction of one is rewritten from the "
        "other (default 0.5)",
    )
    p.add_argument("-j", "--jobs", type=int, default=1, help="worker processes (default 1)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from unspin.errors import InputError
    from unspin.trace.cluster import cluster
    from unspin.trace.inputs import iter_items

    if args.jobs < 1:
        raise InputError("--jobs must be at least 1")
    if not 0.0 <= args.min_similarity <= 1.0:
        raise InputError("--min-similarity must be between 0 and 1")
    errors: dict[str, str] = {}
    order: list[str] = []

    def docs():
        for rid, text, error, _src, _pos in iter_items(args.inputs, args.text_field, args.id_field):
            order.append(rid)
            if error is not None or text is None:
                errors[rid] = error or "no text"
                continue
            yield rid, text

    families = cluster(docs(), min_similarity=args.min_similarity, jobs=args.jobs)
    out: TextIO = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout  # noqa: SIM115
    try:
        if args.families:
            for f in families:
                out.write(json.dumps(f.to_dict(), ensure_ascii=False) + "\n")
        elif args.json:
            family_of = {m: f for f in families for m in f.members}
            for rid in order:
                if rid in errors:
                    row = {"id": rid, "family": None, "size": 0, "error": errors[rid]}
                else:
                    f = family_of[rid]
                    row = {"id": rid, "family": f.representative, "size": len(f.members)}
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
        else:
            multi = [f for f in families if len(f.members) > 1]
            for f in multi:
                out.write(f"family of {len(f.members)}: {', '.join(f.members)}\n")
            singles = sum(1 for f in families if len(f.members) == 1)
            fams = "1 family" if len(multi) == 1 else f"{len(multi)} families"
            alone = "1 document on its own" if singles == 1 else f"{singles} documents on their own"
            out.write(
                f"{fams} of spun variants, {alone}"
                + (f", {plural(len(errors), 'unreadable record')}" if errors else "")
                + "\n"
            )
    finally:
        if out is not sys.stdout:
            out.close()
    return 0
