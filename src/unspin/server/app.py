"""The HTTP API and review page behind `unspin serve`.

One app per worker process: the artifacts load once at startup (lifespan), and every
analysis runs in a small thread pool so the event loop keeps answering (health checks,
timeouts, other clients) while a document is scored. Limits are enforced before any
work is done, and every error a client sees is a short JSON message, never a traceback.
"""

import asyncio
import json
import logging
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import anyio
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("unspin.server")

STATIC_DIR = Path(__file__).parent / "static"
SETTINGS_ENV = "UNSPIN_SERVE_SETTINGS"
# Scored once at startup so every lazily loaded artifact is in memory before traffic.
_WARMUP = (
    "The counterfeit consciousness system learns from colossal information and helps "
    "physicians read medical images faster than before."
)
_SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
        b"frame-ancestors 'none'; form-action 'none'",
    ),
]


@dataclass(frozen=True)
class Settings:
    """Limits and options of one server; passed to worker processes as JSON in the env."""

    max_body_bytes: int = 2_000_000
    max_text_chars: int = 200_000
    max_batch: int = 64
    timeout_s: float = 30.0
    # Analyses at once per worker. One: scoring is CPU-bound Python (the GIL gives a second
    # thread nothing), and one thread never shares an Analyzer's scratch state between texts.
    threads: int = 1
    db: str | None = None

    def to_env(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_env(cls) -> "Settings":
        raw = os.environ.get(SETTINGS_ENV)
        return cls(**json.loads(raw)) if raw else cls()


# -- errors ------------------------------------------------------------------------------------
class FieldError(BaseModel):
    field: str = Field(description="the offending field, e.g. `text` or `texts[3]`")
    message: str


class ErrorBody(BaseModel):
    """Every error answer has this shape; `detail` is one line meant for a person."""

    detail: str
    errors: list[FieldError] = Field(default_factory=list)


class ApiError(Exception):
    def __init__(
        self, status: int, detail: str, headers: dict[str, str] | None = None, field: str = ""
    ):
        self.status, self.detail, self.headers, self.field = status, detail, headers, field


def _error(status: int, detail: str, errors: list[dict] | None = None, headers=None) -> Response:
    body = {"detail": detail, "errors": errors or []}
    return JSONResponse(body, status_code=status, headers=headers)


def _field_name(loc: tuple | list) -> str:
    parts = [p for p in loc if p != "body"]
    name = ""
    for p in parts:
        name += f"[{p}]" if isinstance(p, int) else (f".{p}" if name else str(p))
    return name or "body"


def _validation_errors(exc: RequestValidationError) -> Response:
    """422 naming the offending fields; 400 when the body is not JSON at all."""
    errors = []
    status = 422
    for e in exc.errors():
        loc = tuple(e.get("loc", ()))
        if e.get("type") == "json_invalid" or (loc == ("body",) and e.get("type") == "missing"):
            status = 400
            msg = "invalid JSON" if e.get("type") == "json_invalid" else "invalid JSON: empty body"
            if ctx := e.get("ctx", {}).get("error"):
                msg += f": {ctx}"
            errors.append({"field": "body", "message": msg})
            continue
        msg = str(e.get("msg", "invalid value")).removeprefix("Value error, ")
        if loc == ("body",) and e.get("type") in ("dict_type", "model_attributes_type"):
            msg = 'must be a JSON object such as {"text": "..."}'
        errors.append({"field": _field_name(loc), "message": msg})
    detail = "; ".join(f"{x['field']}: {x['message']}" for x in errors[:5]) or "invalid request"
    return _error(status, detail, errors)


# -- request and response models -----------------------------------------------------------------
def _check_text(text: str) -> str:
    # An empty or blank text is not an error: it gets the library's answer (`unsupported`).
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("contains unpaired surrogate code points (not valid Unicode)") from None
    return text


Text = Annotated[str, AfterValidator(_check_text)]


def _whole(value: Any) -> Any:
    """JSON Schema counts 44.0 as an integer; strict mode would not."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


class Alternative(BaseModel):
    text: str
    score: float


class SpanModel(BaseModel):
    model_config = ConfigDict(title="Span", extra="allow")
    start: int = Field(description="code-point index into the input; `text == input[start:end]`")
    end: int
    text: str
    kind: Literal["substitution", "keyword", "artifact"]
    original: str = Field(description='most likely original ("" means: delete it)')
    score: float
    alternatives: list[Alternative]
    evidence: str = ""


class ReportModel(BaseModel):
    """The report contract of DESIGN.md (fields may be added, none renamed)."""

    model_config = ConfigDict(title="Report", extra="allow")
    spun_probability: float | None = Field(
        ge=0, le=1, description="null when the verdict is `unsupported` (nothing was judged)"
    )
    verdict: Literal["spun", "clean", "uncertain", "unsupported"]
    spans: list[SpanModel]
    restored: str = Field(description="the input with every flagged span replaced")
    language: str
    words: int
    reason: str = ""
    signals: dict[str, float] = Field(default_factory=dict)


class BatchResponse(BaseModel):
    reports: list[ReportModel] = Field(description="one report per input text, in order")


class TraceSource(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: str
    similarity: float
    hits: int


class TraceSentence(BaseModel):
    start: int = Field(description="code-point index of the sentence in the input text")
    end: int
    source: str | None = Field(description="id of the source it was rewritten from, or null")
    source_start: int | None = Field(description="code-point index into the source's text")
    source_end: int | None
    changed: float | None = Field(description="share of the sentence's words that differ")


class TraceResponse(BaseModel):
    sources: list[TraceSource] = Field(description="likely sources, best first")
    sentences: list[TraceSentence] = Field(
        default_factory=list, description="every sentence of the text and its source"
    )


class Limits(BaseModel):
    max_body_bytes: int
    max_text_chars: int
    max_batch: int
    timeout_s: float


class Health(BaseModel):
    status: Literal["ok"]
    version: str
    trace: bool = Field(description="whether POST /v1/trace is available (an index is loaded)")
    limits: Limits


def _models(s: Settings) -> tuple[type[BaseModel], type[BaseModel], type[BaseModel]]:
    """Request models whose documented limits are this server's limits.

    The limits are documented in the schema (maxLength, maxItems) but enforced by the
    handlers, so a client that exceeds them gets 413 with a message rather than a 422.
    """
    text_doc = {"maxLength": s.max_text_chars}

    class AnalyzeRequest(BaseModel):
        model_config = ConfigDict(extra="forbid", strict=True)  # no "5" for 5, no false for 0
        text: Text = Field(
            description=f"the document, at most {s.max_text_chars:,} characters",
            json_schema_extra=text_doc,
        )
        threshold: float | None = Field(
            None, ge=0, le=1, description="span score needed to flag (lower flags more)"
        )

    class BatchRequest(BaseModel):
        model_config = ConfigDict(extra="forbid", strict=True)  # no "5" for 5, no false for 0
        texts: list[Annotated[Text, Field(json_schema_extra=text_doc)]] = Field(
            description=f"1 to {s.max_batch} documents",
            json_schema_extra={"minItems": 1, "maxItems": s.max_batch},
        )
        threshold: float | None = Field(None, ge=0, le=1)

    class TraceRequest(BaseModel):
        model_config = ConfigDict(extra="forbid", strict=True)  # no "5" for 5, no false for 0
        text: Text = Field(description="the suspect document", json_schema_extra=text_doc)
        top: Annotated[int, BeforeValidator(_whole)] = Field(
            10, ge=1, le=50, description="at most this many sources"
        )
        min_similarity: float = Field(0.5, ge=0, le=1)

    return AnalyzeRequest, BatchRequest, TraceRequest


_ERRORS = {
    400: {"model": ErrorBody, "description": "body is not UTF-8, or not JSON"},
    408: {"model": ErrorBody, "description": "body not received in time"},
    413: {"model": ErrorBody, "description": "body, text or batch over the limit"},
    422: {"model": ErrorBody, "description": "a field missing, of the wrong type or out of range"},
    503: {"model": ErrorBody, "description": "analysis took longer than the timeout"},
}


# -- the pure-ASGI guard in front of everything ---------------------------------------------------
class Guard:
    """Body size limit, body read timeout, UTF-8 check and security headers.

    Runs before routing, so an oversized body is refused without being buffered and a
    slow client cannot hold a connection open forever.
    """

    def __init__(self, app, settings: Settings) -> None:
        self.app, self.s = app, settings

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = list(message["headers"]) + _SECURITY_HEADERS
            await send(message)

        if scope["method"] not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send_with_headers)
            return

        async def refuse(status: int, detail: str) -> None:
            await _error(status, detail)(scope, receive, send_with_headers)

        headers = dict(scope["headers"])
        limit = self.s.max_body_bytes
        too_big = f"request body over the limit of {limit:,} bytes"
        length = headers.get(b"content-length")
        if length is not None:
            try:
                n = int(length)
            except ValueError:
                n = -1
            if n < 0:
                await refuse(400, "invalid Content-Length header")
                return
            if n > limit:
                await refuse(413, too_big)
                return
        chunks, size = [], 0
        try:
            with anyio.fail_after(self.s.timeout_s):
                while True:
                    message = await receive()
                    if message["type"] == "http.disconnect":
                        return
                    chunk = message.get("body", b"")
                    size += len(chunk)
                    if size > limit:
                        await refuse(413, too_big)
                        return
                    chunks.append(chunk)
                    if not message.get("more_body", False):
                        break
        except TimeoutError:
            await refuse(408, "request body not received in time")
            return
        body = b"".join(chunks)
        try:
            body.decode("utf-8")
        except UnicodeDecodeError as exc:
            detail = f"request body is not valid UTF-8 (byte {exc.start}); send UTF-8 JSON"
            await refuse(400, detail)
            return
        sent = False

        async def replay():
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        if scope["path"].startswith("/v1/"):
            # The API speaks only JSON: read the body as JSON whatever the client labelled it
            # (curl -d sends a form content type), so mistakes get a 422 naming the field.
            scope = dict(scope)
            scope["headers"] = [(k, v) for k, v in scope["headers"] if k != b"content-type"]
            scope["headers"].append((b"content-type", b"application/json"))
        await self.app(scope, replay, send_with_headers)


# -- the app ------------------------------------------------------------------------------------
def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; the analyzer (and the trace index, with `db`) load at startup."""
    import unspin

    s = settings or Settings()
    AnalyzeRequest, BatchRequest, TraceRequest = _models(s)
    state: dict[str, Any] = {}

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        analyzer = unspin.default_analyzer()  # shared with `unspin serve`'s own preflight
        analyzer.analyze(_WARMUP)  # load every artifact now, not on the first request
        state["analyzer"] = analyzer
        state["pool"] = ThreadPoolExecutor(max(1, s.threads), thread_name_prefix="unspin")
        if s.db:
            from unspin.trace import Index

            state["index"] = Index(s.db)
            state["index_lock"] = threading.Lock()
        log.info("unspin worker %d ready", os.getpid())
        try:
            yield
        finally:
            state["pool"].shutdown(wait=False, cancel_futures=True)
            if "index" in state:
                state["index"].close()

    app = FastAPI(
        title="unspin",
        version=unspin.__version__,
        summary="See through machine-spun text: detect swapped words, restore the original.",
        description=(
            f"Limits: request body {s.max_body_bytes:,} bytes, text {s.max_text_chars:,} "
            f"characters, batch {s.max_batch} texts, {s.timeout_s:g} s per request. "
            "Bodies are UTF-8 JSON. Every error answers `{detail, errors}`."
        ),
        lifespan=lifespan,
        docs_url=None,  # Swagger UI loads from a CDN; the spec is at /openapi.json
        redoc_url=None,
    )

    @app.exception_handler(RequestValidationError)
    async def on_validation(request: Request, exc: RequestValidationError) -> Response:
        return _validation_errors(exc)

    @app.exception_handler(ApiError)
    async def on_api_error(request: Request, exc: ApiError) -> Response:
        errors = [{"field": exc.field, "message": exc.detail}] if exc.field else None
        return _error(exc.status, exc.detail, errors, headers=exc.headers)

    @app.exception_handler(StarletteHTTPException)
    async def on_http(request: Request, exc: StarletteHTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) else "request failed"
        return _error(exc.status_code, detail, headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def on_crash(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return _error(500, "internal server error (logged on the server)")

    async def off_loop(fn: Callable[[], bytes]) -> bytes:
        """Run CPU work in the pool; give up waiting after the timeout."""
        future = state["pool"].submit(fn)
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), s.timeout_s)
        except (TimeoutError, asyncio.TimeoutError):
            future.cancel()  # drops it if still queued; a running analysis ends on its own
            raise ApiError(
                503,
                f"analysis took longer than {s.timeout_s:g} s; send a shorter text or retry",
                {"Retry-After": "5"},
            ) from None

    def too_long(text: str, field: str) -> None:
        if len(text) > s.max_text_chars:
            detail = f"{field} is {len(text):,} characters; the limit is {s.max_text_chars:,}"
            raise ApiError(413, detail, field=field)

    def dumps(obj: Any) -> bytes:
        return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    def json_bytes(payload: bytes) -> Response:
        return Response(payload, media_type="application/json")

    @app.post(
        "/v1/analyze",
        response_model=ReportModel,
        responses=_ERRORS,
        summary="Analyse one text",
        description="Verdict, spun probability, flagged spans and the restored text.",
    )
    async def analyze(req: AnalyzeRequest) -> Response:  # type: ignore[valid-type]
        too_long(req.text, "text")
        a, text, thr = state["analyzer"], req.text, req.threshold
        return json_bytes(await off_loop(lambda: dumps(a.analyze(text, threshold=thr).to_dict())))

    @app.post(
        "/v1/analyze/batch",
        response_model=BatchResponse,
        responses=_ERRORS,
        summary=f"Analyse up to {s.max_batch} texts",
        description=f"One report per text, in order. At most {s.max_batch} texts per request.",
    )
    async def analyze_batch(req: BatchRequest) -> Response:  # type: ignore[valid-type]
        if len(req.texts) > s.max_batch:
            detail = f"{len(req.texts)} texts; the limit is {s.max_batch} per request"
            raise ApiError(413, detail, field="texts")
        if not req.texts:
            raise ApiError(422, "texts: must hold at least one text", field="texts")
        for i, t in enumerate(req.texts):
            too_long(t, f"texts[{i}]")
        a, texts, thr = state["analyzer"], req.texts, req.threshold

        def work() -> bytes:
            reports = a.analyze_many(texts, threshold=thr)
            return dumps({"reports": [r.to_dict() for r in reports]})

        return json_bytes(await off_loop(work))

    if s.db:

        @app.post(
            "/v1/trace",
            response_model=TraceResponse,
            responses=_ERRORS,
            summary="Find the sources a spun text was made from",
            description="Candidates from the configured index, verified by alignment; "
            "`sentences` gives every sentence of the text the source it was rewritten from.",
        )
        async def trace(req: TraceRequest) -> Response:  # type: ignore[valid-type]
            too_long(req.text, "text")
            index, lock = state["index"], state["index_lock"]

            def work() -> bytes:
                with lock:  # one SQLite connection per worker
                    found = index.explain(req.text, top=req.top, min_similarity=req.min_similarity)
                return dumps(
                    {
                        "sources": [src.to_dict() for src in found.sources],
                        "sentences": [x.to_dict() for x in found.sentences],
                    }
                )

            return json_bytes(await off_loop(work))

    else:

        @app.post("/v1/trace", include_in_schema=False)
        async def trace_unavailable() -> Response:
            raise ApiError(
                404,
                "tracing is off: no index loaded; build one with `unspin index REFERENCES "
                "--db refs.db` and start the server with `unspin serve --db refs.db`",
            )

    @app.get("/healthz", response_model=Health, summary="Liveness and limits")
    async def healthz() -> dict[str, Any]:
        return {
            "status": "ok",
            "version": unspin.__version__,
            "trace": bool(s.db),
            "limits": {
                "max_body_bytes": s.max_body_bytes,
                "max_text_chars": s.max_text_chars,
                "max_batch": s.max_batch,
                "timeout_s": s.timeout_s,
            },
        }

    @app.get("/docs", include_in_schema=False)
    async def docs() -> Response:
        return Response(api_docs(app.openapi()), media_type="text/html; charset=utf-8")

    @app.get("/", include_in_schema=False)
    async def page() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html", headers={"cache-control": "no-cache"})

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_middleware(Guard, settings=s)
    return app


def api_docs(spec: dict[str, Any]) -> str:
    """The /docs page: the OpenAPI spec as plain HTML, served by the app itself (Swagger UI
    would load from a CDN, which the page's policy and the offline promise both rule out)."""
    from html import escape

    schemas = spec.get("components", {}).get("schemas", {})

    def ref_name(obj: dict[str, Any]) -> str:
        return str(obj.get("$ref", "")).rsplit("/", 1)[-1]

    def kind(prop: dict[str, Any]) -> str:
        if "$ref" in prop:
            return ref_name(prop)
        if "anyOf" in prop:
            return " or ".join(kind(p) for p in prop["anyOf"])
        if prop.get("type") == "array":
            return f"list of {kind(prop.get('items', {}))}"
        return str(prop.get("type", "any"))

    def fields(name: str) -> str:
        schema = schemas.get(name, {})
        required = set(schema.get("required", []))
        rows = []
        for field, prop in schema.get("properties", {}).items():
            limits = ", ".join(
                f"{k} {prop[k]}"
                for k in ("minimum", "maximum", "maxLength", "maxItems")
                if k in prop
            )
            default = f"default {json.dumps(prop['default'])}" if "default" in prop else ""
            note = "; ".join(x for x in (prop.get("description", ""), limits, default) if x)
            rows.append(
                f"<tr><td><code>{escape(field)}</code>{' (required)' if field in required else ''}"
                f"</td><td>{escape(kind(prop))}</td><td>{escape(note)}</td></tr>"
            )
        if not rows:
            return ""
        head = "<tr><th>field</th><th>type</th><th>notes</th></tr>"
        return f"<table>{head}{''.join(rows)}</table>"

    info = spec.get("info", {})
    parts = [
        "<!doctype html><html lang=en><head><meta charset=utf-8>",
        f"<title>{escape(info.get('title', 'API'))} API</title></head><body>",
        f"<h1>{escape(info.get('title', ''))} {escape(info.get('version', ''))} API</h1>",
        f"<p>{escape(info.get('summary', ''))}</p><p>{escape(info.get('description', ''))}</p>",
        '<p>Machine-readable spec: <a href="/openapi.json">/openapi.json</a>. Review page: '
        '<a href="/">/</a>.</p>',
    ]
    for path, ops in spec.get("paths", {}).items():
        for method, op in ops.items():
            parts.append(f"<h2><code>{method.upper()} {escape(path)}</code></h2>")
            parts.append(
                f"<p>{escape(op.get('summary', ''))}. {escape(op.get('description', ''))}</p>"
            )
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {})
            if body:
                parts.append("<h3>Request (JSON)</h3>" + fields(ref_name(body.get("schema", {}))))
            answers = []
            for code, r in op.get("responses", {}).items():
                answers.append(f"<li><b>{escape(code)}</b> {escape(r.get('description', ''))}</li>")
            parts.append("<h3>Answers</h3><ul>" + "".join(answers) + "</ul>")
            if method == "post":
                example = '{"text": "..."}' if "batch" not in path else '{"texts": ["...", "..."]}'
                parts.append(
                    f"<pre>curl -s http://HOST:PORT{escape(path)} -d '{escape(example)}'</pre>"
                )
    for name, title in (("ReportModel", "Report"), ("SpanModel", "Span"), ("ErrorBody", "Error")):
        if name in schemas:
            parts.append(f"<h2>{title}</h2>{fields(name)}")
    parts.append("</body></html>")
    return "\n".join(parts)


def app_from_env() -> FastAPI:
    """Factory for uvicorn workers: settings come from $UNSPIN_SERVE_SETTINGS."""
    return create_app(Settings.from_env())
