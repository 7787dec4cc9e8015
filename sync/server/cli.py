"""`waymark-server`: run the LA server and manage its users and devices.

Errors print one line and exit with status 2; nothing is changed.
"""

from __future__ import annotations

import argparse
import errno
import getpass
import json
import os
import socket
import sys
from datetime import date, datetime
from pathlib import Path

from . import admin, db, policy


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="waymark-server", description="The Waymark LA server.")
    p.add_argument("--data-dir", type=Path, help="where the embedded database lives (or WAYMARK_SERVER_DATA_DIR)")
    p.add_argument(
        "--database", help="postgresql://user:password@host/dbname (or WAYMARK_SERVER_DATABASE); default: SQLite"
    )
    sub = p.add_subparsers(dest="command", required=True)

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

    user = sub.add_parser("user", help="users").add_subparsers(dest="action", required=True)
    add = user.add_parser("add", help="add a user (password from WAYMARK_SERVER_PASSWORD or typed twice)")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=["tutor", "tes", "school", "la-lead"])
    add.add_argument("--school", default="", help="the school's URN, for school users")
    add.add_argument("--team", default="", help="the worker's team: they see its caseload")
    ls = user.add_parser("list", help="list users")
    ls.add_argument("--json", action="store_true")
    chg = user.add_parser("change", help="change a user's role, school or team (what they see follows at once)")
    chg.add_argument("name")
    chg.add_argument("--role", choices=["tutor", "tes", "school", "la-lead"])
    chg.add_argument("--school", help="the school's URN, for school users")
    chg.add_argument("--team", help="the worker's team ('' for none)")
    dis = user.add_parser("disable", help="disable a user: their devices are refused from the next request")
    dis.add_argument("name")

    device = sub.add_parser("device", help="devices").add_subparsers(dest="action", required=True)
    dls = device.add_parser("list", help="list devices: id, user, name, last seen")
    dls.add_argument("--json", action="store_true")
    rev = device.add_parser("revoke", help="revoke a device (a lost laptop)")
    rev.add_argument("id")

    case = sub.add_parser("caseload", help="caseloads").add_subparsers(dest="action", required=True)
    assign = case.add_parser("assign", help="put a pupil on a worker's or a team's caseload")
    assign.add_argument("pupil_id")
    who = assign.add_mutually_exclusive_group(required=True)
    who.add_argument("--user")
    who.add_argument("--team")

    remove = case.add_parser(
        "remove", help="take a pupil off a worker's or a team's caseload (their laptops drop them)"
    )
    remove.add_argument("pupil_id")
    whom = remove.add_mutually_exclusive_group(required=True)
    whom.add_argument("--user")
    whom.add_argument("--team")

    aud = sub.add_parser("audit", help="the audit trails sent by desktops").add_subparsers(dest="action", required=True)
    als = aud.add_parser("list", help="audit rows from every device, newest first")
    als.add_argument("--user", help="only rows sent by this user")
    als.add_argument("--pupil", help="only rows about this pupil (by id)")
    als.add_argument("--from", dest="since", type=_day, help="from this day (2026-11-22 or 22/11/2026)")
    als.add_argument("--to", dest="until", type=_day, help="to this day, inclusive")
    als.add_argument("--limit", type=int, default=1000, help="at most this many rows (default 1000)")
    als.add_argument("--json", action="store_true")

    aud.add_parser(
        "verify",
        help="check every trail's hash chain as held now; exit 3 when broken",
        description="Recomputes each trail from its first row, so a row changed or removed "
        "in the server's database after it arrived is found.",
    )

    pol = sub.add_parser("policy", help="LA-wide settings a worker cannot override").add_subparsers(
        dest="action", required=True
    )
    pset = pol.add_parser(
        "set",
        help="set one or more: " + ", ".join(policy.KEYS),
        description="Sent to every device on its next sync. "
        + "; ".join(f"{k}: {what}" for k, (what, _allowed) in policy.KEYS.items()),
    )
    pset.add_argument("assignments", nargs="+", metavar="KEY=VALUE")
    punset = pol.add_parser("unset", help="remove settings from the policy (workers choose again)")
    punset.add_argument("keys", nargs="+", metavar="KEY")
    pshow = pol.add_parser("show", help="the policy sent to devices")
    pshow.add_argument("--json", action="store_true")

    dbc = sub.add_parser("db", help="the database").add_subparsers(dest="action", required=True)
    dbc.add_parser("upgrade", help="apply migrations (also done on first serve)")
    prune = dbc.add_parser("prune", help="forget tombstones older than --days (older cursors then get a fresh copy)")
    prune.add_argument("--days", type=_days, default=90, help="tombstones older than this many days (default 90)")
    dbc.add_parser(
        "restored",
        help="after putting back a backup: every laptop takes a fresh copy at its next sync and sends again what the backup lacks",
    )
    return p


