"""Where a profile lives: one rule for the app and the command line.

`--data-dir DIR` and `WAYMARK_DATA_DIR=DIR` both name the profile folder itself
(the one holding waymark.db and waymark.key); with neither, it is the platform's
data folder + /profile (~/.local/share/waymark/profile on Linux).

Before this rule, WAYMARK_DATA_DIR named the folder *above* the profile; a folder
with no profile in it but one in its `profile` subfolder is still followed there,
so a profile made that way is not lost.
"""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_dir

PROFILE_FILES = ("waymark.db", "waymark.key")


def _has_profile(folder: Path) -> bool:
    return any((folder / name).exists() for name in PROFILE_FILES)


def profile_dir(given: Path | str | None = None) -> Path:
    """The profile folder: `given` (--data-dir), else WAYMARK_DATA_DIR, else the default."""
    chosen = given or os.environ.get("WAYMARK_DATA_DIR")
    if not chosen:
        return Path(user_data_dir("waymark", appauthor=False)) / "profile"
    folder = Path(chosen).expanduser()
    older = folder / "profile"
    if folder.is_dir() and not _has_profile(folder) and _has_profile(older):
        return older
    return folder
