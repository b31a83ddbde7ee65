"""Command-line entry point: `unspin COMMAND ...`, mirroring the Python API.

Each command lives in ``unspin.commands.<name>`` and exposes ``add_parser(subparsers)``
and ``run(args) -> int``; heavy imports stay inside ``run`` so a cold start is cheap.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from unspin.errors import EXIT_INTERRUPTED, EXIT_USAGE, UnspinError

COMMANDS = ("check", "eval", "scan", "index", "trace", "cluster", "serve")


def build_parser() -> argparse.ArgumentParser:
    from unspin import __version__

    parser = argparse.ArgumentParser(prog="unspin", description="See through machine-spun text.")
    parser.add_argument("--version", action="version", version=f"unspin {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"unspin.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"unspin.commands.{name}":
                continue  # command not part of this build
            raise
        module.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return int(args.run(args) or 0)
    except UnspinError as exc:
        print(f"unspin: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("unspin: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
