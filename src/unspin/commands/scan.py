"""`unspin scan INPUT... -o OUTPUT`: analyse a whole corpus, resumably, losing no record."""

from __future__ import annotations

import argparse
import sys

from unspin.commands import add_record_fields, unit_interval

VERDICT_LIST = "spun, clean, uncertain, unsupported"


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "scan",
        help="scan a corpus (JSONL, Parquet, WARC, text files) into JSONL or Parquet",
        description=(
            "Analyse every record of INPUT (files, folders, globs of .jsonl/.json[.gz|.zst], "
            ".parquet, .warc[.gz], .wet[.gz], .txt) and write one row per record to OUTPUT "
            "(.jsonl, .jsonl.gz or .parquet): id, source, position, spun_probability, verdict, "
            "span_count and spans, or an 'error' that says why the record could not be read. "
            "Killed runs resume when started again with the same command. A JSON manifest "
            "(OUTPUT.manifest.json) records counts, errors by reason and speed."
        ),
    )
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="files, folders or globs")
    p.add_argument("-o", "--output", required=True, help="OUTPUT.jsonl, .jsonl.gz or .parquet")
    add_record_fields(p)
    p.add_argument("--restore", action="store_true", help="add the restored text to each row")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument(
        "--keep",
        type=_verdicts,
        metavar="VERDICTS",
        help=f"filter: write only records with these verdicts (comma-separated: {VERDICT_LIST}); "
        "rows then carry the text, error records go to OUTPUT.errors.jsonl",
    )
    mode.add_argument(
        "--drop",
        type=_verdicts,
        metavar="VERDICTS",
        help="filter: write every record except those with these verdicts (e.g. --drop spun)",
    )
    p.add_argument(
        "--threshold", type=unit_interval, default=None, help="span score needed to flag (0-1)"
    )
    p.add_argument("-j", "--jobs", type=int, default=1, help="worker processes (default 1)")
    p.add_argument("--engine", choices=("local", "ray"), default="local")
    p.add_argument("--address", default=None, help="Ray cluster address (default: a local one)")
    p.add_argument(
        "--max-bytes",
        type=int,
        default=None,
        help="records larger than this become 'oversized record' errors (default 4 MiB)",
    )
    p.add_argument("--shard-size", type=int, default=None, help="records per shard (default 500)")
    p.add_argument("--restart", action="store_true", help="discard parts of an interrupted run")
    p.add_argument("--quiet", action="store_true", help="no progress bar and no summary")
    p.set_defaults(run=run)


def _verdicts(value: str) -> tuple[str, ...]:
    out = tuple(v.strip() for v in value.split(",") if v.strip())
    bad = [v for v in out if v not in VERDICT_LIST.split(", ")]
    if not out or bad:
        raise argparse.ArgumentTypeError(f"choose verdicts from {VERDICT_LIST}")
    return out


def run(args: argparse.Namespace) -> int:
    from unspin.corpus.readers import DEFAULT_MAX_BYTES
    from unspin.corpus.scan import DEFAULT_SHARD_SIZE, ScanOptions, scan, summary_lines
    from unspin.corpus.writers import output_format

    opts = ScanOptions(
        text_field=args.text_field,
        id_field=args.id_field,
        max_bytes=args.max_bytes or DEFAULT_MAX_BYTES,
        restore=args.restore,
        keep=args.keep,
        drop=args.drop,
        threshold=args.threshold,
        fmt=output_format(args.output),
        shard_size=args.shard_size or DEFAULT_SHARD_SIZE,
    )
    manifest = scan(
        args.inputs,
        args.output,
        opts,
        jobs=args.jobs,
        engine=args.engine,
        address=args.address,
        restart=args.restart,
        progress=False if args.quiet else None,
    )
    if not args.quiet:
        for line in summary_lines(manifest):
            print(line, file=sys.stderr)
    return 0
