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
