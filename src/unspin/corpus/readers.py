"""Stream documents out of corpus files, one `Record` per input record, losing none.

Every record a file holds comes out exactly once: either with its `text`, or with `text=None`
and an `error` that says in one line why it could not be read (``"<category>: <detail>"``, so
errors can be counted by category). A file that cannot be opened at all yields one error record
at position 0. Reading never raises for bad data; only a path that does not exist (or names no
corpus file) raises `InputError`, before anything is read.

Formats, chosen by file name (case-insensitive; ``.gz``/``.zst`` compression on top):

- ``.jsonl``, ``.ndjson``, ``.json`` — JSON Lines: one object per line. Blank lines are not
  records and are skipped (their line numbers still count). ``position`` = line number (1-based),
  default id: the record's ``id`` field, else ``FILE:LINE``.
- ``.parquet``, ``.pq`` — one record per row. ``position`` = row number counting from 1,
  default id: the ``id`` column, else ``FILE:ROW``.
- ``.warc``, ``.warc.gz``, ``.wet``, ``.wet.gz`` — one record per WARC ``response``, ``resource``
  or ``conversion`` record (requests, metadata, warcinfo and revisits hold no document and are
  skipped). HTML responses are reduced to their main text by trafilatura; ``text/plain`` payloads
  (WET files) are used as they are; other content types become error records.
  ``position`` = ordinal of the record among all records of the file (from 1). A record's
  fields are ``url`` (WARC-Target-URI), ``warc_record_id`` and ``date``; the default id is the
  URL (the record id where there is none).
- ``.txt`` — the whole file is one document (the usual expectation: one article per file),
  UTF-8 or UTF-16/32 with a byte-order mark. ``position`` = 1, id = the file's path.
- ``.html``, ``.htm`` — one web page per file, reduced to its main text as WARC pages are.

``text_field``/``id_field`` name a JSON key or Parquet column; a dotted name (``meta.id``) reaches
into nested JSON objects when no key of that exact name exists. A field that the first records
of a file do not have at all is a mistake in the command, not in the data: `check_fields`
raises `InputError` for it before anything is read (`iter_records` calls it).
"""

from __future__ import annotations

import glob
import gzip
import io
import json
import logging
import os
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO

from unspin.errors import InputError

DEFAULT_MAX_BYTES = 4 * 1024 * 1024  # bigger records are almost always dumps, not prose
FORMATS = ("jsonl", "parquet", "warc", "txt", "html")
DOCUMENT_FORMATS = ("txt", "html")  # one document per file
DEFAULT_ID_FIELD = "id"  # used when present and no --id-field is given
WARC_FIELDS = ("url", "warc_record_id", "date")
_SAMPLE = 100  # JSON records of a file looked at by `check_fields`
_EXTENSIONS = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".warc": "warc",
    ".wet": "warc",
    ".txt": "txt",
    ".html": "html",
    ".htm": "html",
}
_COMPRESSIONS = {".gz": "gz", ".gzip": "gz", ".zst": "zst", ".zstd": "zst"}
_PARQUET_BATCH = 1024
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_MISSING = object()


@dataclass(slots=True)
class Record:
    """One input record: its text, or the one-line reason it could not be read."""

    id: str
    source: str
    position: int
    text: str | None
    error: str | None = None
    url: str | None = None  # the record's `url` field (WARC: WARC-Target-URI), if any
    fields: dict[str, Any] | None = None  # every input field, when asked for (scan filters)


ProgressFn = Callable[[int], None]


def detect_format(path: str) -> tuple[str, str | None] | None:
    """(format, compression) from a file name, or None when unspin does not read it."""
    name = os.path.basename(path).lower()
    stem, ext = os.path.splitext(name)
    compression = _COMPRESSIONS.get(ext)
    if compression:
        stem, ext = os.path.splitext(stem)
    fmt = _EXTENSIONS.get(ext)
    if fmt is None:
        return None
    if fmt == "parquet" and compression:
        return None  # Parquet compresses inside the file
    if fmt == "warc" and compression == "zst":
        return None  # fastwarc reads plain and gzip WARC only
    if fmt == "html" and compression:
        return None
    return fmt, compression


