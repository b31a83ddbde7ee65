"""Readers: every input record comes out exactly once, as text or as a one-line error."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from unspin.corpus.readers import Record, detect_format, expand_inputs, iter_file, iter_records
from unspin.errors import InputError

HTML = (
    b"<html><head><title>Rivers</title></head><body><nav>Home | About | Contact</nav>"
    b"<article><p>"
    + b"The river runs past the old mill and into the valley where the farmers grow wheat. "
    * 4
    + b"</p><p>In spring the water rises and the fields along the banks turn green again.</p>"
    b"</article><footer>Copyright 2020</footer></body></html>"
)


def warc_record(rtype: str, payload: bytes, ctype: str, rid: str) -> bytes:
    head = (
        f"WARC/1.0\r\nWARC-Type: {rtype}\r\nWARC-Record-ID: {rid}\r\n"
        f"WARC-Target-URI: http://example.com/{rid[5:-1]}\r\nContent-Type: {ctype}\r\n"
        f"Content-Length: {len(payload)}\r\n\r\n"
    )
    return head.encode() + payload + b"\r\n\r\n"


def warc_records() -> list[bytes]:
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + HTML
    png = b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\r\n\x89PNG\r\n"
    return [
        warc_record("warcinfo", b"software: test\r\n", "application/warc-fields", "<urn:w>"),
        warc_record("request", b"GET / HTTP/1.1\r\n\r\n", "application/http", "<urn:q>"),
        warc_record("response", http, "application/http; msgtype=response", "<urn:html>"),
        warc_record("response", png, "application/http; msgtype=response", "<urn:png>"),
        warc_record("conversion", b"Plain text of a WET record.", "text/plain", "<urn:wet>"),
    ]


def write_jsonl(path: Path, rows: list[bytes]) -> Path:
    path.write_bytes(b"\n".join(rows) + b"\n")
    return path


def test_formats_by_extension() -> None:
    assert detect_format("a/b.jsonl") == ("jsonl", None)
    assert detect_format("b.JSON.gz") == ("jsonl", "gz")
    assert detect_format("b.jsonl.zst") == ("jsonl", "zst")
    assert detect_format("c.parquet") == ("parquet", None)
    assert detect_format("x.warc.gz") == ("warc", "gz")
    assert detect_format("CC.warc.wet.gz") == ("warc", "gz")
    assert detect_format("d.txt") == ("txt", None)
    assert detect_format("e.csv") is None
    assert detect_format("e.parquet.gz") is None


def test_bad_jsonl_lines_each_yield_one_error(tmp_path: Path) -> None:
    rows = [
        json.dumps({"text": "hello world", "id": "first"}).encode(),
        b"",  # blank: not a record
        b'{"text": "unterminated',
        b"[1, 2]",
        json.dumps({"text": 5}).encode(),
        json.dumps({"body": "no text field"}).encode(),
        b'{"text": "caf\xe9"}',  # Latin-1 byte
        json.dumps({"text": "x" * 500}).encode(),
        json.dumps({"text": "\ud800"}).encode(),  # escaped lone surrogate
        json.dumps({"text": None}).encode(),
        json.dumps({"text": "nested id", "meta": {"id": 7}}).encode(),
    ]
    path = write_jsonl(tmp_path / "bad.jsonl", rows)
    recs = list(iter_records([str(path)], id_field="meta.id", max_bytes=200))
    src = str(path)
    assert [r.position for r in recs] == [1, 3, 4, 5, 6, 7, 8, 9, 10, 11]
    assert recs[0] == Record(
        f"{src}:1", src, 1, "hello world", None
    )  # id field missing -> FILE:LINE
    reasons = [r.error.split(":")[0] if r.error else None for r in recs]
    assert reasons == [
        None,
        "malformed JSON",
        "not a JSON object",
        "wrong type",
        "missing text field",
        "undecodable bytes",
        "oversized record",
        "undecodable bytes",
        "missing text field",
        None,
    ]
    assert recs[-1].id == "7" and recs[-1].text == "nested id"
    for r in recs:
        assert (r.text is None) != (r.error is None)
        assert r.error is None or "\n" not in r.error


def test_truncated_gzip_keeps_what_came_before(tmp_path: Path) -> None:
    data = b"".join(json.dumps({"text": f"doc {i}"}).encode() + b"\n" for i in range(3000))
    packed = gzip.compress(data)
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(packed[: len(packed) // 2])
    recs = list(iter_records([str(path)]))
    good = [r for r in recs if r.error is None]
    assert len(good) > 100
    assert [r.text for r in good] == [f"doc {i}" for i in range(len(good))]
    assert recs[-1].error.startswith("truncated file:")
    assert recs[-1].position == len(good) + 1
    assert sum(r.error is not None for r in recs) == 1


def test_zstd_whole_and_truncated(tmp_path: Path) -> None:
    zstandard = pytest.importorskip("zstandard")
    data = b"".join(json.dumps({"text": f"doc {i}"}).encode() + b"\n" for i in range(20000))
    packed = zstandard.ZstdCompressor().compress(data)
    (tmp_path / "ok.jsonl.zst").write_bytes(packed + packed)  # two frames
    assert len(list(iter_records([str(tmp_path / "ok.jsonl.zst")]))) == 40000
    (tmp_path / "cut.jsonl.zst").write_bytes(packed[: len(packed) * 2 // 3])
    recs = list(iter_records([str(tmp_path / "cut.jsonl.zst")]))
    assert recs[-1].error.startswith("truncated file:")
    assert all(r.error is None for r in recs[:-1])


def test_empty_and_garbage_files(tmp_path: Path) -> None:
    (tmp_path / "empty.jsonl").write_bytes(b"")
    (tmp_path / "empty.jsonl.gz").write_bytes(gzip.compress(b""))
    (tmp_path / "junk.jsonl.gz").write_bytes(b"this is not gzip at all")
    (tmp_path / "junk.parquet").write_bytes(b"not parquet")
    assert list(iter_records([str(tmp_path / "empty.jsonl")])) == []
    assert list(iter_records([str(tmp_path / "empty.jsonl.gz")])) == []
    (junk,) = iter_records([str(tmp_path / "junk.jsonl.gz")])
    assert junk.error.startswith("corrupt file:") and junk.position == 1
    (pq_junk,) = iter_records([str(tmp_path / "junk.parquet")])
    assert pq_junk.error.startswith("unreadable file:") and pq_junk.position == 0


def test_txt_is_one_document(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("\ufeffFirst line.\nSecond line.\n", encoding="utf-8")
    (tmp_path / "b.txt").write_bytes(b"caf\xe9")
    (tmp_path / "c.txt").write_bytes(b"")
    recs = list(iter_records([str(tmp_path)]))
    assert [(r.id.rsplit("/", 1)[1], r.position) for r in recs] == [
        ("a.txt", 1),
        ("b.txt", 1),
        ("c.txt", 1),
    ]
    assert recs[0].text == "First line.\nSecond line.\n"
    assert recs[1].error.startswith("undecodable bytes:")
    assert recs[2].text == ""


def test_parquet_rows_nulls_types_and_ids(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    pq.write_table(
        pa.table({"content": ["alpha", None, "gamma"], "doc": ["r1", None, "r3"]}),
        tmp_path / "a.parquet",
    )
    pq.write_table(pa.table({"content": [1, 2]}), tmp_path / "b.parquet")
    pq.write_table(
        pa.table({"content": pa.array([b"ok", b"\xff"], pa.binary())}), tmp_path / "d.parquet"
    )
    recs = list(iter_records([str(tmp_path)], text_field="content", id_field="doc"))
    a = str(tmp_path / "a.parquet")
    assert recs[0] == Record("r1", a, 1, "alpha", None)
    assert recs[1].id == f"{a}:2" and recs[1].error.startswith("missing text field:")
    assert recs[2].text == "gamma"
    assert [r.error.split(":")[0] for r in recs[3:5]] == ["wrong type", "wrong type"]
    assert recs[5].text == "ok" and recs[6].error.startswith("undecodable bytes:")
    assert len(recs) == 7
    # A file without the text column fails before anything is read (one message, exit 3)...
    pq.write_table(pa.table({"other": ["x"]}), tmp_path / "c.parquet")
    with pytest.raises(InputError, match=r"c\.parquet: --text-field content: no such column"):
        next(iter_records([str(tmp_path)], text_field="content", id_field="doc"))
    # ... while the reader itself, called on that file alone, still accounts for every row.
    (rec,) = iter_file(str(tmp_path / "c.parquet"), "content")
    assert rec.error.startswith("missing text field:") and rec.position == 1


def test_warc_html_text_and_other_types(tmp_path: Path) -> None:
    pytest.importorskip("fastwarc")
    pytest.importorskip("trafilatura")
    recs_bytes = warc_records()
    (tmp_path / "a.warc").write_bytes(b"".join(recs_bytes))
    (tmp_path / "b.warc.gz").write_bytes(b"".join(gzip.compress(r) for r in recs_bytes))
    for name in ("a.warc", "b.warc.gz"):
        recs = list(iter_records([str(tmp_path / name)]))
        # The default id of a WARC record is its URL; the record id is one --id-field away.
        assert [(r.id, r.position) for r in recs] == [
            ("http://example.com/html", 3),
            ("http://example.com/png", 4),
            ("http://example.com/wet", 5),
        ]
        assert [r.url for r in recs] == [r.id for r in recs]
        by_record_id = iter_records([str(tmp_path / name)], id_field="warc_record_id")
        assert [r.id for r in by_record_id] == ["<urn:html>", "<urn:png>", "<urn:wet>"]
        assert "farmers grow wheat" in recs[0].text
        assert "Copyright" not in recs[0].text and "Contact" not in recs[0].text
        assert recs[1].error == "unsupported content type: image/png"
        assert recs[2].text == "Plain text of a WET record."


def test_truncated_warc_gz_reports_the_cut(tmp_path: Path) -> None:
    pytest.importorskip("fastwarc")
    packed = b"".join(gzip.compress(r) for r in warc_records())
    (tmp_path / "cut.warc.gz").write_bytes(packed[:-300])
    recs = list(iter_records([str(tmp_path / "cut.warc.gz")]))
    assert recs[0].id == "http://example.com/html" and recs[0].error is None
    assert recs[-1].error.startswith("truncated file:")


def test_oversized_warc_record(tmp_path: Path) -> None:
    pytest.importorskip("fastwarc")
    (tmp_path / "a.warc").write_bytes(b"".join(warc_records()))
    recs = list(iter_records([str(tmp_path / "a.warc")], max_bytes=100))
    assert recs[0].error.startswith("oversized record:")
    assert recs[2].text is not None


def test_expand_inputs(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    for name in ("b.jsonl", "a.jsonl", "sub/c.jsonl.gz", "notes.md", "_SUCCESS", ".hidden.jsonl"):
        (tmp_path / name).write_bytes(b"")
    got = expand_inputs([str(tmp_path), str(tmp_path / "a.jsonl")])
    assert [Path(p).relative_to(tmp_path).as_posix() for p in got] == [
        "a.jsonl",
        "b.jsonl",
        "sub/c.jsonl.gz",
    ]
    assert len(expand_inputs([str(tmp_path / "*.jsonl")])) == 2
    with pytest.raises(InputError, match="no such file"):
        expand_inputs([str(tmp_path / "missing.jsonl")])
    with pytest.raises(InputError, match="unknown format"):
        expand_inputs([str(tmp_path / "notes.md")])
    with pytest.raises(InputError, match="matches no corpus files"):
        expand_inputs([str(tmp_path / "*.csv")])


def test_progress_counts_every_byte(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "p.jsonl", [json.dumps({"text": "t" * 50}).encode()] * 100)
    seen = []
    assert len(list(iter_records([str(path)], progress=seen.append))) == 100
    assert sum(seen) == path.stat().st_size


def test_default_id_is_the_id_field_where_there_is_one(tmp_path: Path) -> None:
    rows = [{"id": "a", "text": "one"}, {"text": "two"}, {"id": 7, "text": "three", "url": "u"}]
    path = write_jsonl(tmp_path / "x.jsonl", [json.dumps(r).encode() for r in rows])
    recs = list(iter_records([str(path)]))
    assert [r.id for r in recs] == ["a", f"{path}:2", "7"]
    assert [r.url for r in recs] == [None, None, "u"]
    assert [r.fields for r in recs] == [None] * 3  # only on request
    assert next(iter_file(str(path), fields=True)).fields == rows[0]
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"id": ["p1", None], "text": ["x", "y"]}), tmp_path / "p.parquet")
    assert [r.id for r in iter_records([str(tmp_path / "p.parquet")])] == [
        "p1",
        f"{tmp_path / 'p.parquet'}:2",
    ]


def test_an_id_field_no_record_has_is_an_error(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "x.jsonl", [json.dumps({"text": "t", "key": 1}).encode()] * 3)
    with pytest.raises(InputError, match=r"--id-field doc: no record has this field"):
        next(iter_records([str(path)], id_field="doc"))
    with pytest.raises(InputError, match=r"--text-field body: none of the first 3 records"):
        next(iter_records([str(path)], text_field="body"))
    assert [r.id for r in iter_records([str(path)], id_field="key")] == ["1", "1", "1"]


def test_html_and_utf16_documents(tmp_path: Path) -> None:
    pytest.importorskip("trafilatura")
    (tmp_path / "a.html").write_bytes(HTML)
    (tmp_path / "b.txt").write_bytes("café au lait, naïve".encode("utf-16"))
    (tmp_path / "c.txt").write_bytes(b"\x00\x01binary")
    (tmp_path / "d.txt").write_bytes("café".encode("latin-1"))
    a, b, c, d = iter_records([str(tmp_path)])
    assert "farmers grow wheat" in a.text and "Contact" not in a.text and "<" not in a.text
    assert b.text == "café au lait, naïve"
    assert c.error.startswith("undecodable bytes: looks like a binary file")
    assert d.error.startswith("undecodable bytes: not valid UTF-8")
    assert detect_format("x.HTM") == ("html", None) and detect_format("x.html.gz") is None
