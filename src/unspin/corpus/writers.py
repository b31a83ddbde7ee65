"""Scan output: one row per input record, serialised per shard, merged into one file at the end.

Shards are encoded to bytes here (deterministically: sorted nothing, fixed key order, gzip
with mtime 0) so that the same input gives byte-identical output whichever engine, worker
count or interruption produced the shards.

JSONL rows (fields may be added, none renamed):
  analysed: id, source, position, url (when the record has one), spun_probability (null when
            unsupported), verdict, span_count, spans, words, language, reason (only when
            non-empty), restored (--restore)
  error:    id, source, position, error
Filter modes (--keep/--drop) write the input record itself instead: every input field
unchanged (a text or WARC record's are its text, and url, warc_record_id and date), and
beside them the analysed row's fields, each prefixed ``unspin_`` (unspin_id, unspin_source,
..., unspin_verdict, unspin_restored). Error rows go to OUTPUT.errors.jsonl.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import shutil
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from unspin.errors import InputError

if TYPE_CHECKING:
    from unspin.corpus.readers import Record
    from unspin.report import Report

OUTPUT_FORMATS = ("jsonl", "jsonl.gz", "parquet")


def output_format(path: str) -> str:
    """The output format named by the file's extension."""
    name = path.lower()
    if name.endswith((".jsonl.gz", ".json.gz", ".ndjson.gz")):
        return "jsonl.gz"
    if name.endswith((".jsonl", ".json", ".ndjson")):
        return "jsonl"
    if name.endswith((".parquet", ".pq")):
        return "parquet"
    raise InputError(f"{path}: output must end in .jsonl, .jsonl.gz or .parquet")


def part_suffix(fmt: str) -> str:
    return {"jsonl": ".jsonl", "jsonl.gz": ".jsonl.gz", "parquet": ".parquet"}[fmt]


PREFIX = "unspin_"  # unspin's own fields beside the input's, in filter modes


def result_row(
    rec: Record, report: Report, *, restored: bool = False, text: bool = False
) -> dict[str, Any]:
    """The output row for an analysed record (key order is part of the format); with `text`
    (filter modes) the input record with the row's fields beside it (see the docstring)."""
    d = report.to_dict()
    row: dict[str, Any] = {
        "id": rec.id,
        "source": rec.source,
        "position": rec.position,
    }
    if rec.url is not None:
        row["url"] = rec.url
    row |= {
        "spun_probability": d["spun_probability"],
        "verdict": d["verdict"],
        "span_count": len(d["spans"]),
        "spans": d["spans"],
        "words": d["words"],
        "language": d["language"],
    }
    if d.get("reason"):
        row["reason"] = d["reason"]
    if restored:
        row["restored"] = d["restored"]
    if text:
        fields = rec.fields if rec.fields is not None else {"text": rec.text}
        return {**fields, **{PREFIX + k: v for k, v in row.items()}}
    return row


def error_row(rec: Record, error: str | None = None) -> dict[str, Any]:
    """The output row for a record that could not be read or analysed."""
    return {
        "id": rec.id,
        "source": rec.source,
        "position": rec.position,
        "error": error or rec.error or "unknown error",
    }


def encode_jsonl(rows: Iterable[dict[str, Any]], *, compress: bool = False) -> bytes:
    data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode("utf-8")
    if compress and data:
        # One gzip member per shard; members concatenate into a valid .gz file.
        return gzip.compress(data, compresslevel=6, mtime=0)
    return data


def _parquet_schema(restored: bool, prefix: str = "") -> Any:
    import pyarrow as pa

    alt = pa.struct([("text", pa.string()), ("score", pa.float64())])
    span = pa.struct(
        [
            ("start", pa.int64()),
            ("end", pa.int64()),
            ("text", pa.string()),
            ("kind", pa.string()),
            ("original", pa.string()),
            ("score", pa.float64()),
            ("alternatives", pa.list_(alt)),
            ("evidence", pa.string()),
        ]
    )
    fields = [
        ("id", pa.string()),
        ("source", pa.string()),
        ("position", pa.int64()),
        ("url", pa.string()),
        ("spun_probability", pa.float64()),
        ("verdict", pa.string()),
        ("span_count", pa.int32()),
        ("spans", pa.list_(span)),
        ("words", pa.int64()),
        ("language", pa.string()),
        ("reason", pa.string()),
    ]
    if not prefix:
        fields.append(("error", pa.string()))  # filter modes write error rows elsewhere
    if restored:
        fields.append(("restored", pa.string()))
    return pa.schema([(prefix + name, kind) for name, kind in fields])