def _hidden(name: str) -> bool:
    return name.startswith((".", "_"))  # .crc, _SUCCESS, .git ...


def _walk(folder: str) -> list[str]:
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not _hidden(d))
        for name in sorted(files):
            if not _hidden(name) and detect_format(name):
                found.append(os.path.join(root, name))
    return found


def expand_inputs(paths: Sequence[str]) -> list[str]:
    """Files named by `paths` (files, folders searched recursively, globs), sorted, no repeats."""
    if isinstance(paths, str):
        paths = [paths]
    if not paths:
        raise InputError("no input given")
    wanted = (
        "expected .jsonl, .json, .parquet, .warc(.gz), .wet(.gz), .txt or .html, "
        "optionally .gz/.zst"
    )
    out: list[str] = []
    seen: set[str] = set()
    for p in paths:
        if os.path.isfile(p):
            if detect_format(p) is None:
                raise InputError(f"{p}: unknown format ({wanted})")
            files = [p]
        elif os.path.isdir(p):
            files = _walk(p)
            if not files:
                raise InputError(f"{p}: no corpus files in this folder ({wanted})")
        elif glob.has_magic(p):
            files = []
            for m in sorted(glob.glob(p, recursive=True)):
                if os.path.isdir(m):
                    files.extend(_walk(m))
                elif detect_format(m):
                    files.append(m)
            if not files:
                raise InputError(f"{p}: matches no corpus files ({wanted})")
        else:
            raise InputError(f"{p}: no such file or folder")
        for f in files:
            key = os.path.realpath(f)
            if key not in seen:
                seen.add(key)
                out.append(f)
    return out


def check_fields(
    files: Sequence[str], text_field: str = "text", id_field: str | None = None
) -> None:
    """Fail fast (InputError, exit 3) on field names that are mistakes in the command rather
    than in the data, instead of writing one error row per record: a JSON Lines or Parquet
    file without `text_field` at all (Parquet by its columns, JSON Lines by its first
    records), and an `id_field` that no file has (WARC records have `WARC_FIELDS`). Text and
    HTML files have no fields to name."""
    id_files, id_found, seen_fields = 0, False, set()
    for path in files:
        kind = detect_format(path)
        if kind is None or kind[0] in DOCUMENT_FORMATS:
            continue
        fmt, compression = kind
        if fmt == "warc":
            names: list[str] | None = list(WARC_FIELDS)
            has_text = True
        elif fmt == "parquet":
            names = _parquet_columns(path)
            has_text = names is None or text_field in names
            if not has_text:
                raise InputError(
                    f"{path}: --text-field {text_field}: no such column "
                    f"(columns: {_shown(names or [])})"
                )
        else:
            sample = _sample_objects(path, compression)
            names = sorted({k for o in sample for k in o}) if sample else None
            if sample and all(_get(o, text_field) is _MISSING for o in sample):
                raise InputError(
                    f"{path}: --text-field {text_field}: none of the first {len(sample)} "
                    f"records has this field (fields: {_shown(names or [])})"
                )
            if sample and id_field is not None:
                id_found = id_found or any(_get(o, id_field) is not _MISSING for o in sample)
                id_files += 1
                seen_fields.update(names or [])
            continue
        if names is not None and id_field is not None:
            id_files += 1
            id_found = id_found or id_field in names
            seen_fields.update(names)
    if id_field is not None and id_files and not id_found:
        raise InputError(
            f"--id-field {id_field}: no record has this field "
            f"(fields seen: {_shown(sorted(seen_fields))})"
        )


def _shown(names: Sequence[str]) -> str:
    return ", ".join(names[:8]) + (", ..." if len(names) > 8 else "")


def _parquet_columns(path: str) -> list[str] | None:
    import pyarrow.parquet as pq

    try:
        return list(pq.read_schema(path).names)
    except Exception:  # pyarrow raises several types for a bad file
        return None


