"""`unspin check [FILE|-]`: analyse one document and show what was spun."""

from __future__ import annotations

import argparse
import json
import os
import sys

from unspin.commands import unit_interval
from unspin.errors import EXIT_OK, EXIT_SPUN, UnspinError

KIND_COLOURS = {"substitution": "33", "keyword": "35", "artifact": "36"}


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "check",
        help="analyse one document",
        description=(
            "Print the text with each flagged span shown as 'spun → original' and a verdict. "
            "Exit status: 0 not judged spun, 1 judged spun, 2 usage, 3 bad input, 4 data problem."
        ),
    )
    p.add_argument("file", nargs="?", default="-", help="a UTF-8 text file, or - for stdin")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print the JSON report")
    out.add_argument("--restore", action="store_true", help="print only the restored text")
    p.add_argument(
        "--threshold",
        type=unit_interval,
        default=None,
        help="span score needed to flag (0-1; lower flags more; default tuned)",
    )
    p.add_argument("--color", choices=("auto", "always", "never"), default="auto")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import unspin
    from unspin.io import read_text

    text = read_text(args.file)
    try:
        report = unspin.analyze(text, threshold=args.threshold)
    except MemoryError:
        raise UnspinError("out of memory; split the input or use `unspin scan`") from None
    if args.json:
        json.dump(report.to_dict(), sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
    elif args.restore:
        sys.stdout.write(report.restored)
    else:
        colour = args.color == "always" or (
            args.color == "auto" and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
        )
        sys.stdout.write(render(text, report, colour))
        sys.stdout.write("\n" + summary(report) + "\n")
    return EXIT_SPUN if report.verdict == "spun" else EXIT_OK


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
    detail = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())) or "nothing flagged"
    line = (
        f"verdict: {report.verdict} (spun probability {report.spun_probability:.2f}; "
        f"{report.words} words; {detail})"
    )
    if report.reason:
        line += f" — {report.reason}"
    return line
