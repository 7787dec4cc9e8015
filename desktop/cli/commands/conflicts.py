"""`waymark conflicts list|resolve`: when two people changed the same words,
both versions are kept until someone chooses (mine, theirs, or a merged text)."""

from __future__ import annotations

import argparse

from desktop.services import Waymark
from desktop.services.sync import SyncService

from ..args import COMMON, Output


def register(subparsers: argparse._SubParsersAction) -> None:
    noun = subparsers.add_parser("conflicts", help="changes that clashed with someone else's")
    noun.set_defaults(handler=run)
    actions = noun.add_subparsers(dest="action", required=True)
    p = actions.add_parser("list", parents=[COMMON], help="conflicts waiting for a choice")
    p.add_argument("--all", action="store_true", help="include resolved ones")
    p = actions.add_parser("resolve", parents=[COMMON], help="keep mine, theirs, or the given text")
    p.add_argument("id")
    p.add_argument("--keep", required=True, metavar="mine|theirs|TEXT")


def run(args: argparse.Namespace, app: Waymark, out: Output) -> int:
    service = SyncService(app)
    if args.action == "resolve":
        conflict = service.resolve(args.id, args.keep)
        out.emit(
            {"id": conflict.id, "resolution": conflict.resolution},
            f"Resolved: kept {conflict.resolution} for the {conflict.field.replace('_', ' ')}.",
        )
        return 0
    conflicts = service.conflicts(include_resolved=args.all)
    rows = []
    for c in conflicts:
        mine, theirs = service.mine_and_theirs(c)
        topic = service.about(c)
        rows.append(
            {
                "id": c.id,
                "pupil": topic.pupils,
                "about": topic.record,
                "entity": c.entity,
                "entity_id": c.entity_id,
                "record": f"{c.entity.replace('_', ' ')} {c.entity_id}",
                "field": c.field,
                "kind": c.kind,
                "mine": mine,
                "theirs": theirs if c.kind == "edit" else "(deleted on another laptop)",
                "resolved": c.resolved,
                "resolution": c.resolution,
            }
        )
    out.table(
        rows,
        [
            ("Id", lambda r: r["id"]),
            ("Pupil", lambda r: r["pupil"] or "—"),
            ("About", lambda r: r["about"]),
            ("Field", lambda r: r["field"].replace("_", " ")),
            ("Mine", lambda r: _short(r["mine"])),
            ("Theirs", lambda r: _short(r["theirs"])),
        ],
    )
    return 0


def _short(text: str, width: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