def _sample_objects(path: str, compression: str | None) -> list[dict[str, Any]]:
    """Up to _SAMPLE JSON objects from the start of a JSON Lines file (bad lines skipped)."""
    out: list[dict[str, Any]] = []
    try:
        with open(path, "rb") as raw:
            fh = _decompressed(raw, compression)
            for _ in range(10 * _SAMPLE):
                line = fh.readline(DEFAULT_MAX_BYTES)
                if not line:
                    break
                try:
                    obj = json.loads(line.decode("utf-8-sig"))
                except (ValueError, RecursionError):
                    continue
                if isinstance(obj, dict):
                    out.append(obj)
                    if len(out) >= _SAMPLE:
                        break
    except (*_stream_errors(), OSError):
        pass  # a broken file: the reader reports it record by record
    return out


def iter_records(
    paths: Sequence[str] | str,
    text_field: str = "text",
    id_field: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    *,
    progress: ProgressFn | None = None,
) -> Iterator[Record]:
    """Every record of every file named by `paths`, in order (see the module docstring).

    `progress`, if given, is called with the number of (compressed) file bytes consumed since
    its last call, so a caller can show a byte-based ETA.
    """
    files = expand_inputs(paths)
    check_fields(files, text_field, id_field)
    for path in files:
        yield from iter_file(path, text_field, id_field, max_bytes, progress=progress)


def iter_file(
    path: str,
    text_field: str = "text",
    id_field: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    *,
    source: str | None = None,
    progress: ProgressFn | None = None,
    fields: bool = False,
) -> Iterator[Record]:
    """Every record of one file; `source` (default: `path`) is what ids and records name it.
    With `fields`, each record also carries all its input fields (`Record.fields`)."""
    src = path if source is None else source
    kind = detect_format(path)
    if kind is None:
        yield _file_error(src, "unknown format: not a corpus file name")
        return
    fmt, compression = kind
    tracker = _Tracker(progress)
    try:
        raw = open(path, "rb")  # noqa: SIM115 - closed in finally
    except OSError as exc:
        yield _file_error(src, f"unreadable file: {exc.strerror or exc}")
        return
    try:
        if fmt == "jsonl":
            records = _read_jsonl(raw, compression, src, text_field, id_field, max_bytes, fields)
        elif fmt in DOCUMENT_FORMATS:
            records = _read_document(raw, compression, src, max_bytes, fmt == "html", fields)
        elif fmt == "parquet":
            records = _read_parquet(raw, src, text_field, id_field, tracker, fields)
        else:
            records = _read_warc(raw, compression, src, max_bytes, id_field, fields)
        for rec in records:
            tracker.update(raw)
            yield rec
        tracker.finish(raw)
    finally:
        raw.close()


class _Tracker:
    """Reports raw bytes consumed to a progress callback (cheap no-op without one)."""

    def __init__(self, fn: ProgressFn | None) -> None:
        self.fn = fn
        self.done = 0
        self.total: int | None = None
        self.fraction: float | None = None  # Parquet: rows done / rows, since pyarrow reads ahead

    def update(self, raw: BinaryIO) -> None:
        if self.fn is None:
            return
        if self.fraction is not None:
            if self.total is None:
                self.total = os.fstat(raw.fileno()).st_size
            pos = int(self.total * self.fraction)
        else:
            try:
                pos = raw.tell()
            except (OSError, ValueError):
                return
        if pos > self.done:
            self.fn(pos - self.done)
            self.done = pos

    def finish(self, raw: BinaryIO) -> None:
        if self.fn is None:
            return
        try:
            size = os.fstat(raw.fileno()).st_size
        except (OSError, ValueError):
            return
        if size > self.done:
            self.fn(size - self.done)
            self.done = size


def _file_error(source: str, reason: str) -> Record:
    return Record(id=source, source=source, position=0, text=None, error=reason)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _get(obj: dict[str, Any], field: str) -> Any:
    if field in obj:
        return obj[field]
    if "." in field:
        cur: Any = obj
        for part in field.split("."):
            if not isinstance(cur, dict) or part not in cur:
                return _MISSING
            cur = cur[part]
        return cur
    return _MISSING


