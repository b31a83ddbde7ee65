"""The HTTP API against a real `unspin serve` process: contract, limits, bad input, trace."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

pytest.importorskip("fastapi")  # the serve extra; `make test` installs it
pytest.importorskip("uvicorn")

from server_util import CLEAN, SPUN, running_server  # noqa: E402

import unspin  # noqa: E402

LIMITS = ("--max-text-chars", "5000", "--max-batch", "4", "--max-body-bytes", "40000")


@pytest.fixture(scope="module")
def server():
    with running_server(*LIMITS, "--timeout", "20", "--no-access-log") as srv:
        yield srv


@pytest.fixture(scope="module")
def client(server):
    with server.client() as c:
        yield c


def assert_error(r, status: int, field: str | None = None) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert isinstance(body["detail"], str) and body["detail"]
    assert "Traceback" not in r.text and 'File "' not in r.text
    if field is not None:
        assert field in [e["field"] for e in body["errors"]], body
    return body


def test_healthz_reports_the_limits(client):
    r = client.get("/healthz")
    assert r.status_code == 200
    h = r.json()
    assert h["status"] == "ok" and h["version"] == unspin.__version__
    assert h["trace"] is False
    assert h["limits"] == {
        "max_body_bytes": 40000,
        "max_text_chars": 5000,
        "max_batch": 4,
        "timeout_s": 20.0,
    }


def test_analyze_answers_the_report_contract(client):
    r = client.post("/v1/analyze", json={"text": SPUN})
    assert r.status_code == 200
    got = r.json()
    assert got == json.loads(json.dumps(unspin.analyze(SPUN).to_dict()))
    assert got["spans"], "the tortured phrases must be flagged"
    for s in got["spans"]:
        assert SPUN[s["start"] : s["end"]] == s["text"]
        assert s["kind"] in ("substitution", "keyword", "artifact")
    originals = {s["original"].lower() for s in got["spans"]}
    assert "artificial intelligence" in originals
    assert "artificial intelligence" in got["restored"]


def test_clean_text_comes_back_unchanged(client):
    got = client.post("/v1/analyze", json={"text": CLEAN}).json()
    assert got["spans"] == [] and got["restored"] == CLEAN
    assert got["verdict"] in ("clean", "uncertain")


def test_offsets_are_code_points_with_astral_characters(client):
    text = "😀🎉 " + SPUN + " \U0001d400"
    got = client.post("/v1/analyze", json={"text": text}).json()
    assert got["spans"]
    for s in got["spans"]:
        assert text[s["start"] : s["end"]] == s["text"]


@pytest.mark.parametrize("text", ["0", "a", "!!!", "1.5 2.5", "\x00\x01 binary \x02", "Ünïcödé ✓"])
def test_odd_texts_get_a_report_not_an_error(client, text):
    r = client.post("/v1/analyze", json={"text": text})
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["verdict"] == "unsupported" and got["reason"]


def test_threshold_is_passed_through(client):
    strict = client.post("/v1/analyze", json={"text": SPUN, "threshold": 1.0}).json()
    loose = client.post("/v1/analyze", json={"text": SPUN, "threshold": 0.0}).json()
    assert len(strict["spans"]) <= len(loose["spans"])


def test_concurrent_requests_get_the_same_reports_as_sequential_ones(client, server):
    texts = [SPUN, CLEAN, SPUN.replace("patients", "people"), CLEAN + " " + SPUN] * 3
    expected = [client.post("/v1/analyze", json={"text": t}).json() for t in texts]
    with ThreadPoolExecutor(len(texts)) as pool:
        got = list(
            pool.map(
                lambda t: httpx.post(
                    server.url + "/v1/analyze", json={"text": t}, timeout=60
                ).json(),
                texts,
            )
        )
    assert got == expected


def test_batch_keeps_order_and_matches_single_calls(client):
    texts = [SPUN, CLEAN, "Too short."]
    r = client.post("/v1/analyze/batch", json={"texts": texts})
    assert r.status_code == 200
    reports = r.json()["reports"]
    assert [x["restored"] for x in reports] == [unspin.analyze(t).restored for t in texts]
    assert reports[2]["verdict"] == "unsupported"


def test_batch_limits(client):
    body = assert_error(client.post("/v1/analyze/batch", json={"texts": [CLEAN] * 5}), 413)
    assert "limit is 4" in body["detail"]
    assert_error(client.post("/v1/analyze/batch", json={"texts": []}), 422, "texts")
    assert_error(client.post("/v1/analyze/batch", json={"texts": [CLEAN, 3]}), 422, "texts[1]")
    long = [CLEAN, "word " * 1001]
    assert_error(client.post("/v1/analyze/batch", json={"texts": long}), 413, "texts[1]")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"text": 42}, "text"),
        ({"text": None}, "text"),
        ({"text": ["a"]}, "text"),
        ({}, "text"),
        ({"text": "fine text", "extra": 1}, "extra"),
        ({"text": "fine text", "threshold": 1.5}, "threshold"),
        ({"text": "fine text", "threshold": "high"}, "threshold"),
        ({"text": "fine text", "threshold": False}, "threshold"),
        ({"text": "fine text", "threshold": "0.5"}, "threshold"),
        ([], "body"),
        ("just a string", "body"),
    ],
)
def test_wrong_shapes_are_422_naming_the_field(client, body, field):
    assert_error(client.post("/v1/analyze", json=body), 422, field)


def test_empty_and_blank_texts_get_the_library_answer(client):
    # The API answers what the library answers: `unsupported`, not a 422.
    for text in ("", " \n\t ", "\x1e\u3000\u2028"):
        r = client.post("/v1/analyze", json={"text": text})
        assert r.status_code == 200, r.text
        got = r.json()
        assert got == json.loads(json.dumps(unspin.analyze(text).to_dict()))
        assert got["verdict"] == "unsupported" and got["spun_probability"] is None
        assert got["spans"] == [] and got["restored"] == text
    r = client.post("/v1/analyze/batch", json={"texts": [CLEAN, " "]})
    assert r.status_code == 200 and r.json()["reports"][1]["verdict"] == "unsupported"


def test_too_short_text_is_unsupported_with_null_probability(client):
    got = client.post("/v1/analyze", json={"text": "short"}).json()
    assert got["verdict"] == "unsupported" and got["spun_probability"] is None
    assert got["spans"] == [] and got["restored"] == "short"


def test_invalid_json_is_400(client):
    for raw in (b'{"text": ', b"not json", b'{"text": "a",}', b""):
        body = assert_error(client.post("/v1/analyze", content=raw), 400, "body")
        assert "invalid JSON" in body["detail"]


def test_unpaired_surrogate_is_422(client):
    raw = b'{"text": "abc \\ud800 def"}'
    assert_error(client.post("/v1/analyze", content=raw), 422, "text")


def test_non_utf8_body_is_400(client):
    raw = '{"text": "café au lait"}'.encode("latin-1")
    body = assert_error(client.post("/v1/analyze", content=raw), 400)
    assert "UTF-8" in body["detail"]
    raw16 = json.dumps({"text": "hello there"}).encode("utf-16")
    assert_error(client.post("/v1/analyze", content=raw16), 400)


def test_form_content_type_is_read_as_json(client):
    # curl -d labels JSON as a form; the API speaks only JSON, so it reads it anyway.
    r = client.post(
        "/v1/analyze",
        content=json.dumps({"text": CLEAN}),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert r.status_code == 200 and r.json()["restored"] == CLEAN


def test_text_over_the_limit_is_413(client):
    body = assert_error(client.post("/v1/analyze", json={"text": "word " * 1001}), 413, "text")
    assert "5,005 characters" in body["detail"] and "5,000" in body["detail"]


def test_body_over_the_limit_is_413(client):
    big = json.dumps({"text": "x" * 50_000}).encode()
    body = assert_error(client.post("/v1/analyze", content=big), 413)
    assert "40,000 bytes" in body["detail"]


def test_chunked_body_over_the_limit_is_413(client):
    def chunks():
        yield b'{"text": "'
        for _ in range(20):
            yield b"y" * 4000
        yield b'"}'

    assert_error(client.post("/v1/analyze", content=chunks()), 413)


def test_errors_for_unknown_routes_and_methods_are_json(client):
    assert_error(client.get("/v1/nothing-here"), 404)
    assert_error(client.get("/v1/analyze"), 405)
    body = assert_error(client.post("/v1/trace", json={"text": SPUN}), 404)  # no --db given
    assert "unspin serve --db" in body["detail"] and "unspin index" in body["detail"]


def test_page_and_assets_are_local_and_guarded(client):
    r = client.get("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    csp = r.headers["content-security-policy"]
    assert "default-src 'self'" in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    urls = re.findall(r"https?://[^\s\"'<>)]*", r.text)
    for asset in ("/static/app.js", "/static/app.css", "/static/favicon.svg"):
        a = client.get(asset)
        assert a.status_code == 200 and a.content
        urls += re.findall(r"https?://[^\s\"'<>)]*", a.text)
    assert set(urls) <= {"http://www.w3.org/2000/svg"}, urls  # a namespace, never fetched


def test_openapi_documents_routes_and_limits(client):
    spec = client.get("/openapi.json").json()
    assert {"/v1/analyze", "/v1/analyze/batch", "/healthz"} <= set(spec["paths"])
    assert "/v1/trace" not in spec["paths"]
    schemas = spec["components"]["schemas"]
    batch = schemas["BatchRequest"]["properties"]["texts"]
    assert batch["maxItems"] == 4
    assert schemas["AnalyzeRequest"]["properties"]["text"]["maxLength"] == 5000
    docs = client.get("/docs")  # served by the app itself: Swagger UI would load from a CDN
    assert docs.status_code == 200 and docs.headers["content-type"].startswith("text/html")
    for route in ("POST /v1/analyze", "POST /v1/analyze/batch", "GET /healthz"):
        assert f"<code>{route}</code>" in docs.text
    assert "maxLength 5000" in docs.text and "spun_probability" in docs.text
    assert set(re.findall(r"https?://[^\s\"'<>)]*", docs.text)) <= {
        "http://HOST:PORT/v1/analyze",
        "http://HOST:PORT/v1/analyze/batch",
    }


def test_timeout_and_event_loop_stays_free():
    """A slow analysis is answered 503 at the timeout, and /healthz answers meanwhile."""
    # ~186k characters (under the 200k limit): ~0.6 s of scoring here, so a 0.05 s timeout
    # fires even on a machine ten times faster.
    text = (CLEAN + " ") * 800
    args = ("--timeout", "0.05", "--threads", "1", "--no-access-log")
    with running_server(*args) as srv, srv.client() as c:
        started = time.monotonic()
        result: dict = {}
        t = threading.Thread(
            target=lambda: result.update(r=c.post("/v1/analyze", json={"text": text}))
        )
        t.start()
        time.sleep(0.15)
        with srv.client() as c2:
            h0 = time.monotonic()
            assert c2.get("/healthz").status_code == 200
            assert time.monotonic() - h0 < 0.4, "the event loop was blocked by the analysis"
        t.join()
        body = assert_error(result["r"], 503)
        assert "longer than 0.05 s" in body["detail"]
        assert time.monotonic() - started < 5
        assert result["r"].headers.get("retry-after") == "5"


def test_trace_endpoint_with_an_index(tmp_path):
    from unspin.trace import Index

    original = " ".join(
        [
            "Over the past decade, hospitals have started to use artificial intelligence to read",
            "medical images and to predict which patients need urgent care. The systems learn",
            "from big data: millions of scans, laboratory results and doctors' notes. If the",
            "training data is biased, the results can be wrong for whole groups of patients, so",
            "many researchers argue that every model should be tested on people from different",
            "backgrounds before it is used in a clinic. Deep learning has been especially",
            "successful in radiology, where a neural network can find small tumours in breast",
            "cancer screening that a tired doctor might miss.",
        ]
    )
    spun = (
        original.replace("artificial intelligence", "counterfeit consciousness")
        .replace("big data", "colossal information")
        .replace("medical images", "restorative pictures")
    )
    db = tmp_path / "refs.db"
    with Index(db, mode="a") as idx:
        idx.add([("hospital-ai", original), ("river", CLEAN * 3)])
    with running_server("--db", str(db), "--no-access-log") as srv, srv.client() as c:
        assert c.get("/healthz").json()["trace"] is True
        assert "/v1/trace" in c.get("/openapi.json").json()["paths"]
        r = c.post("/v1/trace", json={"text": spun, "top": 3})
        assert r.status_code == 200, r.text
        sources = r.json()["sources"]
        assert sources and sources[0]["id"] == "hospital-ai"
        pairs = {(p["spun"], p["original"]) for p in sources[0]["pairs"]}
        assert ("counterfeit consciousness", "artificial intelligence") in pairs
        sentences = r.json()["sentences"]  # every sentence, with the stretch it came from
        assert len(sentences) == 4 and all(x["source"] == "hospital-ai" for x in sentences)
        first = sentences[0]
        assert spun[first["start"] : first["end"]].startswith("Over the past decade")
        assert original[first["source_start"] : first["source_end"]].startswith("Over the")
        assert c.post("/v1/trace", json={"text": CLEAN[:40]}).json()["sources"] == []
        assert_error(c.post("/v1/trace", json={"text": spun, "top": 0}), 422, "top")
        assert_error(c.post("/v1/trace", json={"text": spun, "top": "3"}), 422, "top")
        assert c.post("/v1/trace", json={"text": spun, "top": 1.0}).status_code == 200


def test_two_workers_serve(tmp_path):
    with running_server("--workers", "2", "--no-access-log") as srv, srv.client() as c:
        for _ in range(4):
            assert c.post("/v1/analyze", json={"text": SPUN}).json()["spans"]


def _serve(*args: str) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "unspin", "serve", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60)


def test_cli_refuses_a_busy_port_with_one_line():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        r = _serve("--port", str(s.getsockname()[1]))
    assert r.returncode == 2
    assert r.stderr.startswith("unspin: error: cannot listen on 127.0.0.1:")
    assert "Traceback" not in r.stderr


def test_cli_refuses_a_missing_index(tmp_path):
    r = _serve("--db", str(tmp_path / "missing.db"))
    assert r.returncode == 4 and "no such index" in r.stderr and "Traceback" not in r.stderr
    bad = tmp_path / "not-an-index.db"
    bad.write_text("hello")
    r = _serve("--db", str(bad))
    assert r.returncode == 4 and "not an unspin index" in r.stderr


def test_cli_usage_errors():
    assert _serve("--port", "70000").returncode == 2
    assert _serve("--workers", "0").returncode == 2
    r = _serve("--timeout", "0")
    assert r.returncode == 2 and "--timeout" in r.stderr
