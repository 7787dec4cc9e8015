"""Backups of the open profile, restoring one, and the weekly reminder.

The work is in desktop/store/backup.py; here it is put in the services'
terms: one-line errors, the time of the last backup kept in the profile, and
when to remind the user that a week has passed without one.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from desktop.store.backup import BackupInfo, profile_in_use, restore_backup, write_backup

if TYPE_CHECKING:
    from .api import Waymark

REMIND_AFTER = timedelta(days=7)
LAST_BACKUP = "last_backup"

__all__ = ["REMIND_AFTER", "BackupInfo", "backup_reminder", "last_backup", "make_backup", "profile_in_use", "restore"]


def make_backup(app: Waymark, out: Path) -> BackupInfo:
    """An encrypted backup of the open profile at `out`; remembered for the reminder."""
    info = write_backup(app.store, Path(out))
    # A backup holds every record, so it is written to the trail as an export would be.
    with app.store.transaction(app.actor) as tx:
        tx.set_meta(LAST_BACKUP, info.made_at)
        tx.audit("backup", "profile", "", "an encrypted backup of the whole profile", pupil_ids=[])
    return info


def restore(backup: Path, data_dir: Path, passphrase: str, *, replace: bool = False) -> tuple[dict, Path | None]:
    """Put a backup in place of (or where there is no) profile; see store/backup.py.
    The restored profile's trail says so (the trail of the one replaced stays with it)."""
    from .api import Waymark  # the facade opens the restored profile like any other

    manifest, kept = restore_backup(Path(backup), Path(data_dir), passphrase, replace=replace)
    app = Waymark.open_profile(Path(data_dir), passphrase, via="restore")
    try:
        with app.store.transaction(app.actor) as tx:
            summary = f"restored from a backup made {manifest['made_at']}" + (" (replacing a profile)" if kept else "")
            tx.audit("restore", "profile", "", summary, pupil_ids=[])
    finally:
        app.close()
    return manifest, kept


def last_backup(app: Waymark) -> datetime | None:
    value = app.store.get_setting(LAST_BACKUP)
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def backup_reminder(app: Waymark, today: date | None = None) -> str | None:
    """A sentence when a week has passed without a backup (or since the profile was made)."""
    today = today or app.today()
    last = last_backup(app)
    since = last or app.store.created_at() or datetime.now(UTC)
    days = (today - since.date()).days
    if days < REMIND_AFTER.days:
        return None
    if last is None:
        return (
            f"This profile has never been backed up ({days} days since it was made). Back it up now (File → Back up…)."
        )
    return f"The last backup was {days} days ago, on {last:%d %b %Y}. Back up now (File → Back up…)."
