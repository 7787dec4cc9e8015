"""The log: what went wrong and where in the code, never whose record.

`waymark.log` (in the platform's log folder: `~/.local/state/waymark/log` on
Linux) is for a support engineer. An exception's message can carry personal
data (SQLAlchemy puts the statement's parameters in it: a UPN, a name), so the
log keeps only each exception's type and the code's file, line and function;
message arguments that are not plain identifiers are dropped. The file is
0600 in a 0700 folder, and rotates at 1 MB (two old files kept).

Imports nothing of the project: the entry points (app, CLI) and the task
runner all use it.
"""

from __future__ import annotations

import contextlib
import logging
import logging.handlers
import os
import re
import sys
import traceback
from pathlib import Path

from platformdirs import user_log_dir

LOG_NAME = "waymark.log"
MAX_BYTES = 1_000_000
BACKUPS = 2
_IDENTIFIER = re.compile(r"^[A-Za-z_][\w.]{0,80}$")


def log_dir() -> Path:
    return Path(user_log_dir("waymark", appauthor=False))


def _module_path(filename: str) -> str:
    """A frame's file as a module path: no home folder, so no user name."""
    parts = Path(filename).parts
    for anchor in ("desktop", "site-packages", "lib"):
        if anchor in parts:
            index = len(parts) - 1 - parts[::-1].index(anchor)
            return "/".join(parts[index + (anchor != "desktop") :])
    return Path(filename).name


def safe_traceback(error: BaseException) -> str:
    """Each exception in the chain: its type (and SQLite's error name, if any), then its frames."""
    lines: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        kind = f"{type(current).__module__}.{type(current).__qualname__}"
        code = getattr(current, "sqlite_errorname", None) or getattr(
            getattr(current, "orig", None), "sqlite_errorname", None
        )
        lines.append(kind + (f" [{code}]" if isinstance(code, str) and _IDENTIFIER.match(code) else ""))
        for frame in traceback.extract_tb(current.__traceback__):
            lines.append(f"  {_module_path(frame.filename)}:{frame.lineno} in {frame.name}")
        current = current.__cause__ or current.__context__
        if current is not None:
            lines.append("while handling, or caused by:")
    return "\n".join(lines)


class SafeFormatter(logging.Formatter):
    """No exception messages, no record contents: types and code locations only."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        record = logging.makeLogRecord(record.__dict__)
        if record.args:
            args = record.args if isinstance(record.args, tuple) else (record.args,)
            record.args = tuple(
                a if isinstance(a, (int, float)) or (isinstance(a, str) and _IDENTIFIER.match(a)) else "…" for a in args
            )
        record.exc_text = None
        return super().format(record)

    def formatException(self, ei) -> str:
        return safe_traceback(ei[1]) if ei and ei[1] is not None else ""

    def formatStack(self, stack_info: str) -> str:
        return ""  # a stack's source lines are code, but keep the log to one kind of entry


class PrivateFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log file created 0600, and put back to 0600 if it was not."""

    def _open(self):
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.fchmod(fd, 0o600)
        return open(fd, self.mode, encoding=self.encoding)


def _private_dir(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(folder, 0o700)
    if folder.parent.name == "waymark":  # ~/.local/state/waymark: nothing of ours to show either
        with contextlib.suppress(OSError):
            os.chmod(folder.parent, 0o700)


def setup() -> Path | None:
    """Send warnings and errors to the private log file (stderr if it cannot be made).
    Returns the file's path, or None when the log goes to stderr."""
    root = logging.getLogger()
    path: Path | None = log_dir() / LOG_NAME
    for handler in root.handlers[:]:
        if isinstance(handler, PrivateFileHandler):
            if Path(handler.baseFilename) == path:
                return path
            root.removeHandler(handler)  # the log folder moved (XDG_STATE_HOME changed): follow it
            handler.close()
    try:
        _private_dir(path.parent)
        handler: logging.Handler = PrivateFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")
    except OSError:
        handler, path = logging.StreamHandler(sys.stderr), None
    handler.setFormatter(SafeFormatter())
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    return path


def log_unexpected(error: BaseException, where: str = "waymark") -> Path | None:
    """Write an unexpected error to the log (safely); return the log file's path."""
    path = setup()
    logging.getLogger(where).error("Unexpected error", exc_info=error)
    return path
