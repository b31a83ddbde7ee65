"""`unspin serve`: the HTTP API and the review page (needs the `serve` extra)."""

from __future__ import annotations

import argparse
import errno
import socket
import sys

from unspin.commands import add_runtime_options, apply_runtime_options
from unspin.errors import EXIT_OK, DataError, InputError, UnspinError


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "serve",
        help="HTTP API and review page",
        description=(
            "Serve the review page at / and the JSON API at /v1/analyze, /v1/analyze/batch, "
            "/v1/trace (with --db), /healthz; the OpenAPI spec is at /openapi.json and as a "
            "page at /docs. "
            "Binds to localhost unless --host says otherwise."
        ),
    )
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=_port, default=8000, help="TCP port (default 8000)")
    p.add_argument(
        "--workers",
        type=_positive,
        default=1,
        help="worker processes, each with its own copy of the artifacts (default 1)",
    )
    p.add_argument(
        "--db", metavar="PATH", help="a trace index (from `unspin index`): enables /v1/trace"
    )
    p.add_argument(
        "--max-text-chars",
        type=_positive,
        default=200_000,
        metavar="N",
        help="longest text accepted, in characters (default 200000; longer: 413)",
    )
    p.add_argument(
        "--max-batch",
        type=_positive,
        default=64,
        metavar="N",
        help="most texts in one /v1/analyze/batch request (default 64; more: 413)",
    )
    p.add_argument(
        "--max-body-bytes",
        type=_positive,
        default=2_000_000,
        metavar="N",
        help="largest request body (default 2000000; larger: 413)",
    )
    p.add_argument(
        "--timeout",
        type=float,
        default=30.0,
        metavar="S",
        help="seconds per request before a 503 (default 30)",
    )
    p.add_argument(
        "--threads",
        type=_positive,
        default=1,
        metavar="N",
        help="analyses at once per worker (default 1; use --workers to use more cores)",
    )
    p.add_argument("--log-level", default="info", choices=("critical", "error", "warning", "info"))
    p.add_argument("--no-access-log", action="store_true", help="do not log every request")
    add_runtime_options(p)
    p.set_defaults(run=run)


def _positive(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return n


def _port(value: str) -> int:
    n = _positive(value)
    if n > 65535:
        raise argparse.ArgumentTypeError("must be between 1 and 65535")
    return n


def _check_bind(host: str, port: int) -> None:
    """Fail with one line, before loading anything, when the address cannot be used."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        raise InputError(f"--host {host}: not an address this machine can bind") from None
    family, kind, proto, _, addr = infos[0]
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(addr)
        except OSError as exc:
            why = "address already in use" if exc.errno == errno.EADDRINUSE else exc.strerror
            raise UnspinError(f"cannot listen on {host}:{port}: {why}") from None


def _preflight() -> None:
    """Load every artifact once, so a missing or corrupt one is a one-line error (exit 4)."""
    import unspin

    unspin.default_analyzer().analyze("Checking that the artifacts load before serving.")


def _preflight_message() -> str | None:
    try:
        _preflight()
    except UnspinError as exc:
        return str(exc)
    return None


def run(args: argparse.Namespace) -> int:
    apply_runtime_options(args)
    try:
        import uvicorn

        from unspin.server.app import SETTINGS_ENV, Settings
    except ModuleNotFoundError as exc:
        raise UnspinError(
            f"`unspin serve` needs the serve extra ({exc.name} is missing): "
            "pip install 'unspin[serve]'"
        ) from None
    import os

    if args.timeout <= 0:
        raise UnspinError("--timeout must be more than 0 seconds")
    if args.db:
        from unspin.trace import Index

        Index(args.db).close()  # a missing or foreign file fails here, with exit code 4
        args.db = os.path.abspath(args.db)
    _check_bind(args.host, args.port)
    if args.workers == 1:
        _preflight()  # this process serves: the artifacts stay loaded for the worker
    else:
        from concurrent.futures import ProcessPoolExecutor
        from multiprocessing import get_context

        # Check in a throwaway process so the supervisor does not hold a copy of the artifacts.
        with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
            problem = pool.submit(_preflight_message).result()
        if problem:
            raise DataError(problem)
    settings = Settings(
        max_body_bytes=args.max_body_bytes,
        max_text_chars=args.max_text_chars,
        max_batch=args.max_batch,
        timeout_s=args.timeout,
        threads=args.threads,
        db=args.db,
    )
    os.environ[SETTINGS_ENV] = settings.to_env()
    shown = f"[{args.host}]" if ":" in args.host else args.host
    print(
        f"unspin serve: review page http://{shown}:{args.port}/  "
        f"API docs http://{shown}:{args.port}/docs  "
        f"({args.workers} worker{'s' if args.workers > 1 else ''}"
        f"{', trace on ' + args.db if args.db else ''})",
        file=sys.stderr,
        flush=True,
    )
    uvicorn.run(
        "unspin.server.app:app_from_env",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level=args.log_level,
        access_log=not args.no_access_log,
        server_header=False,
        timeout_graceful_shutdown=5,
    )
    return EXIT_OK
