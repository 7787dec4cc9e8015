"""The profile folder on disk: its permissions, a half-made profile, and the
checks made before a store file is opened.

A profile holds children's records, so its folder is 0700 and its files
0600 (SQLite gives the -wal and -shm files the database file's mode). `init`
writes a marker before anything else and removes it last: a profile that
still has the marker was never finished, and only `init` may clear it away.
"""

from __future__ import annotations

import contextlib
import logging
import os
import stat
from pathlib import Path

from .errors import NotAStore, StoreError

log = logging.getLogger(__name__)

DB_NAME = "waymark.db"
KEY_NAME = "waymark.key"
INIT_MARKER = "waymark.init"  # present only while `init` is making the profile
PRIVATE_DIR, PRIVATE_FILE = 0o700, 0o600

# Everything a profile folder may hold; -wal and -shm are SQLite's.
PROFILE_FILES = (DB_NAME, DB_NAME + "-wal", DB_NAME + "-shm", KEY_NAME, KEY_NAME.replace(".key", ".tmp"), INIT_MARKER)


def make_private_dir(folder: Path) -> None:
    """The folder, made if missing, readable by its owner only."""
    folder.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
    os.chmod(folder, PRIVATE_DIR)  # mkdir's mode is filtered by the umask, and the folder may be older


def create_private_file(path: Path) -> None:
    """An empty file only its owner can read; fails if it exists."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))


def tighten(folder: Path) -> None:
    """Take away group and others' access to an older profile (0755 -> 0700, 0644 -> 0600).
    The owner's own bits are kept: a file made read-only stays read-only. Best effort."""
    for path in [folder] + [folder / name for name in PROFILE_FILES]:
        with contextlib.suppress(OSError):
            mode = stat.S_IMODE(path.stat().st_mode)
            if mode & 0o077:
                os.chmod(path, mode & 0o700)


def unfinished(folder: Path) -> bool:
    return (folder / INIT_MARKER).exists()


def begin_making(folder: Path) -> None:
    """Mark the folder as a profile being made, before anything else is written."""
    marker = folder / INIT_MARKER
    fd = os.open(marker, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
    try:
        os.write(fd, b"waymark init in progress\n")
        os.fsync(fd)
    finally:
        os.close(fd)
    fsync_dir(folder)


def finish_making(folder: Path) -> None:
    (folder / INIT_MARKER).unlink()
    fsync_dir(folder)


def remove_unfinished(folder: Path) -> None:
    """Clear away a profile `init` began and never finished: its files only, marker last."""
    for name in PROFILE_FILES:
        if name != INIT_MARKER:
            (folder / name).unlink(missing_ok=True)
    (folder / INIT_MARKER).unlink(missing_ok=True)
    fsync_dir(folder)


def fsync_dir(folder: Path) -> None:
    """Make a file's creation, rename or removal in `folder` durable."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def read_only_error(folder: Path) -> StoreError:
    return StoreError(
        f"The profile folder {folder} is read-only, so Waymark cannot open it (it keeps its journal there). "
        "Check the folder's permissions, or copy it somewhere writable; nothing was changed."
    )


def check_writable(folder: Path) -> None:
    """SQLite writes its -wal and -shm beside the database, even to read."""
    if not os.access(folder, os.W_OK | os.X_OK):
        raise read_only_error(folder)


def damaged_message(path: Path, what: str) -> str:
    return (
        f"{path} {what}: the store is damaged. It has been left untouched. "
        "Restore the profile from a backup with 'waymark restore BACKUP_FILE'."
    )


def check_db_file(path: Path) -> None:
    """Refuse a database file that cannot hold a store, before SQLCipher touches it:
    opened, an empty file would be silently made into a new, empty store."""
    size = path.stat().st_size
    wal = path.with_name(path.name + "-wal")
    if size == 0 and not (wal.exists() and wal.stat().st_size > 0):
        raise NotAStore(damaged_message(path, "is empty (0 bytes)"))
