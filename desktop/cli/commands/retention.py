"""`waymark retention`: the retention schedule.

    waymark retention review [--json]     what is due: archive, or destroy
    waymark retention apply [--confirm]   archive and destroy what is due

Nothing is destroyed without a confirmation: --confirm, or typing DESTROY when
asked in a terminal. The confirmation is written to the audit trail first.
Settings: `waymark settings --retention-archive-years N --retention-destroy-years N`.
"""

from __future__ import annotations

import argparse
import sys

from desktop.services import ValidationError, Waymark

from ..args import COMMON, Output, fmt_date


def register(subparsers: argparse._SubParsersAction) -> None:
    noun = subparsers.add_parser("retention", help="the retention schedule: what is due, and applying it")
    noun.set_defaults(handler=run)
    retention = noun.add_subparsers(dest="action", required=True)
    retention.add_parser("review", parents=[COMMON], help="list the records due to be archived or destroyed")
    p = retention.add_parser("apply", parents=[COMMON], help="archive and destroy what is due (asks to confirm)")
    p.add_argument("--confirm", action="store_true", help="confirm the destruction without being asked")


def confirmed(args: argparse.Namespace, what: str) -> bool:
    """--confirm, or DESTROY typed at a terminal; never assumed."""
    if args.confirm:
        return True
    if not sys.stdin or not sys.stdin.isatty():
        raise ValidationError(f"Nothing was changed: {what} needs --confirm (or run in a terminal to be asked).")
    answer = input(f"{what[0].upper()}{what[1:]} cannot be undone. Type DESTROY to confirm: ")
    return answer.strip() == "DESTROY"


def run(args: argparse.Namespace, app: Waymark, out: Output) -> int:
    due = app.retention_review()
    if args.action == "review":
        out.table(
            due,
            [
                ("Step", lambda i: i.step),
                ("Due", lambda i: fmt_date(i.due)),
                ("Pupil", lambda i: i.name),
                ("Why", lambda i: i.why),
                ("Id", lambda i: i.pupil_id),
            ],
            data=[i.to_json() for i in due],
        )
        return 0
    if not due:
        out.emit({"archived": [], "destroyed": []}, "Nothing is due.")
        return 0
    destroying = sum(i.step == "destroy" for i in due)
    if destroying and not confirmed(args, f"destroying {destroying} pupil record(s)"):
        raise ValidationError("Not confirmed; nothing was changed.")
    done = app.apply_retention(confirmed=True)
    out.emit(done, f"Archived {len(done['archived'])} and destroyed {len(done['destroyed'])} pupil record(s).")
    return 0
