"""A disk that fills up part-way through a write (ENOSPC), for tests of what a user is
told and what is left behind. The fault is injected at the file object: the bytes that
still fit really reach the disk (so a partial file really exists until it is cleaned
up), then the write fails as a full disk's does. Only files opened in `folder` share
the room; everything else (the profile, the log) writes as usual."""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass, field
from pathlib import Path

_FDOPEN = os.fdopen  # the real one, whatever a test patched before


@dataclass
class Disk:
    room: int
    opened: list[Path] = field(default_factory=list)  # every file written in the folder
    full: list[Path] = field(default_factory=list)  # those the disk ran out on


class _Filling:
    def __init__(self, real, path: Path, disk: Disk) -> None:
        self._real, self._path, self._disk = real, path, disk

    def write(self, data: bytes) -> int:
        part = bytes(data[: max(self._disk.room, 0)])
        self._real.write(part)
        self._real.flush()  # the partial bytes are on disk, as on a real full disk
        self._disk.room -= len(part)
        if len(part) < len(data):
            self._disk.full.append(self._path)
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return len(part)

    def __getattr__(self, name: str):
        return getattr(self._real, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self._real.close()


def fill_disk(monkeypatch, folder: Path, room: int = 1024) -> Disk:
    """From now on, files opened by descriptor in `folder` share `room` bytes, then it is full."""
    folder = Path(folder).resolve()
    disk = Disk(room)

    def fdopen(fd: int, *args, **kwargs):
        opened = _FDOPEN(fd, *args, **kwargs)
        path = Path(os.readlink(f"/proc/self/fd/{fd}"))
        if path.parent != folder:
            return opened
        disk.opened.append(path)
        return _Filling(opened, path, disk)

    monkeypatch.setattr(os, "fdopen", fdopen)
    return disk