def encode_parquet(rows: Sequence[dict[str, Any]], *, restored: bool, text: bool) -> bytes:
    """One shard as a small Parquet file (missing fields are nulls, e.g. on error rows).
    In filter modes (`text`) the input's own columns come first, their types inferred
    (shards are reconciled when merged), then unspin's."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = _parquet_schema(restored, PREFIX if text else "")
    columns = {name: [r.get(name) for r in rows] for name in schema.names}
    table = pa.table(columns, schema=schema)
    if text:
        own = set(schema.names)
        names = list(dict.fromkeys(k for r in rows for k in r if k not in own))
        inputs = pa.Table.from_pylist([{k: r.get(k) for k in names} for r in rows])
        if not names:
            inputs = pa.table({"text": pa.array([], pa.string())})
        for name in reversed(inputs.column_names):
            table = table.add_column(0, name, inputs.column(name))
    buf = io.BytesIO()
    pq.write_table(table, buf, compression="zstd")
    return buf.getvalue()


def encode_rows(
    rows: Sequence[dict[str, Any]], fmt: str, *, restored: bool = False, text: bool = False
) -> bytes:
    if fmt == "parquet":
        return encode_parquet(rows, restored=restored, text=text)
    return encode_jsonl(rows, compress=fmt == "jsonl.gz")


def write_atomic(path: str, data: bytes) -> None:
    """Write `data` so that `path` either does not exist or holds all of it (also after SIGKILL)."""
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def merge_parts(parts: Sequence[str], out_path: str, fmt: str) -> None:
    """Concatenate shard files into `out_path` atomically, streaming (bounded memory)."""
    tmp = f"{out_path}.tmp{os.getpid()}"
    if fmt == "parquet":
        import pyarrow.parquet as pq

        writer = None
        schema = _unified_schema(parts)
        try:
            for part in parts:
                table = _conform(pq.read_table(part), schema)
                if writer is None:
                    writer = pq.ParquetWriter(tmp, table.schema, compression="zstd")
                if table.num_rows:
                    writer.write_table(table)
            if writer is None:
                raise ValueError("no shards to merge")
        finally:
            if writer is not None:
                writer.close()
    else:
        with open(tmp, "wb") as out:
            for part in parts:
                with open(part, "rb") as fh:
                    shutil.copyfileobj(fh, out, 1 << 20)
    with open(tmp, "rb+") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, out_path)


def _unified_schema(parts: Sequence[str]) -> Any:
    """One schema for all shards (pass-through columns are inferred shard by shard: a column
    that is all nulls in one shard and strings in another becomes strings)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schemas = [pq.read_schema(p).remove_metadata() for p in parts]
    if not schemas or all(s.equals(schemas[0]) for s in schemas):
        return schemas[0] if schemas else None
    try:
        return pa.unify_schemas(schemas, promote_options="permissive")
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise InputError(
            f"input fields change type between records, so they cannot share one Parquet "
            f"schema ({str(exc).splitlines()[0]}); write JSONL instead"
        ) from None


def _conform(table: Any, schema: Any) -> Any:
    import pyarrow as pa

    if schema is None or table.schema.remove_metadata().equals(schema):
        return table
    cols = [
        table.column(f.name).cast(f.type)
        if f.name in table.column_names
        else pa.nulls(table.num_rows, f.type)
        for f in schema
    ]
    return pa.table(cols, schema=schema)


def empty_output(out_path: str, fmt: str, *, restored: bool, text: bool) -> None:
    """An output file with no rows (a scan of empty inputs still leaves a valid file)."""
    write_atomic(out_path, encode_rows([], fmt, restored=restored, text=text))
