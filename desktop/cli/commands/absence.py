"""`waymark absence`: time off school for health."""

from __future__ import annotations

import argparse

from desktop.domain.records import Absence
from desktop.services import Waymark

from ..args import COMMON, Output, created, parse_date


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("absence", parents=[COMMON], help="record time off school for health")
    p.set_defaults(handler=run)
    p.add_argument("--pupil", required=True)
    p.add_argument("--start", type=parse_date, required=True)
    p.add_argument("--end", type=parse_date)
    p.add_argument("--expected-end", type=parse_date)
    p.add_argument("--reason")


def run(args: argparse.Namespace, app: Waymark, out: Output) -> int:
    absence = Absence(
        pupil_id=args.pupil, start=args.start, end=args.end, expected_end=args.expected_end, reason=args.reason or ""
    )
    return created(out, "absence", app.add_absence(absence), absence)
