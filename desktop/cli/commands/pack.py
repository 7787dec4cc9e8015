"""`waymark pack`: the work pack catalogue."""

from __future__ import annotations

import argparse

from desktop.domain.records import WorkPack
from desktop.services import Waymark

from ..args import COMMON, Output, created, split_list


def register(subparsers: argparse._SubParsersAction) -> None:
    noun = subparsers.add_parser("pack", help="the work pack catalogue")
    noun.set_defaults(handler=run)
    pack = noun.add_subparsers(dest="action", required=True)
    p = pack.add_parser("add", parents=[COMMON], help="add a work pack to the catalogue")
    p.add_argument("--title", required=True)
    p.add_argument("--subject", required=True)
    p.add_argument("--key-stage")
    p.add_argument("--nc-years")
    p.add_argument("--topic")
    p.add_argument("--items", type=split_list, help='comma-separated items, e.g. "Sheet 1,Sheet 2"')
    pack.add_parser("list", parents=[COMMON], help="list the work packs")


def run(args: argparse.Namespace, app: Waymark, out: Output) -> int:
    if args.action == "add":
        pack = WorkPack(
            title=args.title,
            subject=args.subject,
            key_stage=args.key_stage or "",
            nc_years=args.nc_years or "",
            topic=args.topic or "",
            items=args.items or [],
        )
        return created(out, "work pack", app.add_pack(pack), pack)
    packs = app.list_packs()
    out.table(
        packs,
        [
            ("Subject", lambda p: p.subject),
            ("Title", lambda p: p.title),
            ("KS", lambda p: p.key_stage),
            ("Years", lambda p: p.nc_years),
            ("Items", lambda p: len(p.items)),
            ("Id", lambda p: p.id),
        ],
    )
    return 0
