"""`waymark travel`: a Traveller family's planned travel, with the dates the base
school needs to keep the pupil on roll (and to record code T)."""

from __future__ import annotations

import argparse

from desktop.domain.records import PlannedTravel
from desktop.services import Waymark

from ..args import COMMON, Output, created, fmt_date, parse_date


def register(subparsers: argparse._SubParsersAction) -> None:
    noun = subparsers.add_parser("travel", help="planned travel: the dates the base school needs")
    noun.set_defaults(handler=run)
    action = noun.add_subparsers(dest="action", required=True)
    p = action.add_parser("add", parents=[COMMON], help="record planned travel")
    p.add_argument("--pupil", required=True)
    p.add_argument("--leaves", type=parse_date, required=True)
    p.add_argument("--returns", type=parse_date, help="expected back")
    p.add_argument("--destination", help="where, or the pattern: 'Fairs in the North East'")
    p.add_argument("--agreed", type=parse_date, help="the day the base school agreed the dates")
    p.add_argument("--notes")
    p = action.add_parser("agree", parents=[COMMON], help="the base school has agreed the dates")
    p.add_argument("id")
    p.add_argument("--on", type=parse_date, help="default: today")
    p = action.add_parser("list", parents=[COMMON], help="a pupil's planned travel")
    p.add_argument("--pupil", required=True)


def run(args: argparse.Namespace, app: Waymark, out: Output) -> int:
    if args.action == "add":
        travel = PlannedTravel(
            pupil_id=args.pupil,
            leaves=args.leaves,
            returns=args.returns,
            destination=args.destination or "",
            agreed_with_school_on=args.agreed,
            notes=args.notes or "",
        )
        return created(out, "planned travel", app.add_travel(travel), travel)
    if args.action == "agree":
        app.agree_travel(args.id, args.on)
        out.emit({"id": args.id}, "Dates agreed with the base school")
        return 0
    found = app.list_travel(args.pupil)
    out.table(
        found,
        [
            ("Leaves", lambda t: fmt_date(t.leaves)),
            ("Back", lambda t: fmt_date(t.returns)),
            ("Where", lambda t: t.destination),
            ("Agreed with school", lambda t: fmt_date(t.agreed_with_school_on)),
            ("Id", lambda t: t.id),
        ],
    )
    return 0
