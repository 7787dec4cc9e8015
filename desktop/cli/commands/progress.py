"""`waymark progress`: levels, targets and learning gaps."""

from __future__ import annotations

import argparse

from desktop.domain.records import ProgressEntry
from desktop.services import Waymark

from ..args import COMMON, Output, created, fmt_date, parse_date


def register(subparsers: argparse._SubParsersAction) -> None:
    noun = subparsers.add_parser("progress", help="levels, targets and learning gaps")
    noun.set_defaults(handler=run)
    progress = noun.add_subparsers(dest="action", required=True)
    p = progress.add_parser("add", parents=[COMMON], help="record a level, a target or a learning gap")
    p.add_argument("--pupil", required=True)
    p.add_argument("--subject", required=True)
    p.add_argument("--level", required=True)
    p.add_argument("--date", type=parse_date)
    p.add_argument("--evidence")
    p.add_argument("--target")
    p.add_argument("--gap", help="learning gap")
    p = progress.add_parser("list", parents=[COMMON], help="list a pupil's progress entries")
    p.add_argument("--pupil", required=True)


def run(args: argparse.Namespace, app: Waymark, out: Output) -> int:
    if args.action == "add":
        entry = ProgressEntry(
            pupil_id=args.pupil,
            subject=args.subject,
            level=args.level,
            assessed_on=args.date or app.today(),
            evidence=args.evidence or "",
            target=args.target or "",
            learning_gap=args.gap or "",
        )
        return created(out, "progress entry", app.add_progress(entry), entry)
    entries = app.list_progress(args.pupil)
    out.table(
        entries,
        [
            ("Date", lambda e: fmt_date(e.assessed_on)),
            ("Subject", lambda e: e.subject),
            ("Level", lambda e: e.level),
            ("Target", lambda e: e.target),
            ("Learning gap", lambda e: e.learning_gap),
        ],
    )
    return 0
