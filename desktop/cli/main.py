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
import importlib
import os
import signal
import sys
from pathlib import Path
from types import ModuleType

from desktop import __version__
from desktop.paths import profile_dir
from desktop.services import USER_ERRORS, Waymark

from .args import Output, Parser, finish_help, one_line, read_passphrase

EXIT_USER_ERROR = 2

# The modules in commands/, in the order `waymark --help` lists them. Each is
# imported only when its command runs (or for --help): a quick command should
# not pay for importing what the others need (the audit trail's SQLAlchemy, say).
NOUNS = [
    "profile",  # init, passwd, demo
    "app",
    "settings",
    "school",
    "pupil",
    "visit",
    "concern",
    "pack",
    "folder",
    "progress",
    "attention",
    "site",
    "provision",
    "absence",
    "exclusion",
    "travel",
    "contact",
    "school_calendar",  # calendar
    "report",
    "export",
    "audit",
    "retention",
    "erase",
    "sync",  # login, logout, sync
    "conflicts",
    "backup",  # backup, restore
]
# Commands not named like their module.
OTHER_COMMANDS = {
    "init": "profile",
    "passwd": "profile",
    "demo": "profile",
    "calendar": "school_calendar",
    "login": "sync",
    "logout": "sync",
    "sync": "sync",
    "backup": "backup",  # the module holds restore too
    "restore": "backup",
}


def noun_module(name: str) -> ModuleType:
    return importlib.import_module(f"{__package__}.commands.{name}")


def _wanted_nouns(argv: list[str] | None) -> list[ModuleType]:
    """The noun module a command line names, or all of them (for --help, no
    command or one we do not know: argparse then lists or rejects as usual).

    Building every noun's parser costs more than the rest of a quick command
    after unlocking (argparse looks up a translation for each help string), so
    `waymark settings` builds (and imports) only its own."""
    command = None
    words = iter(argv or ())
    for word in words:
        if word == "--data-dir":
            next(words, None)
        elif not word.startswith("-"):
            command = word
            break
    name = OTHER_COMMANDS.get(command, command)
    if name in NOUNS:
        return [noun_module(name)]
    return [noun_module(noun) for noun in NOUNS]


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The parser: for `argv`'s command only when given one, else for every command."""
    parser = Parser(
        prog="waymark",
        description="Waymark: records of visits, sessions, folders and progress for children out of school. "
        "With no command, opens the desktop app.",
    )
    parser.add_argument("--version", action="version", version=f"waymark {__version__}")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        metavar="DIR",
        help="the profile folder (the one holding waymark.db); default: $WAYMARK_DATA_DIR, which names "
        "the same folder, else the platform's data folder + /profile",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for noun in _wanted_nouns(argv):
        noun.register(sub)
    finish_help(parser)
    return parser


def run(args: argparse.Namespace) -> int:
    data_dir = profile_dir(args.data_dir)
    out = Output(getattr(args, "json", False))
    if args.command is None:
        return noun_module("app").launch(args, data_dir, out)
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
    try:
        try:
            return _main(argv)
        finally:
            sys.stdout.flush()  # here, where a closed pipe can be met quietly; not at exit
    except BrokenPipeError:
        return _reader_gone()


def _main(argv: list[str] | None) -> int:
    from desktop import logs

    logs.setup()  # warnings go to the private log, not between the lines a script reads
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(argv)
    for arg in argv:
        # argparse drops a '--' given as --option=--, leaving the option an empty list (found by fuzzing)
        if arg.startswith("--") and arg.partition("=")[2] == "--":
            parser.error(f"{arg.partition('=')[0]}: '--' is not a value it takes")
    args = parser.parse_args(argv)
    try:
        return run(args)
    except BrokenPipeError:
        raise  # the reader has gone (`waymark pupil list | head`): not an error to report
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


def _reader_gone() -> int:
    """Stop quietly when the output's reader has gone, as Unix tools do. As the
    Python docs advise (signal module, "Note on SIGPIPE"), stdout is pointed at
    devnull so the flush at exit cannot fail again; the status is the one a shell
    reports for a tool ended by SIGPIPE."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return 128 + signal.SIGPIPE


def _log_unexpected(exc: Exception) -> Path | None:
    from desktop import logs  # the log keeps exception types and code locations, never record contents

    return logs.log_unexpected(exc)
