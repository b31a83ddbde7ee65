"""Input records for `index`, `trace` and `cluster`: the same files `scan` reads, or stdin."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence

from unspin.errors import InputError

Item = tuple[str, str | None, str | None, str | None, int | None]  # id, text, error, file, pos


def iter_items(
    inputs: Sequence[str],
    text_field: str = "text",
    id_field: str | None = None,
    max_bytes: int | None = None,
) -> Iterator[Item]:
    """(id, text, error, file, position) for every record of `inputs`; "-" is stdin, one
    document with id "-". Ids follow `scan`: the --id-field value (default: `id` where
    records have one, the URL for WARC), else FILE:LINE."""
    from unspin.corpus.readers import DEFAULT_MAX_BYTES, check_fields, expand_inputs, iter_file

    files = [p for p in inputs if p != "-"]
    expanded = expand_inputs(files) if files else []  # raises InputError before reading
    check_fields(expanded, text_field, id_field)  # so does a field no record has
    for p in inputs:
        if p == "-":
            from unspin.io import MAX_INPUT_BYTES, decode_text

            data = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
            if len(data) > MAX_INPUT_BYTES:
                raise InputError("stdin: too large; write it to a file")
            yield "-", decode_text(data, "stdin"), None, "-", 1
    for path in expanded:
        for rec in iter_file(path, text_field, id_field, max_bytes or DEFAULT_MAX_BYTES):
            yield rec.id, rec.text, rec.error, rec.source, rec.position


def reason(error: str) -> str:
    """The category of a reader error ("malformed JSON: ..." -> "malformed JSON")."""
    return error.split(":", 1)[0].strip() or "error"
