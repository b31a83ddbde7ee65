"""Reading user input safely: bytes to text with one-line errors instead of tracebacks."""

from __future__ import annotations

import sys
from pathlib import Path

from unspin.errors import InputError

MAX_INPUT_BYTES = 256 * 1024 * 1024


def decode_text(data: bytes, name: str = "input") -> str:
    """UTF-8 (with or without BOM); binary or undecodable bytes raise InputError."""
    if b"\x00" in data[:65536]:
        raise InputError(f"{name}: looks like a binary file (NUL bytes), not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{name}: not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})"
        ) from None


def read_text(path: str) -> str:
    """Read FILE, or standard input for '-'."""
    if path == "-":
        data = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
        name = "stdin"
    else:
        p = Path(path)
        if not p.exists():
            raise InputError(f"{path}: no such file")
        if p.is_dir():
            raise InputError(f"{path}: is a directory (use `unspin scan` for many files)")
        if p.stat().st_size > MAX_INPUT_BYTES:
            raise InputError(f"{path}: larger than {MAX_INPUT_BYTES >> 20} MB; use `unspin scan`")
        try:
            data = p.read_bytes()
        except OSError as exc:
            raise InputError(f"{path}: cannot read ({exc.strerror})") from None
        name = path
    if len(data) > MAX_INPUT_BYTES:
        raise InputError(f"{name}: larger than {MAX_INPUT_BYTES >> 20} MB; use `unspin scan`")
    return decode_text(data, name)
