"""`waymark attention`: the needs-attention list."""

from __future__ import annotations

import argparse

from desktop.services import Waymark

from ..args import COMMON, Output


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("attention", parents=[COMMON], help="the needs-attention list")
    p.set_defaults(handler=run)
    p.add_argument("--pupil")


def run(args: argparse.Namespace, app: Waymark, out: Output) -> int:
    found = app.attention(args.pupil)
    flat = [(pid, item) for pid, items in found.items() for item in items]
    names = {pid: app.get_pupil(pid).legal_name for pid in found}
    data = [
        {"pupil_id": pid, "pupil": names[pid], "kind": a.kind, "label": a.label, "message": a.message, "since": a.since}
        for pid, a in flat
    ]
    out.table(
        flat,
        [("Pupil", lambda r: names[r[0]]), ("Needs", lambda r: r[1].label), ("Detail", lambda r: r[1].message)],
        data=data,
    )
    return 0
