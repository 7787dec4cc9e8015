"""`waymark school`: base schools."""

from __future__ import annotations

import argparse

from desktop.domain.records import School
from desktop.services import Waymark

from ..args import COMMON, Output, created


def register(subparsers: argparse._SubParsersAction) -> None:
    noun = subparsers.add_parser("school", help="base schools")
    noun.set_defaults(handler=run)
    school = noun.add_subparsers(dest="action", required=True)
    p = school.add_parser("add", parents=[COMMON], help="add a school")
    p.add_argument("--urn", required=True)
    p.add_argument("--la", required=True, help="3-digit LA code")
    p.add_argument("--estab", required=True, help="4-digit establishment number")
    p.add_argument("--name", required=True)
    p.add_argument("--contact", help="named contact")
    p.add_argument("--phone")
    school.add_parser("list", parents=[COMMON], help="list the base schools")


def run(args: argparse.Namespace, app: Waymark, out: Output) -> int:
    if args.action == "add":
        school = School(
            urn=args.urn,
            la_code=args.la,
            estab=args.estab,
            name=args.name,
            contact_name=args.contact or "",
            contact_phone=args.phone or "",
        )
        return created(out, "school", app.add_school(school), school)
    schools = app.list_schools()
    out.table(
        schools,
        [("URN", lambda s: s.urn), ("DfE", lambda s: s.dfe_number), ("Name", lambda s: s.name), ("Id", lambda s: s.id)],
    )
    return 0