def _password() -> str:
    password = os.environ.get("WAYMARK_SERVER_PASSWORD")
    if password:
        return password
    if not sys.stdin.isatty():
        raise admin.AdminError("Set WAYMARK_SERVER_PASSWORD, or run this in a terminal to type the password.")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Password again: "):
        raise admin.AdminError("The two passwords differ; nothing was changed.")
    return first


def _engine(args: argparse.Namespace):
    url = db.database_url(args.database or os.environ.get("WAYMARK_SERVER_DATABASE"), args.data_dir)
    engine = db.make_engine(url)
    if not db.is_current(engine):
        db.upgrade(engine)
    return engine


def run(args: argparse.Namespace) -> int:
    if args.command == "serve":
        return _serve(args)
    engine = _engine(args)
    try:
        if args.command == "user" and args.action == "add":
            admin.add_user(engine, args.name, args.role, _password(), school_urn=args.school, team=args.team)
            print(f"Added {args.role} user {args.name}.")
        elif args.command == "user" and args.action == "list":
            users = admin.list_users(engine)
            if args.json:
                print(json.dumps([u.to_json() for u in users], indent=2))
            for u in [] if args.json else users:
                extra = f" school {u.school_urn}" if u.school_urn else (f" team {u.team}" if u.team else "")
                print(f"{u.name}\t{u.role}{extra}{'  (disabled)' if u.disabled else ''}")
        elif args.command == "user" and args.action == "disable":
            admin.disable_user(engine, args.name)
            print(f"Disabled {args.name}; their devices are refused from their next request.")
        elif args.command == "device" and args.action == "list":
            devices = admin.list_devices(engine)
            if args.json:
                print(json.dumps(devices, indent=2))
            for d in [] if args.json else devices:
                state = "revoked" if d["revoked"] else f"last seen {d['last_seen'] or 'never'}"
                print(f"{d['id']}\t{d['user']}\t{d['name']}\t{state}")
        elif args.command == "device" and args.action == "revoke":
            admin.revoke_device(engine, args.id)
            print(f"Revoked device {args.id}.")
        elif args.command == "user" and args.action == "change":
            admin.change_user(engine, args.name, role=args.role, school_urn=args.school, team=args.team)
            print(f"Changed {args.name}; their laptops follow at their next sync.")
        elif args.command == "caseload" and args.action == "remove":
            admin.unassign(engine, args.pupil_id, user=args.user, team=args.team)
            print(f"Took pupil {args.pupil_id} off {args.user or 'team ' + args.team}'s caseload.")
        elif args.command == "caseload":
            admin.assign(engine, args.pupil_id, user=args.user, team=args.team)
            print(f"Assigned pupil {args.pupil_id} to {args.user or 'team ' + args.team}.")
        elif args.command == "audit" and args.action == "verify":
            return _audit_verify(engine)
        elif args.command == "audit":
            _audit_list(engine, args)
        elif args.command == "policy" and args.action == "set":
            policy.set_policy(engine, policy.parse_assignments(args.assignments))
            print("Policy set; each device takes it on its next sync.")
        elif args.command == "policy" and args.action == "unset":
            policy.unset(engine, args.keys)
            print("Removed from the policy; each device takes it on its next sync.")
        elif args.command == "policy" and args.action == "show":
            current = policy.show(engine)
            if args.json:
                print(json.dumps(current, indent=2))
            elif not current:
                print("No LA policy is set: workers choose these settings themselves.")
            for key, value in [] if args.json else current.items():
                print(f"{key} = {value}\t({policy.KEYS[key][0] if key in policy.KEYS else 'unknown'})")
        elif args.command == "db" and args.action == "upgrade":
            print("The database is up to date.")
        elif args.command == "db" and args.action == "restored":
            admin.mark_restored(engine)
            print(
                "Marked as restored from a backup: at its next sync each laptop takes a fresh copy, "
                "keeping its own work, and sends again what the backup lacks. Users and devices are as the "
                "backup holds them: revoke again any device revoked since, and disable or change again any "
                "user disabled or changed since."
            )
        elif args.command == "db" and args.action == "prune":
            print(f"Forgot {admin.prune_tombstones(engine, args.days)} tombstones.")
    finally:
        engine.dispose()
    return 0


