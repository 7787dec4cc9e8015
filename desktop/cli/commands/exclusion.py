"""`waymark exclusion`: permanent and fixed-period exclusions."""

from __future__ import annotations

import argparse

from desktop.domain.enums import ExclusionKind
from desktop.domain.records import Exclusion
from desktop.services import Waymark

from ..args import COMMON, Output, choice_of, created, fmt_date, parse_date


def register(subparsers: argparse._SubParsersAction) -> None:
    noun = subparsers.add_parser(
        "exclusion",
        help="exclusions: full-time provision from the sixth school day; at most 45 days a year of fixed periods",
    )
    noun.set_defaults(handler=run)
    action = noun.add_subparsers(dest="action", required=True)
    p = action.add_parser(
        "add",
        parents=[COMMON],
        help="record an exclusion",
        description="Record an exclusion. A fixed period takes its last day (--end) or its length in school "
        "days (--days), counted on the school calendar.",
    )
    p.add_argument("--pupil", required=True)
    p.add_argument("--kind", type=choice_of(ExclusionKind), required=True, help="permanent or fixed_period")
    p.add_argument("--start", type=parse_date, required=True, help="the first day excluded")
    p.add_argument("--end", type=parse_date, help="the last day of a fixed period")
    p.add_argument("--days", type=int, help="a fixed period's length in school days")
    p.add_argument("--school", metavar="URN", help="the excluding school (default: the base school)")
    p.add_argument("--reason")
    p = action.add_parser("list", parents=[COMMON], help="exclusions, earliest first")
    p.add_argument("--pupil")
    p = action.add_parser(
        "end", parents=[COMMON], help="a permanently excluded pupil starts at a new school: the clock stops"
    )
    p.add_argument("id")
    p.add_argument("--on", type=parse_date, required=True)


def run(args: argparse.Namespace, app: Waymark, out: Output) -> int:
    if args.action == "add":
        exclusion = Exclusion(
            pupil_id=args.pupil,
            kind=args.kind,
            start=args.start,
            end=args.end,
            school_id=app.school_by_urn(args.school).id if args.school else None,
            reason=args.reason or "",
        )
        return created(out, "exclusion", app.add_exclusion(exclusion, school_days=args.days), exclusion)
    if args.action == "end":
        app.end_exclusion(args.id, args.on)
        out.emit({"id": args.id, "end": args.on}, f"Exclusion {args.id} ended on {fmt_date(args.on)}")
        return 0
    found = app.list_exclusions(args.pupil)
    names = {e.pupil_id: app.get_pupil(e.pupil_id).legal_name for e in found}
    out.table(
        found,
        [
            ("Pupil", lambda e: names[e.pupil_id]),
            ("Kind", lambda e: e.kind.label),
            ("From", lambda e: fmt_date(e.start)),
            ("To", lambda e: fmt_date(e.end)),
            ("School days", lambda e: app.exclusion_days(e) or ""),
            ("Reason", lambda e: e.reason),
            ("Id", lambda e: e.id),
        ],
    )
    return 0
