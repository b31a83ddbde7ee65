"""Reading user input safely: bytes to text with one-line errors instead of tracebacks."""

from __future__ import annotations

import codecs
import sys
from pathlib import Path

from unspin.errors import InputError

# The largest input `check` accepts, the same as one `scan` record: analysis is linear in
# size (measured 11 s per 100 kB of dense spun prose on a busy core, 12 s per MB of plain
# prose), so the largest input takes minutes at worst; split larger ones or `unspin scan` them.
MAX_INPUT_BYTES = 4 * 1024 * 1024
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def check_encoding(encoding: str) -> str:
    """argparse type / API check: a codec Python knows (``latin-1``, ``cp1252``, ``utf-16``)."""
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        raise InputError(f"unknown encoding {encoding!r} (e.g. utf-8, latin-1, cp1252)") from None


def decode_text(data: bytes, name: str = "input", encoding: str | None = None) -> str:
    """Bytes to text: `encoding` if given, else by byte-order mark (UTF-8/16/32), else UTF-8.
    Binary or undecodable bytes raise InputError with a way forward."""
    if encoding is None:
        for bom, codec in _BOMS:
            if data.startswith(bom):
                encoding = codec
                break
    if encoding is None and b"\x00" in data[:65536]:
        raise InputError(
            f"{name}: looks like a binary file (NUL bytes), not text "
            "(for UTF-16 without a byte-order mark pass --encoding utf-16-le)"
        )
    try:
        text = data.decode(encoding or "utf-8")
    except UnicodeDecodeError as exc:
        hint = "pass --encoding (e.g. latin-1 or cp1252)" if encoding is None else "wrong encoding?"
        raise InputError(
            f"{name}: not valid {encoding or 'UTF-8'} (byte 0x{data[exc.start]:02x} at offset "
            f"{exc.start}); {hint}"
        ) from None
    return text.removeprefix("\ufeff")


def read_bytes(path: str, limit: int = MAX_INPUT_BYTES) -> tuple[bytes, str]:
    """(bytes, display name) of FILE, or of standard input for '-'; at most `limit` bytes."""
    too_big = (
        f"larger than {limit >> 20} MiB, the most `unspin check` reads; split it, or use "
        "`unspin scan --max-bytes N`"
    )
    if path == "-":
        data = sys.stdin.buffer.read(limit + 1)
        name = "stdin"
    else:
        p = Path(path)
        if not p.exists():
            raise InputError(f"{path}: no such file")
        if p.is_dir():
            raise InputError(f"{path}: is a directory (use `unspin scan` for many files)")
        if p.stat().st_size > limit:
            raise InputError(f"{path}: {too_big}")
        try:
            data = p.read_bytes()
        except OSError as exc:
            raise InputError(f"{path}: cannot read ({exc.strerror})") from None
        name = path
    if len(data) > limit:
        raise InputError(f"{name}: {too_big}")
    return data, name


def read_text(path: str, encoding: str | None = None, limit: int = MAX_INPUT_BYTES) -> str:
    """Read FILE, or standard input for '-' (see `decode_text`)."""
    data, name = read_bytes(path, limit)
    return decode_text(data, name, encoding)