EXIT_BROKEN = 3  # as `waymark audit verify` on the laptop


def _port(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"'{text}' is not a port; give a number from 1 to 65535")
    return int(text)


def _days(text: str) -> float:
    try:
        days = float(text)
    except ValueError:
        days = -1.0
    if not 0 <= days <= 36500:  # also refuses nan and inf
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of days from 0 to 36500")
    return days


def _readable(text: str) -> Path:
    path = Path(text)
    if not path.is_file() or not os.access(path, os.R_OK):
        raise argparse.ArgumentTypeError(f"cannot read '{text}'")
    return path


def _day(text: str) -> date:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    raise argparse.ArgumentTypeError(f"'{text}' is not a date; write 2026-11-22 or 22/11/2026")


def _audit_list(engine, args: argparse.Namespace) -> None:
    from . import audit

    if not 1 <= args.limit <= audit.MAX_LIST:
        raise admin.AdminError(f"--limit must be from 1 to {audit.MAX_LIST}.")
    with db.reading(engine) as conn:
        if args.user:
            admin._user_id(conn, args.user)  # an unknown name is an error, not an empty list
        rows = audit.list_rows(
            conn, user=args.user, pupil=args.pupil, since=args.since, until=args.until, limit=args.limit
        )
    if args.json:
        print(json.dumps([r.model_dump() for r in rows], indent=2, ensure_ascii=False))
        return
    if not rows:
        print("No audit rows match.")
    for r in rows:
        flag = f"  BREAK: {r.chain_break}" if r.chain_break else ""
        what = r.summary or ("(erased)" if r.redacted else "")
        print(f"{r.at[:19]}\t{r.user}\t{r.actor}\t{r.action}\t{r.entity}\t{what}{flag}")
    broken = audit.breaks(rows)
    if broken:
        print(f"{broken} row(s) did not continue their trail's chain when they arrived.")


def _audit_verify(engine) -> int:
    from . import audit

    with db.reading(engine) as conn:
        check = audit.verify(conn)
    if not check.breaks:
        print(f"Every audit trail is intact: {check.rows} rows in {check.trails} trail(s).")
        return 0
    print(f"{len(check.breaks)} break(s) in {check.rows} rows:")
    for line in check.breaks:
        print(f"  {line}")
    return EXIT_BROKEN


APP_URL = "WAYMARK_SERVER_APP_URL"  # how serve tells its worker processes which database to use


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


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    if bool(args.ssl_certfile) != bool(args.ssl_keyfile):
        raise admin.AdminError("Give both --ssl-certfile and --ssl-keyfile, or neither.")
    if args.workers is not None and not 1 <= args.workers <= 64:
        raise admin.AdminError("--workers must be between 1 and 64.")
    if args.fd is None:
        _check_can_listen(args.host, args.port)
    engine = _engine(args)  # migrates, once, before any worker starts
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


APP = "sync.server.cli:app_from_environment"
CONNECTIONS = 4  # database connections per server process, and its request threads


def app_from_environment():
    """The app for one server process (uvicorn's factory), on the database `serve` named."""
    from .app import create_app

    # A few connections per process, kept: none opened beyond them. Under a burst, connections
    # opened beyond the pool were closed when given back, so each such request started a new
    # PostgreSQL backend, and more request threads than cores only took turns at the GIL
    # (200 devices syncing at once: p99 from 3.8-4.6 s to 2.7-3.6 s). The app runs no more
    # request threads than connections (create_app).
    return create_app(db.make_engine(os.environ[APP_URL], pool_size=CONNECTIONS, max_overflow=0))


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return run(args)
    except (admin.AdminError, ValueError) as exc:
        print(f"waymark-server: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a database that cannot be reached, a port in use, ...
        from sqlalchemy.exc import OperationalError

        if isinstance(exc, (OperationalError, OSError)):
            reason = getattr(exc, "orig", None) or exc
            print(f"waymark-server: {str(reason).strip().splitlines()[0]}", file=sys.stderr)
            return 2
        raise


if __name__ == "__main__":
    sys.exit(main())
