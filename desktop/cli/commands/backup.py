"""`waymark backup` and `waymark restore`: an encrypted copy of the profile, and putting one back.

    waymark backup --out FILE [--json]
    waymark restore FILE [--replace] [--json]

A backup can be made while the app is open. It opens with the passphrase in
use when it was made (WAYMARK_PASSPHRASE or a prompt, for restore too).
Restore refuses to replace a profile unless told to with --replace, and even
then keeps the old one beside it.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from desktop.services import Waymark
from desktop.services.backups import make_backup, restore

from ..args import COMMON, Output, read_passphrase


def register(subparsers: argparse._SubParsersAction) -> None:
    backup_cmd = subparsers.add_parser(
        "backup",
        parents=[COMMON],
        help="write an encrypted backup of the profile to a file (the app may be open)",
        description="Write an encrypted copy of the profile and its key file to FILE. "
        "Keep it on another disk; it opens with today's passphrase.",
    )
    backup_cmd.add_argument("--out", type=Path, required=True, metavar="FILE", help="where to write the backup")
    backup_cmd.set_defaults(handler=backup)
    restore_cmd = subparsers.add_parser(
        "restore",
        parents=[COMMON],
        help="put a backup in place of the profile (--replace to replace one that is there)",
        description="Check a backup, open it with its passphrase, then make it the profile. "
        "A profile already there is replaced only with --replace, and kept beside it.",
    )
    restore_cmd.add_argument("file", type=Path, metavar="FILE", help="a backup made by 'waymark backup'")
    restore_cmd.add_argument(
        "--replace", action="store_true", help="replace the profile that is there (it is moved aside, not deleted)"
    )
    restore_cmd.set_defaults(without_profile=restore_profile)


def backup(args: argparse.Namespace, app: Waymark, out: Output) -> int:
    info = make_backup(app, args.out)
    out.emit(
        {"path": str(info.path), "made_at": info.made_at, "schema": info.schema, "bytes": info.size},
        f"Backed up the profile to {info.path} ({info.size // 1024 + 1} KB, encrypted). "
        "Keep it somewhere other than this computer.",
    )
    return 0


def restore_profile(args: argparse.Namespace, data_dir: Path, out: Output) -> int:
    passphrase = read_passphrase("WAYMARK_PASSPHRASE", "The backup's passphrase: ")
    manifest, kept = restore(args.file, data_dir, passphrase, replace=args.replace)
    text = f"Restored the backup made {manifest['made_at']} to {data_dir}."
    if kept:
        text += f" The profile it replaced is kept in {kept}."
    out.emit({"data_dir": str(data_dir), "made_at": manifest["made_at"], "kept": str(kept) if kept else None}, text)
    return 0
