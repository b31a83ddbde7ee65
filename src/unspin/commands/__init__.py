"""One module per CLI command (see unspin.cli); shared argument types live here."""

from __future__ import annotations

import argparse


def unit_interval(value: str) -> float:
    """argparse type: a number between 0 and 1 (thresholds, similarities)."""
    try:
        x = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if not 0.0 <= x <= 1.0:
        raise argparse.ArgumentTypeError("must be between 0 and 1")
    return x


def plural(n: int, noun: str) -> str:
    """'1 word', '2 words', '1 substitution', '15 substitutions'."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def add_record_fields(p: argparse.ArgumentParser) -> None:
    """--text-field / --id-field, shared by every command that reads corpora."""
    p.add_argument(
        "--text-field",
        default="text",
        metavar="NAME",
        help="JSON key / Parquet column of the text (default: text)",
    )
    p.add_argument(
        "--id-field",
        default=None,
        metavar="NAME",
        help="JSON key / Parquet column of the record id (default: id where records have "
        "one, the URL for WARC, else FILE:LINE); a NAME no record has is an error",
    )


def add_runtime_options(p: argparse.ArgumentParser) -> None:
    """--device / --no-screen, shared by check, scan and serve."""
    p.add_argument(
        "--device",
        choices=("auto", "cpu", "cuda"),
        default=None,
        help="where the models run (default auto: CUDA when onnxruntime-gpu has it, else CPU; "
        "or UNSPIN_DEVICE)",
    )
    p.add_argument(
        "--no-screen",
        dest="screen",
        action="store_false",
        default=None,
        help="send every text through the full detector (slower); by default a fast screen "
        "clears most clean texts first (or UNSPIN_SCREEN=0)",
    )


def apply_runtime_options(args: argparse.Namespace) -> tuple[str, bool]:
    """Make --device / --no-screen the defaults of every Analyzer this process (and the
    worker processes it starts) creates; returns the (device, screen) in force."""
    from unspin import runtime
    from unspin.errors import InputError

    runtime.set_defaults(args.device, args.screen)
    try:
        return runtime.resolve()
    except ValueError as exc:  # from the environment: --device is checked by argparse
        raise InputError(f"UNSPIN_DEVICE: {exc}") from None