def _id_of(value: Any, default: str) -> str:
    if isinstance(value, str) and value:
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return default  # missing, null or a structure: fall back to the position


def _check_text(value: Any, field: str) -> tuple[str | None, str | None]:
    if value is _MISSING:
        return None, f"missing text field: no field {field!r}"
    if value is None:
        return None, f"missing text field: {field!r} is null"
    if not isinstance(value, str):
        return None, f"wrong type: field {field!r} is a JSON {_json_type(value)}, not a string"
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return None, "undecodable bytes: text holds unpaired surrogate escapes"
    return value, None


class _ZstdRaw(io.RawIOBase):
    """Zstandard decompression that notices a truncated last frame.

    (zstandard's stream_reader silently returns nothing for an incomplete frame.)
    """

    def __init__(self, raw: BinaryIO) -> None:
        import zstandard

        self._raw = raw
        self._dctx = zstandard.ZstdDecompressor()
        self._dobj = self._dctx.decompressobj()
        self._fed = False  # bytes of the current frame have been fed
        self._buf = b""

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        while not self._buf:
            chunk = self._raw.read(1 << 16)
            if not chunk:
                if self._fed and not self._dobj.eof:
                    raise EOFError("zstd stream ended before the end of its last frame")
                return 0
            while chunk:
                self._fed = True
                self._buf += self._dobj.decompress(chunk)
                chunk = b""
                if self._dobj.eof:
                    chunk = self._dobj.unused_data
                    self._dobj = self._dctx.decompressobj()
                    self._fed = False
        n = min(len(b), len(self._buf))
        b[:n] = self._buf[:n]
        self._buf = self._buf[n:]
        return n


def _decompressed(raw: BinaryIO, compression: str | None) -> BinaryIO:
    if compression == "gz":
        return gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[return-value]
    if compression == "zst":
        return io.BufferedReader(_ZstdRaw(raw), buffer_size=1 << 16)  # type: ignore[return-value]
    return raw


def _stream_error(exc: BaseException) -> str:
    if isinstance(exc, EOFError):
        return f"truncated file: {exc}"
    return f"corrupt file: {type(exc).__name__}: {exc}".splitlines()[0]


def _stream_errors() -> tuple[type[BaseException], ...]:
    errs: list[type[BaseException]] = [EOFError, OSError, zlib.error]
    try:
        import zstandard

        errs.append(zstandard.ZstdError)
    except ImportError:
        pass
    return tuple(errs)


def _read_jsonl(
    raw: BinaryIO,
    compression: str | None,
    source: str,
    text_field: str,
    id_field: str | None,
    max_bytes: int,
    fields: bool = False,
) -> Iterator[Record]:
    stream_errors = _stream_errors()
    lineno = 0
    try:
        fh = _decompressed(raw, compression)
    except stream_errors as exc:
        yield _file_error(source, _stream_error(exc))
        return
    while True:
        try:
            line = fh.readline(max_bytes + 1)
            size = len(line)
            if size > max_bytes and not line.endswith(b"\n"):
                # Oversized: skip the rest of the line without holding it in memory.
                while line and not line.endswith(b"\n"):
                    line = fh.readline(1 << 20)
                    size += len(line)
                line = b"\0"  # sentinel: non-empty, handled below
        except stream_errors as exc:
            lineno += 1
            yield Record(f"{source}:{lineno}", source, lineno, None, _stream_error(exc))
            return
        if not line:
            return
        lineno += 1
        rid = f"{source}:{lineno}"
        if size > max_bytes:
            reason = f"oversized record: {size} bytes, over the limit of {max_bytes}"
            yield Record(rid, source, lineno, None, reason)
            continue
        if not line.strip():
            continue  # a blank line is not a record
        try:
            s = line.decode("utf-8")
        except UnicodeDecodeError as exc:
            reason = f"undecodable bytes: not UTF-8 at byte {exc.start} of the line"
            yield Record(rid, source, lineno, None, reason)
            continue
        if lineno == 1 and s.startswith("\ufeff"):
            s = s[1:]
        try:
            obj = json.loads(s)
        except json.JSONDecodeError as exc:
            reason = f"malformed JSON: {exc.msg} at column {exc.colno}"
            yield Record(rid, source, lineno, None, reason)
            continue
        except (ValueError, RecursionError) as exc:
            yield Record(rid, source, lineno, None, f"malformed JSON: {type(exc).__name__}")
            continue
        if not isinstance(obj, dict):
            reason = f"not a JSON object: the line holds a JSON {_json_type(obj)}"
            yield Record(rid, source, lineno, None, reason)
            continue
        rid = _id_of(_get(obj, id_field or DEFAULT_ID_FIELD), rid)
        text, reason = _check_text(_get(obj, text_field), text_field)
        url = obj.get("url")
        yield Record(
            rid,
            source,
            lineno,
            text,
            reason,
            url if isinstance(url, str) else None,
            obj if fields else None,
        )


