"""`waymark audit`: read the audit trail and check its hash chain.

waymark audit list [--pupil ID] [--from DATE] [--to DATE] [--limit N] [--json]
waymark audit verify [--json]      exit 0 when intact, 3 when broken (each break named)
"""

from __future__ import annotations

import argparse

from desktop.services import Waymark
from desktop.services.audit_trail import describe_break

from ..args import COMMON, Output, parse_date

EXIT_BROKEN = 3


def register(subparsers: argparse._SubParsersAction) -> None:
    noun = subparsers.add_parser("audit", help="the audit trail: who did what, when; and whether it is intact")
    noun.set_defaults(handler=run)
    audit = noun.add_subparsers(dest="action", required=True)
    p = audit.add_parser("list", parents=[COMMON], help="the trail, newest first")
    p.add_argument("--pupil", help="only what concerns this pupil")
    p.add_argument("--from", dest="from_date", type=parse_date, help="from this day")
    p.add_argument("--to", dest="to_date", type=parse_date, help="to this day (inclusive)")
    p.add_argument("--limit", type=_positive, help="at most this many rows")
    audit.add_parser("verify", parents=[COMMON], help="check the hash chain; says where it is broken")


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= 1_000_000:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of rows from 1 to 1000000")
    return value


def run(args: argparse.Namespace, app: Waymark, out: Output) -> int:
    if args.action == "verify":
        result = app.verify_audit()
        data = {
            "intact": result.intact,
            "rows": result.rows,
            "redacted": result.redacted,
            "head": result.head,
            "breaks": [
                {"seq": b.seq, "id": b.event_id, "at": b.at, "action": b.action, "entity": b.entity, "reason": b.reason}
                for b in result.breaks
            ],
        }

        def text() -> str:
            if result.intact:
                erased = f", {result.redacted} blanked by erasures" if result.redacted else ""
                return f"The audit trail is intact: {result.rows} rows{erased}."
            lines = [f"The audit trail is broken in {len({b.seq for b in result.breaks})} place(s):"]
            lines += [f"  {describe_break(b)}" for b in result.breaks]
            return "\n".join(lines)

        out.emit(data, text)
        return 0 if result.intact else EXIT_BROKEN
    entries = app.audit_trail(args.pupil, args.from_date, args.to_date, args.limit)
    out.table(
        entries,
        [
            ("#", lambda e: e.seq),
            ("When", lambda e: f"{e.at:%d/%m/%Y %H:%M}"),
            ("Who", lambda e: e.actor),
            ("Did", lambda e: e.action_label),
            ("Record", lambda e: e.entity_label),
            ("Detail", lambda e: e.detail),
        ],
        data=[e.to_json() for e in entries],
    )
    return 0
