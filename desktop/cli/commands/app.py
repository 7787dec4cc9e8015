"""`waymark app` (and `waymark` with no command): open the desktop app."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..args import Output


def register(subparsers: argparse._SubParsersAction) -> None:
    app_cmd = subparsers.add_parser("app", help="open the desktop app")
    app_cmd.add_argument(
        "--demo",
        action="store_true",
        help="open a demo profile (made on first use), connected to a demo LA server on this computer",
    )
    app_cmd.add_argument("--no-server", action="store_true", help="with --demo: do not start the demo LA server")
    # Also accepted after `app`, so `packaging/dev.sh run --data-dir DIR` works.
    app_cmd.add_argument("--data-dir", type=Path, default=argparse.SUPPRESS, help="profile directory")
    app_cmd.set_defaults(without_profile=launch)


def launch(args: argparse.Namespace, data_dir: Path, out: Output) -> int:
    """Open the desktop app (the default when no command is given)."""
    from desktop.app import main as app_main  # Qt loads only when the app is wanted

    return app_main(
        data_dir=args.data_dir, demo=getattr(args, "demo", False), with_server=not getattr(args, "no_server", False)
    )
