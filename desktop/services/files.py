"""Files Waymark writes for people to keep (reports): atomic and private.

An exported report can carry a UPN, medical needs or an address, so it is
written 0600 (readable by its owner only), from the CLI and from the app's
Save as PDF alike, beside the target and renamed into place, so a failure
never leaves half a file.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

PRIVATE_FILE = 0o600


def write_private(path: Path, data: bytes) -> None:
    """Write `data` to `path` as a 0600 file, atomically. Raises OSError."""
    path = Path(path)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")  # made 0600
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