def _read_document(
    raw: BinaryIO,
    compression: str | None,
    source: str,
    max_bytes: int,
    html: bool = False,
    fields: bool = False,
) -> Iterator[Record]:
    """A .txt or .html file: one document (an HTML page reduced to its main text)."""
    from unspin.io import decode_text

    stream_errors = _stream_errors()
    try:
        fh = _decompressed(raw, compression)
        data = fh.read(max_bytes + 1)
        size = len(data)
        if size > max_bytes:
            while chunk := fh.read(1 << 20):
                size += len(chunk)
    except stream_errors as exc:
        yield Record(source, source, 1, None, _stream_error(exc))
        return
    if size > max_bytes:
        reason = f"oversized record: {size} bytes, over the limit of {max_bytes}"
        yield Record(source, source, 1, None, reason)
        return
    if html:
        rec = _html_document(_decode_payload(data, None), source, source, 1)
        if fields and rec.text is not None:
            rec.fields = {"text": rec.text}
        yield rec
        return
    try:
        text = decode_text(data, source)
    except InputError as exc:  # binary, or bytes that are not UTF-8 (nor UTF-16/32 by BOM)
        why = str(exc).removeprefix(f"{source}: ").split(";")[0]
        yield Record(source, source, 1, None, f"undecodable bytes: {why}")
        return
    yield Record(source, source, 1, text, None, None, {"text": text} if fields else None)


def _read_parquet(
    raw: BinaryIO,
    source: str,
    text_field: str,
    id_field: str | None,
    tracker: _Tracker,
    fields: bool = False,
) -> Iterator[Record]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(raw)
        schema = pf.schema_arrow
        nrows = pf.metadata.num_rows
    except Exception as exc:  # pyarrow raises several types for a bad file
        reason = f"unreadable file: not a readable Parquet file ({exc})".splitlines()[0]
        yield _file_error(source, reason)
        return
    tracker.fraction = 0.0
    names = schema.names
    if text_field not in names:
        shown = ", ".join(names[:8]) + (", ..." if len(names) > 8 else "")
        reason = f"missing text field: no column {text_field!r} (columns: {shown})"
        for row in range(1, nrows + 1):
            tracker.fraction = row / nrows
            yield Record(f"{source}:{row}", source, row, None, reason)
        return
    ttype = schema.field(text_field).type
    is_str = pa.types.is_string(ttype) or pa.types.is_large_string(ttype)
    is_str = is_str or str(ttype) == "string_view"
    is_bin = pa.types.is_binary(ttype) or pa.types.is_large_binary(ttype)
    wrong = (
        None
        if (is_str or is_bin)
        else f"wrong type: column {text_field!r} is {ttype}, not a string"
    )
    id_col = id_field or DEFAULT_ID_FIELD
    columns = list(names) if fields else [text_field]
    columns += [c for c in (id_col, "url") if c in names and c not in columns]
    row = 0
    try:
        for batch in pf.iter_batches(batch_size=_PARQUET_BATCH, columns=columns):
            col = {c: batch.column(k) for k, c in enumerate(columns)}
            texts = col[text_field].to_pylist() if wrong is None else [None] * batch.num_rows
            ids = col[id_col].to_pylist() if id_col in col else None
            urls = col["url"].to_pylist() if "url" in col else None
            rows = batch.to_pylist() if fields else None
            for i, value in enumerate(texts):
                row += 1
                rid = f"{source}:{row}"
                if ids is not None:
                    rid = _id_of(ids[i], rid)
                url = urls[i] if urls is not None and isinstance(urls[i], str) else None
                extra = rows[i] if rows is not None else None
                tracker.fraction = row / nrows
                if wrong is not None:
                    yield Record(rid, source, row, None, wrong, url)
                elif value is None:
                    reason = f"missing text field: {text_field!r} is null"
                    yield Record(rid, source, row, None, reason, url)
                elif is_bin:
                    try:
                        text = value.decode("utf-8")
                    except UnicodeDecodeError as exc:
                        reason = f"undecodable bytes: not UTF-8 at byte {exc.start}"
                        yield Record(rid, source, row, None, reason, url)
                        continue
                    if extra is not None:
                        extra[text_field] = text  # pass the text through as text
                    yield Record(rid, source, row, text, None, url, extra)
                else:
                    yield Record(rid, source, row, value, None, url, extra)
    except Exception as exc:  # a corrupt page or row group mid-file
        row += 1
        reason = f"corrupt file: {type(exc).__name__}: {exc}".splitlines()[0]
        yield Record(f"{source}:{row}", source, row, None, reason)


