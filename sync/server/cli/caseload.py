"""`waymark-server caseload`: put a pupil on a worker's or a team's caseload, or take them off."""

from __future__ import annotations

import argparse

from sqlalchemy import Engine

from .. import admin


def register(sub: argparse._SubParsersAction) -> None:
    case = sub.add_parser("caseload", help="caseloads").add_subparsers(dest="action", required=True)
    assign = case.add_parser("assign", help="put a pupil on a worker's or a team's caseload")
    remove = case.add_parser(
        "remove", help="take a pupil off a worker's or a team's caseload (their laptops drop them)"
    )
    for action in (assign, remove):
        action.add_argument("pupil_id")
        who = action.add_mutually_exclusive_group(required=True)
        who.add_argument("--user")
        who.add_argument("--team")


def run(engine: Engine, args: argparse.Namespace) -> int:
    if args.action == "assign":
        admin.assign(engine, args.pupil_id, user=args.user, team=args.team)
        print(f"Assigned pupil {args.pupil_id} to {args.user or 'team ' + args.team}.")
    elif args.action == "remove":
        admin.unassign(engine, args.pupil_id, user=args.user, team=args.team)
        print(f"Took pupil {args.pupil_id} off {args.user or 'team ' + args.team}'s caseload.")
    return 0
