"""Files Waymark writes for people to keep (reports): atomic and private.

An exported report can carry a UPN, medical needs or an address, so it is
written 0600 (readable by its owner only), from the CLI and from the app's
Save as PDF alike, beside the target and renamed into place, so a failure
(a full disk, a pulled USB stick) never leaves half a file, and a file of the
same name already there is left as it was.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

PRIVATE_FILE = 0o600

# Why a file could not be written, in words a teacher understands (after "because ").
_WHY = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk is full (your share of it is used up)",
    errno.EROFS: "that place cannot be written to (it is read-only)",
    errno.EACCES: "you do not have permission to write there",
    errno.EPERM: "you do not have permission to write there",
    errno.ENOENT: "that folder does not exist",
}


FULL = frozenset({errno.ENOSPC, errno.EDQUOT})  # errors where freeing space is the way out


def why_not_written(exc: OSError) -> str:
    """'the disk is full', 'you do not have permission to write there', …"""
    return _WHY.get(exc.errno, (exc.strerror or "the file could not be written").lower())


def _write_temp(path: Path, data: bytes) -> str:
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")  # made 0600
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    return temp


def write_private(path: Path, data: bytes) -> None:
    """Write `data` to `path` as a 0600 file, atomically. Raises OSError."""
    write_private_all([(Path(path), data)])


def write_private_all(files: Iterable[tuple[Path, bytes]]) -> None:
    """Write several files that belong together (a subject access copy's JSON and PDF):
    every one is written in full beside its target before any is renamed into place,
    so a full disk leaves none of them rather than one. Raises OSError."""
    done: list[tuple[str, Path]] = []
    try:
        for path, data in files:
            path = Path(path)
            done.append((_write_temp(path, data), path))
        for temp, path in done:
            os.replace(temp, path)  # a rename needs no room
    except BaseException:
        for temp, _path in done:
            with contextlib.suppress(OSError):
                os.unlink(temp)
        raise
