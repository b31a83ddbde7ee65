"""`unspin check [FILE...|-]`: analyse documents one by one and show what was spun."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import TextIO

from unspin.commands import add_runtime_options, apply_runtime_options, plural, unit_interval
from unspin.errors import EXIT_OK, EXIT_SPUN, InputError, UnspinError

KIND_COLOURS = {"substitution": "33", "keyword": "35", "artifact": "36"}
HTML_SUFFIXES = (".html", ".htm", ".xhtml")


def add_parser(sub: argparse._SubParsersAction) -> None:
    from unspin.io import MAX_INPUT_BYTES

    p = sub.add_parser(
        "check",
        help="analyse documents one by one",
        description=(
            "Print each text with every flagged span shown as 'spun → original' and a verdict "
            "line. HTML files (.html, .htm; --html for stdin) are reduced to their main text "
            "first, as `scan` does for web pages; spans and --restore then refer to that text. "
            f"Inputs larger than {MAX_INPUT_BYTES >> 20} MiB are refused (exit 3; use "
            "`unspin scan`). "
            "Exit status: 0 none judged spun, 1 at least one judged spun, 2 usage, 3 bad input "
            "(missing, binary, undecodable, too large), 4 data problem."
        ),
    )
    p.add_argument(
        "files", nargs="*", default=["-"], metavar="FILE", help="text or HTML files, - for stdin"
    )
    out = p.add_mutually_exclusive_group()
    out.add_argument(
        "--json", action="store_true", help="print the JSON report (one line per FILE)"
    )
    out.add_argument("--restore", action="store_true", help="print only the restored text")
    p.add_argument(
        "-o",
        "--output",
        default=None,
        metavar="PATH",
        help="write here instead of stdout (with several FILEs and --restore: a folder that "
        "receives one restored file per input, under its own name)",
    )
    p.add_argument("--html", action="store_true", help="stdin is an HTML page")
    p.add_argument(
        "--encoding",
        default=None,
        help="text encoding of the input (default: UTF-8, or UTF-16/32 by byte-order mark)",
    )
    p.add_argument(
        "--threshold",
        type=unit_interval,
        default=None,
        help="span score needed to flag (0-1; lower flags more; default tuned)",
    )
    p.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour the flagged spans (default auto: on a terminal, unless NO_COLOR is set)",
    )
    add_runtime_options(p)
    p.set_defaults(run=run)


def load(path: str, *, html: bool = False, encoding: str | None = None) -> str:
    """The text `check` analyses for one FILE (or '-'): decoded, HTML reduced to its main text."""
    from unspin.io import read_text

    text = read_text(path, encoding)
    if html or path.lower().endswith(HTML_SUFFIXES):
        try:
            from unspin.corpus.readers import extract_main_text

            main = extract_main_text(text)
        except ModuleNotFoundError as exc:
            raise UnspinError(
                f"HTML input needs trafilatura ({exc.name} is missing): pip install 'unspin[scan]'"
            ) from None
        if not main:
            name = "stdin" if path == "-" else path
            raise InputError(f"{name}: no main text: the page has no extractable prose")
        text = main
    return text


def run(args: argparse.Namespace) -> int:
    import unspin

    apply_runtime_options(args)
    from unspin.io import check_encoding

    encoding = check_encoding(args.encoding) if args.encoding else None
    if args.files.count("-") > 1:
        raise InputError("stdin (-) can be read only once")
    several = len(args.files) > 1
    if several and args.restore and args.output and not os.path.isdir(args.output):
        raise InputError(f"{args.output}: with several FILEs, --restore -o needs a folder")
    if several and args.restore and not args.output:
        raise InputError("several FILEs with --restore need -o FOLDER (one restored file each)")
    # Read and decode everything first: a bad file fails before any output is written.
    texts = [load(f, html=args.html, encoding=encoding) for f in args.files]
    analyzer = unspin.default_analyzer()
    out: TextIO = sys.stdout
    if args.output and not (several and args.restore):
        try:
            out = open(args.output, "w", encoding="utf-8")  # noqa: SIM115 - closed below
        except OSError as exc:
            raise InputError(f"{args.output}: cannot write ({exc.strerror})") from None
    colour = args.color == "always" or (
        args.color == "auto" and out.isatty() and not os.environ.get("NO_COLOR")
    )
    spun = False
    try:
        for k, (name, text) in enumerate(zip(args.files, texts)):
            try:
                report = analyzer.analyze(text, threshold=args.threshold, progress=_bar(text))
            except MemoryError:
                raise UnspinError("out of memory; split the input or use `unspin scan`") from None
            spun = spun or report.verdict == "spun"
            if args.json:
                d = report.to_dict()
                if several:
                    d = {"file": name, **d}
                out.write(json.dumps(d, ensure_ascii=False) + "\n")
            elif args.restore and several:
                target = os.path.join(args.output, os.path.basename(name))
                with open(target, "w", encoding="utf-8") as fh:
                    fh.write(report.restored)
            elif args.restore:
                out.write(report.restored)
            else:
                if several:
                    out.write(("\n" if k else "") + f"==> {name} <==\n")
                out.write(render(text, report, colour))
                out.write("\n" + summary(report) + "\n")
    finally:
        if out is not sys.stdout:
            out.close()
    return EXIT_SPUN if spun else EXIT_OK


PROGRESS_CHARS = 200_000  # texts at least this long show a progress bar on a terminal


def _bar(text: str):
    """A progress callback for a long text when stderr is a terminal (else None). Plain
    text, no dependency: `check` runs on the core install."""
    if len(text) < PROGRESS_CHARS or not sys.stderr.isatty():
        return None
    import time

    start, shown = time.monotonic(), [-1]

    def advance(done: int, total: int) -> None:
        pct = 100 * done // max(total, 1)
        if pct == shown[0]:
            return
        shown[0] = pct
        spent = time.monotonic() - start
        left = f", about {spent * (total - done) / done:.0f} s left" if done and pct < 100 else ""
        end = "\r\x1b[K" if done >= total else ""
        sys.stderr.write(f"\r\x1b[Kcheck: {pct}% of {len(text):,} characters{left}{end}")
        sys.stderr.flush()

    return advance


def render(text: str, report, colour: bool) -> str:
    """The text with every flagged span written as [spun → original]."""
    out, pos = [], 0
    for s in report.spans:
        out.append(text[pos : s.start])
        original = s.original if s.original else "∅"
        if s.original == s.text:
            original = "?"
        mark = f"[{s.text} → {original}]"
        out.append(f"\x1b[{KIND_COLOURS[s.kind]}m{mark}\x1b[0m" if colour else mark)
        pos = s.end
    out.append(text[pos:])
    return "".join(out)


def summary(report) -> str:
    kinds: dict[str, int] = {}
    for s in report.spans:
        kinds[s.kind] = kinds.get(s.kind, 0) + 1
    detail = ", ".join(plural(n, k) for k, n in sorted(kinds.items())) or "nothing flagged"
    words = plural(report.words, "word")
    if report.spun_probability is None:  # unsupported: nothing was judged
        line = f"verdict: {report.verdict} ({words}; {detail})"
    else:
        line = (
            f"verdict: {report.verdict} (spun probability {report.spun_probability:.2f}; "
            f"{words}; {detail})"
        )
    if report.reason:
        line += f" — {report.reason}"
    return line
