"""The entry point: the parser built from the noun modules, the database, and the errors
(one line and status 2 for what a user can act on; never a traceback for a database that
cannot be reached or a port that cannot be had)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .. import admin
from . import audit, caseload, db, device, policy, serve, user
from .engine import open_engine

# The noun modules, in the order --help lists them: each adds its sub-parser
# (register) and carries out its actions (run).
NOUNS = {
    "serve": serve,
    "user": user,
    "device": device,
    "caseload": caseload,
    "audit": audit,
    "policy": policy,
    "db": db,
}


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="waymark-server", description="The Waymark LA server.")
    p.add_argument("--data-dir", type=Path, help="where the embedded database lives (or WAYMARK_SERVER_DATA_DIR)")
    p.add_argument(
        "--database", help="postgresql://user:password@host/dbname (or WAYMARK_SERVER_DATABASE); default: SQLite"
    )
    sub = p.add_subparsers(dest="command", required=True)
    for noun in NOUNS.values():
        noun.register(sub)
    return p


def run(args: argparse.Namespace) -> int:
    if args.command == "serve":
        return serve.run(args)  # checks its options and the port before it opens the database
    engine = open_engine(args)
    try:
        return NOUNS[args.command].run(engine, args)
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
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
