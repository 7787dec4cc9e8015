"""`waymark-server serve`: run the server (uvicorn, one or more processes)."""

from __future__ import annotations

import argparse
import errno
import os
import socket
from pathlib import Path

from .. import admin, db
from .engine import open_engine

APP = "sync.server.cli.serve:app_from_environment"
APP_URL = "WAYMARK_SERVER_APP_URL"  # how serve tells its worker processes which database to use
CONNECTIONS = 4  # database connections per server process, and its request threads


def register(sub: argparse._SubParsersAction) -> None:
    serve = sub.add_parser("serve", help="run the server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=_port, default=8765)
    serve.add_argument("--ssl-certfile", type=_readable, help="TLS certificate (PEM); or put a reverse proxy in front")
    serve.add_argument("--ssl-keyfile", type=_readable, help="TLS private key (PEM)")
    serve.add_argument(
        "--workers",
        type=int,
        help="server processes (default: one on the embedded SQLite, one per core on PostgreSQL)",
    )
    serve.add_argument("--fd", type=int, help=argparse.SUPPRESS)  # a listening socket handed in (tests)
    # The demo's server (desktop/demo_server.py) stops when the app that started it is gone.
    serve.add_argument("--exit-with-parent", action="store_true", help=argparse.SUPPRESS)


def _port(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"'{text}' is not a port; give a number from 1 to 65535")
    return int(text)


def _readable(text: str) -> Path:
    path = Path(text)
    if not path.is_file() or not os.access(path, os.R_OK):
        raise argparse.ArgumentTypeError(f"cannot read '{text}'")
    return path


def run(args: argparse.Namespace) -> int:
    import uvicorn

    if bool(args.ssl_certfile) != bool(args.ssl_keyfile):
        raise admin.AdminError("Give both --ssl-certfile and --ssl-keyfile, or neither.")
    if args.workers is not None and not 1 <= args.workers <= 64:
        raise admin.AdminError("--workers must be between 1 and 64.")
    if args.fd is None:
        _check_can_listen(args.host, args.port)
    engine = open_engine(args)  # migrates, once, before any worker starts
    url = engine.url.render_as_string(hide_password=False)
    sqlite = engine.dialect.name == "sqlite"
    engine.dispose()
    # SQLite takes one writer at a time: more processes only queue. On PostgreSQL a
    # process per core lets pulls and merges use every core (each process has its GIL).
    workers = args.workers or (1 if sqlite else max(1, min(os.cpu_count() or 1, 4)))
    os.environ[APP_URL] = url
    if args.exit_with_parent:
        _exit_with_parent()
    where = f"file descriptor {args.fd}" if args.fd is not None else f"{args.host}:{args.port}"
    print(f"Waymark server on {'https' if args.ssl_certfile else 'http'}://{where} (docs at /docs)", flush=True)
    options = dict(
        factory=True,
        workers=workers,
        http="httptools",
        # Longer than a client's idle keep-alive (httpx: 5 s), so the server never closes a
        # connection just as a client reuses it (a "connection lost" under load).
        timeout_keep_alive=30,
        backlog=2048,
        ssl_certfile=str(args.ssl_certfile) if args.ssl_certfile else None,
        ssl_keyfile=str(args.ssl_keyfile) if args.ssl_keyfile else None,
        log_level="warning",
    )
    if args.fd is None:
        uvicorn.run(APP, host=args.host, port=args.port, **options)
        return 0
    # A handed-in descriptor is opened with its own family here: uvicorn takes one for a
    # Unix socket, and asyncio then leaves Nagle on for its TCP connections, so every
    # answer waited some 40 ms for the client's delayed acknowledgement.
    config = uvicorn.Config(APP, **options)
    sock = socket.socket(fileno=args.fd)
    if workers > 1:
        from uvicorn.supervisors import Multiprocess

        Multiprocess(config, sockets=[sock]).run()
    else:
        server = uvicorn.Server(config)
        server.run(sockets=[sock])
        if not server.started:  # as uvicorn.run answers a server that could not start
            return 3
    return 0


def _exit_with_parent() -> None:
    """Stop (as on Ctrl+C) once the process that started this one has gone, however it
    ended: a killed app must not leave its demo server running."""
    import signal
    import threading
    import time

    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def _check_can_listen(host: str, port: int) -> None:
    """Bind as uvicorn will, before anything is made or the server is said to be on: a port
    in use (a server left running) was a "Waymark server on …" line, then uvicorn's own
    error and exit status 3."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET  # uvicorn's rule (Config.bind_socket)
    with socket.socket(family=family) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                reason = "that port is in use (is a server already running there?); choose another with --port"
            else:
                reason = str(exc.strerror or exc).lower()
            raise admin.AdminError(f"Cannot listen on {host}:{port}: {reason}.") from None


def app_from_environment():
    """The app for one server process (uvicorn's factory), on the database `serve` named."""
    from ..app import create_app

    # A few connections per process, kept: none opened beyond them. Under a burst, connections
    # opened beyond the pool were closed when given back, so each such request started a new
    # PostgreSQL backend, and more request threads than cores only took turns at the GIL
    # (200 devices syncing at once: p99 from 3.8-4.6 s to 2.7-3.6 s). The app runs no more
    # request threads than connections (create_app).
    return create_app(db.make_engine(os.environ[APP_URL], pool_size=CONNECTIONS, max_overflow=0))
