"""`waymark folder`: distance-learning folders and their items."""

from __future__ import annotations

import argparse

from desktop.domain.enums import ItemStatus
from desktop.services import Waymark

from ..args import COMMON, Output, choice_of, created, fmt_date, parse_date


def register(subparsers: argparse._SubParsersAction) -> None:
    noun = subparsers.add_parser("folder", help="distance-learning folders")
    noun.set_defaults(handler=run)
    folder = noun.add_subparsers(dest="action", required=True)
    p = folder.add_parser("issue", parents=[COMMON], help="issue a folder made from work packs")
    p.add_argument("--pupil", required=True)
    p.add_argument("--pack", action="append", required=True, help="a work pack id (repeatable)")
    p.add_argument("--issued", type=parse_date)
    p.add_argument("--expected-back", type=parse_date)
    p = folder.add_parser("return", parents=[COMMON], help="record a folder's return")
    p.add_argument("id")
    p.add_argument("--date", type=parse_date)
    p = folder.add_parser("item", parents=[COMMON], help="set an item's status")
    p.add_argument("folder")
    p.add_argument("item")
    p.add_argument("--status", type=choice_of(ItemStatus), required=True)
    p.add_argument("--comment")
    p = folder.add_parser("list", parents=[COMMON], help="list folders, optionally only one pupil's or the overdue")
    p.add_argument("--pupil")
    p.add_argument("--overdue", action="store_true")


def run(args: argparse.Namespace, app: Waymark, out: Output) -> int:
    if args.action == "issue":
        changes = app.issue_folder(args.pupil, args.pack, issued_on=args.issued, expected_back=args.expected_back)
        folder = app.get_folder(changes.id)
        return created(out, f"folder with {len(folder.items)} item(s)", changes, folder)
    if args.action == "return":
        app.return_folder(args.id, args.date)
        folder = app.get_folder(args.id)
        out.emit(folder, f"Folder {folder.id} returned {fmt_date(folder.returned_on)}")
        return 0
    if args.action == "item":
        app.set_item_status(args.folder, args.item, args.status, args.comment)
        folder = app.get_folder(args.folder)
        out.emit(folder, f"Item marked {args.status.label}")
        return 0
    folders = app.list_folders(args.pupil, overdue_only=args.overdue)
    out.table(
        folders,
        [
            ("Issued", lambda f: fmt_date(f.issued_on)),
            ("Expected", lambda f: fmt_date(f.expected_back)),
            ("Returned", lambda f: fmt_date(f.returned_on)),
            ("Items", lambda f: len(f.items)),
            ("Pupil", lambda f: f.pupil_id),
            ("Id", lambda f: f.id),
        ],
    )
    return 0
