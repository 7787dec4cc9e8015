"""What every command shares: parsing values, the --json option, printing records, the passphrase."""

from __future__ import annotations

import argparse
import dataclasses
import getpass
import json
import os
import re
import sys
import unicodedata
from collections.abc import Callable
from datetime import date, datetime, time
from enum import Enum
from pathlib import Path
from typing import NoReturn

from desktop.domain import dates
from desktop.paths import profile_dir
from desktop.services import Changes, ValidationError


def default_data_dir() -> Path:
    return profile_dir()


class Parser(argparse.ArgumentParser):
    """A usage mistake is one line, as every other error is, and says where the help is."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {one_line(message)} (see '{self.prog} --help')\n")


def finish_help(parser: argparse.ArgumentParser) -> None:
    """What every command's --help should say, added in one place: the choices of an
    option that takes one of a list (see `choice_of`), and a description for every
    command (its one-line help, when it has no longer one)."""
    for action in parser._actions:
        enum = getattr(action.type, "enum", None)
        listed = all(member.value in (action.help or "") for member in enum) if enum is not None else True
        if enum is not None and not listed:
            choices = ", ".join(member.value for member in enum)
            action.help = f"{action.help}; one of: {choices}" if action.help else f"one of: {choices}"
            if action.default is not None and isinstance(action.default, Enum):
                action.help += f" (default: {action.default.value})"
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help for choice in action._choices_actions}
            for name, sub in action.choices.items():
                if sub.description is None and helps.get(name):
                    sub.description = helps[name][0].upper() + helps[name][1:] + "."
                finish_help(sub)


# The options every record command takes: a parent parser (argparse copies its options into each).
COMMON = argparse.ArgumentParser(add_help=False)
COMMON.add_argument("--json", action="store_true", help="print JSON")


# --- parsing values ------------------------------------------------------------


def parse_date(text: str) -> date:
    """A date as the forms take it (domain/dates.py: 22/11/2026, 22 Nov 2026, 2026-11-22, …), or 'today'."""
    if text.strip().lower() == "today":
        return date.today()
    try:
        return dates.parse_date(text)
    except dates.DateTypoError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def parse_time(text: str) -> time:
    for fmt in ("%H:%M", "%H.%M", "%H%M"):
        try:
            return datetime.strptime(text.strip(), fmt).time()
        except ValueError:
            continue
    raise argparse.ArgumentTypeError(f"'{text}' is not a time; write 14:30")


def parse_datetime(text: str) -> datetime:
    try:
        day, clock = text.strip().rsplit(" ", 1)
        return datetime.combine(parse_date(day), parse_time(clock))
    except (ValueError, argparse.ArgumentTypeError):
        raise argparse.ArgumentTypeError(f"'{text}' is not a date and time; write '2026-11-29 10:00'") from None


def choice_of(enum: type[Enum]) -> Callable[[str], Enum]:
    def parse(text: str) -> Enum:
        try:
            return enum.parse(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    parse.__name__ = enum.__name__
    parse.enum = enum  # finish_help lists the choices in --help
    return parse


def split_list(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


# --- output ----------------------------------------------------------------------


def to_jsonable(value: object) -> object:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (date, datetime, time)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    return value


def fmt_date(day: date | None) -> str:
    return dates.format_date(day) if day else "—"  # no %-d: it is not portable


class Output:
    def __init__(self, as_json: bool) -> None:
        self.as_json = as_json

    def emit(self, data: object, text: str | Callable[[], str]) -> None:
        if self.as_json:
            print(_json(data))
        else:
            print(no_escapes(text() if callable(text) else text))

    def table(self, records: list, columns: list[tuple[str, Callable[[object], object]]], data: object = None) -> None:
        if self.as_json:
            print(_json(records if data is None else data))
            return
        if not records:
            print("(none)")
            return
        # A cell is one line of plain text: a record may have come from another laptop or the server.
        rows = [[no_escapes(str(get(r)), lines=False) for _, get in columns] for r in records]
        widths = [max(len(h), *(len(row[i]) for row in rows)) for i, (h, _) in enumerate(columns)]
        print("  ".join(h.ljust(w) for (h, _), w in zip(columns, widths)).rstrip())
        for row in rows:
            print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())


def _json(data: object) -> str:
    """JSON escapes C0 control characters itself; here the C1 ones too (\x9b is a terminal's CSI)
    and the bidirectional controls: the same JSON, safe to print on a terminal."""
    text = json.dumps(to_jsonable(data), ensure_ascii=False, indent=2)
    return _UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def created(out: Output, what: str, changes: Changes, record: object) -> int:
    data = to_jsonable(record) | {"id": changes.id}
    out.emit(data, f"Added {what} {changes.id}")
    return 0


# A terminal's escape sequences (ECMA-48) that start with ESC: CSI (colours, clearing the
# screen, moving the cursor), OSC (a window title, a link), DCS/SOS/PM/APC strings, and the
# two-character ones. Printed as they came they would act on the user's terminal.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # colours, cursor moves, clearing the screen
    r"|\x1b[\]PX^_][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)"  # a title or link: only whole, when ended
    r"|\x1b[ -/]*[0-~]?"
)
# Their 8-bit forms start with a C1 control (U+009B and the like), which is dropped alone as a
# control character: what follows it then starts nothing, and is kept (UTF-8 read as Latin-1
# leaves such characters in real names and notes: "ş" becomes "Å" and U+009F).

# The bidirectional controls: they reorder what follows on the line (a false text made to look true).
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")

_UNSAFE_IN_JSON = re.compile("[\x7f-\x9f" + "".join(sorted(_BIDI)) + "]")


def no_escapes(text: str, *, lines: bool = True) -> str:
    """Text for the terminal: escape sequences and control characters removed (a synced
    record, another laptop's words or the server's may hold them); line breaks and tabs
    kept when `lines`, else every run of white space made one space."""
    text = _ESCAPES.sub("", text)
    if not lines:
        text = " ".join(text.split())
    return "".join(c for c in text if c in "\n\t" or (unicodedata.category(c) not in ("Cc", "Cs") and c not in _BIDI))


def server_words(message: object) -> str:
    """What the server (or a proxy between) said, as one printable line: its words may hold line
    breaks, or escape sequences that would clear the screen or print false text in colour."""
    return no_escapes(str(message), lines=False).strip() or "(the server gave no words a terminal can show)"


def one_line(message: object) -> str:
    """A message as one printable line: a value echoed back (an id, a file name) may hold a
    newline or another control character, which would split an error over lines. A terminal's
    escape sequence (the server's words in a login's refusal) is removed, not shown."""
    text = _ESCAPES.sub("", str(message))
    escaped = "".join(
        c if c == " " or unicodedata.category(c)[0] not in "CZ" else c.encode("unicode_escape").decode("ascii")
        for c in text
    )
    return escaped


# --- the passphrase ----------------------------------------------------------------


def read_passphrase(variable: str, prompt: str, *, confirm: bool = False) -> str:
    value = os.environ.get(variable)
    if value:
        return value
    if not sys.stdin or not sys.stdin.isatty():
        raise ValidationError(f"No passphrase: set {variable} or run in a terminal to be asked.")
    value = getpass.getpass(prompt)
    if confirm and getpass.getpass("Again, to confirm: ") != value:
        raise ValidationError("The two passphrases differ; nothing was changed.")
    return value
