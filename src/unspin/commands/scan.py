"""`unspin scan INPUT... -o OUTPUT`: analyse a whole corpus, resumably, losing no record."""

from __future__ import annotations

import argparse
import sys

from unspin.commands import (
    add_record_fields,
    add_runtime_options,
    apply_runtime_options,
    unit_interval,
)

VERDICT_LIST = "spun, clean, uncertain, unsupported"


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "scan",
        help="scan a corpus (JSONL, Parquet, WARC, text files) into JSONL or Parquet",
        description=(
            "Analyse every record of INPUT (files, folders, globs of .jsonl/.json[.gz|.zst], "
            ".parquet, .warc[.gz], .wet[.gz], .txt, .html; - reads JSON Lines from stdin) and "
            "write one row per record to OUTPUT (.jsonl, .jsonl.gz or .parquet; - writes JSON "
            "Lines to stdout): id, source, position, url, spun_probability, verdict, "
            "span_count and spans, or an 'error' that says why the record could not be read. "
            "With --keep/--drop each row is instead the input record itself, every field "
            "unchanged, with unspin's fields beside it prefixed unspin_. "
            "Killed runs resume when started again with the same command. A JSON manifest "
            "(OUTPUT.manifest.json) records counts, errors by reason and speed."
        ),
    )
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="files, folders, globs, or -")
    p.add_argument(
        "-o", "--output", required=True, help="OUTPUT.jsonl, .jsonl.gz, .parquet, or - (stdout)"
    )
    add_record_fields(p)
    p.add_argument("--restore", action="store_true", help="add the restored text to each row")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument(
        "--keep",
        type=_verdicts,
        metavar="VERDICTS",
        help=f"filter: write only records with these verdicts (comma-separated: {VERDICT_LIST}); "
        "rows are then the input records with unspin_* fields added; error records go to "
        "OUTPUT.errors.jsonl (with -o -: to stderr)",
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
    add_runtime_options(p)
    p.set_defaults(run=run)


def _verdicts(value: str) -> tuple[str, ...]:
    out = tuple(v.strip() for v in value.split(",") if v.strip())
    bad = [v for v in out if v not in VERDICT_LIST.split(", ")]
    if not out or bad:
        raise argparse.ArgumentTypeError(f"choose verdicts from {VERDICT_LIST}")
    return out


def run(args: argparse.Namespace) -> int:
    from unspin.errors import EXIT_INTERRUPTED

    try:
        return _run(args)
    except KeyboardInterrupt:
        if args.output != "-":
            print(
                "unspin: interrupted; run the same command again to resume (finished shards "
                f"are kept in {args.output}.parts; --restart starts over)",
                file=sys.stderr,
            )
        else:
            print("unspin: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def _run(args: argparse.Namespace) -> int:
    import os
    import shutil
    import tempfile
    from contextlib import nullcontext

    from unspin.corpus.readers import DEFAULT_MAX_BYTES
    from unspin.corpus.scan import DEFAULT_SHARD_SIZE, ScanOptions, scan, summary_lines
    from unspin.corpus.writers import output_format
    from unspin.errors import InputError

    device, screen = apply_runtime_options(args)
    if args.inputs.count("-") > 1:
        raise InputError("stdin (-) can be read only once")
    to_stdout = args.output == "-"
    piped = "-" in args.inputs or to_stdout
    with tempfile.TemporaryDirectory(prefix="unspin-scan-") if piped else nullcontext("") as tmp:
        inputs, names = list(args.inputs), {}
        if "-" in inputs:  # spooled to a file: shards, progress and errors work as for files
            spool = os.path.join(tmp, "stdin.jsonl")
            with open(spool, "wb") as fh:
                shutil.copyfileobj(sys.stdin.buffer, fh, 1 << 20)
            inputs[inputs.index("-")] = spool
            names[spool] = "-"
        output = os.path.join(tmp, "stdout.jsonl") if to_stdout else args.output
        opts = ScanOptions(
            text_field=args.text_field,
            id_field=args.id_field,
            max_bytes=args.max_bytes or DEFAULT_MAX_BYTES,
            restore=args.restore,
            keep=args.keep,
            drop=args.drop,
            threshold=args.threshold,
            fmt=output_format(output),
            shard_size=args.shard_size or DEFAULT_SHARD_SIZE,
            device=device,
            screen=screen,
        )
        manifest = scan(
            inputs,
            output,
            opts,
            jobs=args.jobs,
            engine=args.engine,
            address=args.address,
            restart=args.restart or bool(names),  # stdin cannot be read again to resume
            progress=False if args.quiet else None,
            names=names,
        )
        if to_stdout:
            with open(output, "rb") as fh:
                shutil.copyfileobj(fh, sys.stdout.buffer, 1 << 20)
            sys.stdout.flush()
            if manifest["errors_output"]:  # filter modes: error records stay accounted for
                with open(manifest["errors_output"], "rb") as fh:
                    shutil.copyfileobj(fh, sys.stderr.buffer, 1 << 20)
                sys.stderr.flush()
            manifest = {**manifest, "output": "stdout", "errors_output": None, "manifest": False}
    if not args.quiet:
        for line in summary_lines(manifest):
            print(line, file=sys.stderr)
    return 0