def _decode_payload(body: bytes, charset: str | None) -> str:
    if charset:
        try:
            return body.decode(charset)
        except (LookupError, UnicodeDecodeError):
            pass
    return body.decode("utf-8", errors="replace")  # web pages lie about charsets; keep going


_quiet_trafilatura = False


def extract_main_text(html: str) -> str | None:
    """Main text of an HTML page (boilerplate, menus and comments removed), or None."""
    global _quiet_trafilatura
    import trafilatura

    if not _quiet_trafilatura:
        logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
        _quiet_trafilatura = True
    return trafilatura.extract(
        html,
        include_comments=False,
        include_tables=False,
        include_images=False,
        include_links=False,
        deduplicate=False,
        favor_precision=True,
    )


def _html_document(html: str, rid: str, source: str, position: int) -> Record:
    """A page's main text as a record, or the reason there is none."""
    try:
        text = extract_main_text(html)
    except Exception as exc:  # extraction bugs must not stop a crawl-sized scan
        return Record(rid, source, position, None, f"extraction failed: {type(exc).__name__}")
    if not text:
        return Record(
            rid, source, position, None, "no main text: the page has no extractable prose"
        )
    return Record(rid, source, position, text, None)


class _SafeStream:
    """A file-like view that turns a broken stream into a clean end plus a remembered error.

    fastwarc reads ahead; if the decompressor raised through it, the records already buffered
    would be lost with the error. This way they come out, then the error does.
    """

    def __init__(self, fh: BinaryIO) -> None:
        self._fh = fh
        self.error: BaseException | None = None

    def read(self, size: int = -1) -> bytes:
        if self.error is not None:
            return b""
        want = size if size >= 0 else 1 << 62
        parts: list[bytes] = []
        got = 0
        try:
            while got < want:  # read1: a failing call loses no data decoded by earlier ones
                piece = self._fh.read1(min(want - got, 1 << 16))  # type: ignore[attr-defined]
                if not piece:
                    break
                parts.append(piece)
                got += len(piece)
        except _stream_errors() as exc:
            self.error = exc
        return b"".join(parts)

    def tell(self) -> int:
        return 0

    def close(self) -> None:
        pass


