"""A profile's SQLCipher file: connecting with the raw key, the pragmas every
connection gets, and telling a damaged or read-only file from other errors."""

from __future__ import annotations

import os
from pathlib import Path

import sqlcipher3
import sqlcipher3.dbapi2

from .. import profile
from ..keys import NotAStore, StoreError

DB_NAME = profile.DB_NAME
KEY_NAME = profile.KEY_NAME
PLAIN_SQLITE_HEADER = b"SQLite format 3\x00"


def _connect(path: Path, key: bytes | None) -> sqlcipher3.Connection:
    conn = sqlcipher3.connect(str(path), check_same_thread=False, isolation_level=None)
    # SQLCipher writes "ERROR CORE sqlcipher_page_cipher…" to stderr when a page fails its
    # check; the user gets one clear sentence from us instead (and the log has the rest).
    conn.execute("PRAGMA cipher_log_level = NONE")
    if key is not None:
        # A raw 256-bit key: SQLCipher skips its own PBKDF2, ours ran once at unlock.
        conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    conn.execute("PRAGMA busy_timeout = 10000")
    return conn


def _configure(conn: sqlcipher3.Connection) -> None:
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    # Up to 256 MiB of decrypted pages per connection. A page that misses the cache
    # is decrypted and its HMAC checked again on every read, so an LA lead's
    # caseload, summary and records (5,000 pupils, 250,000 visits: a 300 MB file)
    # thrashed in 32 MB. SQLite takes cache pages only as it reads them, so a
    # tutor's few-megabyte profile still costs only its own size.
    conn.execute("PRAGMA cache_size = -262144")


def _damaged(path: Path | None) -> NotAStore:
    where = str(path) if path else "The database"
    return NotAStore(
        f"{where} cannot be read: it is damaged, or it is not this profile's Waymark store. It has been left "
        "untouched. Restore the profile from a backup with 'waymark restore BACKUP_FILE'."
    )


def _is_damage(exc: BaseException) -> bool:
    """A page that fails to decrypt or a malformed file: SQLite's plain DatabaseError
    (its subclasses are a locked file, a broken constraint and the like)."""
    orig = getattr(exc, "orig", exc)
    return type(orig) is sqlcipher3.DatabaseError or type(orig) is sqlcipher3.dbapi2.DatabaseError


def _profile_folder(data_dir: Path) -> None:
    """A profile folder that is a file (or sits under one) is named as the problem."""
    for folder in (data_dir, *data_dir.parents):
        if folder.exists() and not folder.is_dir():
            raise StoreError(f"{folder} is a file, not a folder; choose a folder for the profile (--data-dir).")


def _check_readable(path: Path, conn: sqlcipher3.Connection) -> None:
    """Fail with NotAStore unless the file decrypts, is whole and holds a finished store."""
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        page_size = int(conn.execute("PRAGMA page_size").fetchone()[0])  # SQLCipher answers in text
        page_count = int(conn.execute("PRAGMA page_count").fetchone()[0])
    except sqlcipher3.OperationalError as exc:
        raise _open_error(path, exc) from exc
    except sqlcipher3.DatabaseError as exc:
        raise _damaged(path) from exc
    wal = path.with_name(path.name + "-wal")
    if not wal.exists() and path.stat().st_size < page_size * page_count:
        raise NotAStore(profile.damaged_message(path, "is truncated"))
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        device = conn.execute("SELECT value FROM meta WHERE key = 'device_id'").fetchone() if version else None
    except sqlcipher3.OperationalError:  # no meta table: a schema never finished
        device = None
    if device is None:
        # Opened as it is, it would be silently made into a new, empty store.
        raise NotAStore(profile.damaged_message(path, "holds no Waymark data (it is empty or was never finished)"))


def _open_error(path: Path, exc: sqlcipher3.OperationalError) -> StoreError:
    """A file SQLite could not open or write: say read-only when that is why."""
    if not os.access(path.parent, os.W_OK | os.X_OK):
        return profile.read_only_error(path.parent)
    if _readonly(exc):
        return StoreError(f"{path} is read-only; check the permissions of the profile's files. Nothing was changed.")
    return StoreError(f"{path} could not be opened ({exc}). Nothing was changed.")


def _readonly(exc: BaseException) -> bool:
    orig = getattr(exc, "orig", exc)
    return str(getattr(orig, "sqlite_errorname", "")).startswith("SQLITE_READONLY")
