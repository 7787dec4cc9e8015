"""`waymark init`, `passwd` and `demo`: make a profile, change its passphrase, fill it with a demo caseload."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from desktop.domain.enums import ServiceKind
from desktop.services import ValidationError, Waymark

from ..args import COMMON, Output, choice_of, read_passphrase


def register(subparsers: argparse._SubParsersAction) -> None:
    init_cmd = subparsers.add_parser("init", parents=[COMMON], help="create an encrypted profile")
    init_cmd.set_defaults(without_profile=init)
    init_cmd.add_argument("--service-name", default="Traveller Education Service")
    init_cmd.add_argument(
        "--service-kind", type=choice_of(ServiceKind), default=ServiceKind.TES, help="tes, hospital or home"
    )
    init_cmd.add_argument("--worker", default="", help="your name, as it appears on reports")
    init_cmd.add_argument("--demo", action="store_true", help="fill the new profile with the demo caseload")
    passwd_cmd = subparsers.add_parser(
        "passwd",
        help="change the passphrase (WAYMARK_NEW_PASSPHRASE or a prompt)",
        description="Change the profile's passphrase. The current one comes from WAYMARK_PASSPHRASE, the new one "
        "from WAYMARK_NEW_PASSPHRASE; either, when not set, is asked for (the new one twice). The database "
        "key is re-wrapped; the data is not re-encrypted.",
    )
    passwd_cmd.set_defaults(without_profile=passwd)
    demo_cmd = subparsers.add_parser(
        "demo", parents=[COMMON], help="fill an empty profile (made if missing) with a demo caseload"
    )
    demo_cmd.set_defaults(handler=demo, open_profile=open_or_create_demo)


def init(args: argparse.Namespace, data_dir: Path, out: Output) -> int:
    passphrase = read_passphrase("WAYMARK_PASSPHRASE", "New passphrase: ", confirm=True)
    app = Waymark.create_profile(
        data_dir,
        passphrase,
        service_name=args.service_name,
        worker_name=args.worker,
        service_kind=args.service_kind,
    )
    try:
        out.emit({"data_dir": str(data_dir)}, f"Created an encrypted Waymark profile in {data_dir}")
        return demo(args, app, out) if args.demo else 0
    finally:
        app.close()


def passwd(args: argparse.Namespace, data_dir: Path, out: Output) -> int:
    old = read_passphrase("WAYMARK_PASSPHRASE", "Current passphrase: ")
    new = read_passphrase("WAYMARK_NEW_PASSPHRASE", "New passphrase: ", confirm=True)
    app = Waymark.open_profile(data_dir, old)
    try:
        app.change_passphrase(old, new)
    finally:
        app.close()
    print("Passphrase changed. The database key was re-wrapped; the data was not re-encrypted.")
    return 0


def open_or_create_demo(data_dir: Path, passphrase: str) -> Waymark:
    """`demo` makes the profile when there is none yet."""
    if Waymark.profile_exists(data_dir):
        return Waymark.open_profile(data_dir, passphrase)
    return Waymark.create_profile(data_dir, passphrase, worker_name="Demo Teacher")


def demo(args: argparse.Namespace, app: Waymark, out: Output) -> int:
    from desktop.services.demo import fill_demo

    if app.list_pupils():
        raise ValidationError("This profile already has pupils; the demo fills an empty profile only.")
    counts = fill_demo(app, progress=None if out.as_json else _progress_printer())
    out.emit(counts, f"\nDemo caseload added: {counts['pupils']} pupils, {counts['visits']} visits.")
    return 0


def _progress_printer() -> Callable[[int, int], None]:
    def show(done: int, total: int) -> None:
        print(f"\rFilling the demo profile… {min(100, done * 100 // total)}%", end="", file=sys.stderr, flush=True)

    return show
