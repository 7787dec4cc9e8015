"""`waymark erase PUPIL_ID --reason TEXT [--confirm]`: erase a pupil (UK GDPR article 17).

The pupil's records become blank tombstones (sync carries them to the LA);
visits shared with another pupil stay theirs. The audit trail says what was
erased, when and by whom, never what it held. Asks to confirm unless --confirm.
"""

from __future__ import annotations

import argparse

from desktop.services import ValidationError, Waymark

from ..args import COMMON, Output
from .retention import confirmed


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("erase", parents=[COMMON], help="erase a pupil and what is theirs alone")
    p.set_defaults(handler=run)
    p.add_argument("pupil_id", metavar="PUPIL_ID")
    p.add_argument("--reason", required=True, help="why: the request, or the rule (kept in the audit trail)")
    p.add_argument("--confirm", action="store_true", help="confirm without being asked")


def run(args: argparse.Namespace, app: Waymark, out: Output) -> int:
    pupil = app.get_pupil(args.pupil_id)
    if not args.reason.strip():
        raise ValidationError("Say why the record is erased (for example: 'erasure request of 3 Dec 2026').")
    if not confirmed(args, f"erasing {pupil.legal_name}"):
        raise ValidationError("Not confirmed; nothing was changed.")
    changes = app.erase_pupil(pupil.id, args.reason)
    out.emit(
        {"id": pupil.id, "erased": len(changes.ids)},
        f"Erased {pupil.legal_name}: {len(changes.ids)} record(s) are now blank tombstones.",
    )
    return 0