def _read_warc(
    raw: BinaryIO,
    compression: str | None,
    source: str,
    max_bytes: int,
    id_field: str | None = None,
    fields: bool = False,
) -> Iterator[Record]:
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    wanted = WarcRecordType.response | WarcRecordType.resource | WarcRecordType.conversion
    stream = _SafeStream(_decompressed(raw, compression))
    ordinal = 0
    try:
        records = ArchiveIterator(stream, parse_http=False, strict_mode=False, fsspec_args=False)
        for rec in records:
            ordinal += 1
            if not rec.record_type & wanted:
                continue
            meta = {
                "url": rec.headers.get("WARC-Target-URI") or None,
                "warc_record_id": rec.record_id or None,
                "date": rec.headers.get("WARC-Date") or None,
            }
            if id_field is None:
                rid = meta["url"] or meta["warc_record_id"] or f"{source}:{ordinal}"
            else:
                rid = _id_of(meta.get(id_field), f"{source}:{ordinal}")
            doc = _warc_document(rec, rid, source, ordinal, max_bytes)
            doc.url = meta["url"]
            if fields and doc.text is not None:
                doc.fields = {**meta, "text": doc.text}
            yield doc
    except Exception as exc:  # fastwarc stops on a broken stream; say where
        stream.error = stream.error or exc
    if stream.error is not None:
        ordinal += 1
        reason = _stream_error(stream.error)
        yield Record(f"{source}:{ordinal}", source, ordinal, None, reason)


def _split_http(block: bytes) -> tuple[dict[str, str], bytes] | None:
    """(lower-cased headers, body) of an HTTP response block, or None if it is not one."""
    for sep in (b"\r\n\r\n", b"\n\n"):
        head, found, body = block.partition(sep)
        if found:
            break
    else:
        return None
    lines = head.decode("latin-1").splitlines()
    if not lines or not lines[0].startswith("HTTP/"):
        return None
    headers: dict[str, str] = {}
    for line in lines[1:]:
        key, colon, value = line.partition(":")
        if colon:
            headers[key.strip().lower()] = value.strip()
    return headers, body


def _dechunk(body: bytes) -> bytes:
    out, pos = [], 0
    while True:
        eol = body.find(b"\r\n", pos)
        if eol < 0:
            raise ValueError("chunked body cut short")
        size = int(body[pos:eol].split(b";")[0], 16)
        if size == 0:
            return b"".join(out)
        out.append(body[eol + 2 : eol + 2 + size])
        pos = eol + 4 + size


def _content_type(value: str) -> tuple[str, str | None]:
    ctype, _, params = value.lower().partition(";")
    charset = None
    if "charset=" in params:
        charset = params.split("charset=", 1)[1].split(";")[0].strip().strip("\"'") or None
    return ctype.strip(), charset


def _warc_document(rec: Any, rid: str, source: str, ordinal: int, max_bytes: int) -> Record:
    if rec.content_length > max_bytes:
        reason = f"oversized record: {rec.content_length} bytes, over the limit of {max_bytes}"
        return Record(rid, source, ordinal, None, reason)
    block = rec.reader.read()
    if len(block) < rec.content_length:
        reason = f"truncated file: record cut short at {len(block)} of {rec.content_length} bytes"
        return Record(rid, source, ordinal, None, reason)
    ctype, charset = _content_type(rec.headers.get("Content-Type") or "")
    body = block
    if ctype == "application/http" or (ctype == "" and block.startswith(b"HTTP/")):
        parsed = _split_http(block)
        if parsed is None:
            return Record(rid, source, ordinal, None, "corrupt file: unparsable HTTP response")
        headers, body = parsed
        ctype, charset = _content_type(headers.get("content-type", ""))
        try:
            if "chunked" in headers.get("transfer-encoding", "").lower():
                body = _dechunk(body)
            encoding = headers.get("content-encoding", "identity").lower()
            if encoding in ("gzip", "x-gzip"):
                body = gzip.decompress(body)
            elif encoding == "deflate":
                body = zlib.decompress(body)
            elif encoding not in ("identity", ""):
                reason = f"unsupported content type: {encoding}-encoded body"
                return Record(rid, source, ordinal, None, reason)
        except (ValueError, EOFError, OSError, zlib.error) as exc:
            reason = f"corrupt file: undecodable HTTP body ({type(exc).__name__})"
            return Record(rid, source, ordinal, None, reason)
    if ctype in _HTML_TYPES:
        return _html_document(_decode_payload(body, charset), rid, source, ordinal)
    if ctype == "text/plain":
        return Record(rid, source, ordinal, _decode_payload(body, charset), None)
    return Record(rid, source, ordinal, None, f"unsupported content type: {ctype or 'none given'}")
