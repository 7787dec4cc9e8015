"""`waymark-server db`: bring the database up to date, forget old tombstones, and mark a
restore from a backup."""

from __future__ import annotations

import argparse

from sqlalchemy import Engine

from .. import admin


def register(sub: argparse._SubParsersAction) -> None:
    dbc = sub.add_parser("db", help="the database").add_subparsers(dest="action", required=True)
    dbc.add_parser("upgrade", help="apply migrations (also done on first serve)")
    prune = dbc.add_parser("prune", help="forget tombstones older than --days (older cursors then get a fresh copy)")
    prune.add_argument("--days", type=_days, default=90, help="tombstones older than this many days (default 90)")
    dbc.add_parser(
        "restored",
        help="after putting back a backup: every laptop takes a fresh copy at its next sync and sends again what the backup lacks",
    )


def _days(text: str) -> float:
    try:
        days = float(text)
    except ValueError:
        days = -1.0
    if not 0 <= days <= 36500:  # also refuses nan and inf
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of days from 0 to 36500")
    return days


def run(engine: Engine, args: argparse.Namespace) -> int:
    if args.action == "upgrade":
        print("The database is up to date.")  # every command brings it up to date first (open_engine)
    elif args.action == "prune":
        print(f"Forgot {admin.prune_tombstones(engine, args.days)} tombstones.")
    elif args.action == "restored":
        admin.mark_restored(engine)
        print(
            "Marked as restored from a backup: at its next sync each laptop takes a fresh copy, "
            "keeping its own work, and sends again what the backup lacks. Users and devices are as the "
            "backup holds them: revoke again any device revoked since, and disable or change again any "
            "user disabled or changed since."
        )
    return 0
