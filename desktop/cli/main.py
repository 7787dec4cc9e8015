"""`waymark`: the scriptable command line over the same services as the app.

Every command that creates or shows records takes --json. The passphrase
comes from WAYMARK_PASSPHRASE or a prompt. Errors a user can act on print one
line and exit 2; nothing prints a traceback.

This module is only the entry point: it builds the parser from the noun
modules in `commands/`, opens the profile and dispatches. What the commands
share (value parsing, --json output, the passphrase) is in `args.py`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import NoReturn

from desktop import __version__
from desktop.services import USER_ERRORS, Waymark

from .args import Output, default_data_dir, one_line, read_passphrase
from .commands import (
    absence,
    app,
    attention,
    audit,
    backup,
    concern,
    contact,
    erase,
    exclusion,
    export,
    folder,
    pack,
    profile,
    progress,
    provision,
    pupil,
    report,
    retention,
    school,
    school_calendar,
    settings,
    site,
    travel,
    visit,
)

EXIT_USER_ERROR = 2

# Each registers its own parser(s), in the order `waymark --help` lists them.
NOUNS = [
    profile,  # init, passwd, demo
    app,
    settings,
    school,
    pupil,
    visit,
    concern,
    pack,
    folder,
    progress,
    attention,
    site,
    provision,
    absence,
    exclusion,
    travel,
    contact,
    school_calendar,
    report,
    export,
    audit,
    retention,
    erase,
    backup,  # backup, restore
]


class OneLineParser(argparse.ArgumentParser):
    """Bad arguments: one line and exit status 2, as for every other error (argparse
    would print the whole usage first). Subcommands' parsers are of this class too."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USER_ERROR, f"{self.prog}: {one_line(message)} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="waymark",
        description="Waymark: records of visits, sessions, folders and progress for children out of school. "
        "With no command, opens the desktop app.",
    )
    parser.add_argument("--version", action="version", version=f"waymark {__version__}")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="profile directory (default: WAYMARK_DATA_DIR or the platform's data directory)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for noun in NOUNS:
        noun.register(sub)
    return parser


def run(args: argparse.Namespace) -> int:
    data_dir = args.data_dir or default_data_dir()
    out = Output(getattr(args, "json", False))
    if args.command is None:
        return app.launch(args, data_dir, out)
    if hasattr(args, "without_profile"):
        return args.without_profile(args, data_dir, out)
    passphrase = read_passphrase("WAYMARK_PASSPHRASE", "Passphrase: ")
    if hasattr(args, "open_profile"):
        opened = args.open_profile(data_dir, passphrase)
    else:
        opened = Waymark.open_profile(data_dir, passphrase, via=f"command line: {args.command}")
    try:
        return args.handler(args, opened, out)
    finally:
        opened.close()


def main(argv: list[str] | None = None) -> int:
    from desktop import logs

    logs.setup()  # warnings go to the private log, not between the lines a script reads
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    for arg in argv:
        # argparse drops a '--' given as --option=--, leaving the option an empty list (found by fuzzing)
        if arg.startswith("--") and arg.partition("=")[2] == "--":
            parser.error(f"{arg.partition('=')[0]}: '--' is not a value it takes")
    args = parser.parse_args(argv)
    try:
        return run(args)
    except USER_ERRORS as exc:
        print(f"waymark: {one_line(exc)}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("\nwaymark: stopped; nothing half-written was kept.", file=sys.stderr)
        return 130
    except Exception as exc:
        log_path = _log_unexpected(exc)
        where = f"details written to {log_path}" if log_path else "details above"
        print(f"waymark: unexpected error ({exc.__class__.__name__}); nothing was changed; {where}", file=sys.stderr)
        return 1


def _log_unexpected(exc: Exception) -> Path | None:
    from desktop import logs  # the log keeps exception types and code locations, never record contents

    return logs.log_unexpected(exc)
