"""`waymark-server audit`: the audit trails sent by desktops; list them, check their chains."""

from __future__ import annotations

import argparse
import json
from datetime import date, datetime

from sqlalchemy import Engine

from .. import admin, db

EXIT_BROKEN = 3  # as `waymark audit verify` on the laptop


def register(sub: argparse._SubParsersAction) -> None:
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


def _day(text: str) -> date:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    raise argparse.ArgumentTypeError(f"'{text}' is not a date; write 2026-11-22 or 22/11/2026")


def run(engine: Engine, args: argparse.Namespace) -> int:
    if args.action == "verify":
        return _verify(engine)
    _list(engine, args)
    return 0


def _list(engine: Engine, args: argparse.Namespace) -> None:
    from .. import audit

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


def _verify(engine: Engine) -> int:
    from .. import audit

    with db.reading(engine) as conn:
        check = audit.verify(conn)
    if not check.breaks:
        print(f"Every audit trail is intact: {check.rows} rows in {check.trails} trail(s).")
        return 0
    print(f"{len(check.breaks)} break(s) in {check.rows} rows:")
    for line in check.breaks:
        print(f"  {line}")
    return EXIT_BROKEN
