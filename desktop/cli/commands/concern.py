"""`waymark concern`: safeguarding concerns (restricted; every read is audited)."""

from __future__ import annotations

import argparse

from desktop.domain.records import Concern
from desktop.services import Waymark

from ..args import COMMON, Output, fmt_date, parse_date


def register(subparsers: argparse._SubParsersAction) -> None:
    noun = subparsers.add_parser("concern", help="safeguarding concerns (restricted)")
    noun.set_defaults(handler=run)
    concern = noun.add_subparsers(dest="action", required=True)
    p = concern.add_parser("add", parents=[COMMON], help="record a safeguarding concern (never printed)")
    p.add_argument("--pupil", required=True)
    p.add_argument("--text", required=True)
    p.add_argument("--date", type=parse_date)
    p.add_argument("--escalated-to")
    p = concern.add_parser("list", parents=[COMMON], help="show a pupil's concerns (the read is audited)")
    p.add_argument("--pupil", required=True)


def run(args: argparse.Namespace, app: Waymark, out: Output) -> int:
    if args.action == "add":
        concern = Concern(
            pupil_id=args.pupil,
            text=args.text,
            raised_on=args.date or app.today(),
            escalated_to=args.escalated_to or "",
        )
        changes = app.add_concern(concern)
        out.emit({"id": changes.id, "pupil_id": concern.pupil_id}, f"Recorded restricted concern {changes.id}")
        return 0
    concerns = app.list_concerns(args.pupil)
    out.table(
        concerns,
        [
            ("Raised", lambda c: fmt_date(c.raised_on)),
            ("By", lambda c: c.raised_by),
            ("Concern", lambda c: c.text),
            ("Id", lambda c: c.id),
        ],
    )
    return 0
