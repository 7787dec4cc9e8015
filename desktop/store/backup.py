"""Backups: one file holding an encrypted copy of the store and its key file.

A backup is a zip (stored, not compressed: the contents are ciphertext) of

- `waymark.db`: a copy made with SQLite's online backup API from an open
  store, so it can be made while the app is open and writing; still SQLCipher,
  with the same database key;
- `waymark.key`: the key file as it was, so the copy opens with the
  passphrase in use when it was made;
- `backup.json`: the format, when it was made, the schema version and each
  member's SHA-256 (nothing personal).

Restoring checks all of that and opens the copy with the passphrase before
anything at the destination is touched. A profile already there is never
deleted: it is moved aside to `<folder>.before-restore-<time>`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import sqlcipher3

from . import keys, profile
from .errors import NotAStore, StoreError, WrongPassphrase
from .migrations import LATEST

if TYPE_CHECKING:
    from .db import Store

BACKUP_FORMAT = "waymark-backup/1"
MANIFEST = "backup.json"
MEMBERS = (profile.DB_NAME, profile.KEY_NAME)
MAX_MANIFEST_BYTES = 64 * 1024


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    made_at: str
    schema: int
    size: int


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _connect(path: Path, db_key: bytes) -> sqlcipher3.Connection:
    conn = sqlcipher3.connect(str(path), isolation_level=None)
    conn.execute("PRAGMA cipher_log_level = NONE")
    conn.execute(f"PRAGMA key = \"x'{db_key.hex()}'\"")
    return conn


def write_backup(store: Store, out: Path) -> BackupInfo:
    """Copy the open store and its key file into one backup file at `out` (0600)."""
    if store._db_key is None or store.path is None:
        raise StoreError("Only an encrypted profile can be backed up.")
    out = Path(out).expanduser()
    if out.is_dir():
        raise StoreError(f"{out} is a folder; give a file name such as {out / 'waymark-backup.zip'}.")
    if not out.parent.is_dir():
        raise StoreError(f"Cannot write {out}: the folder {out.parent} does not exist.")
    if out.resolve().parent == store.path.parent.resolve():
        raise StoreError("Keep backups outside the profile folder (better still, on another disk).")
    try:
        work = Path(tempfile.mkdtemp(prefix=".waymark-backup-", dir=out.parent))
    except OSError as exc:
        raise StoreError(f"Cannot write {out}: {exc.strerror or exc}.") from None
    try:
        copy = work / profile.DB_NAME
        profile.create_private_file(copy)
        target = _connect(copy, store._db_key)
        try:
            with store.engine.connect() as conn:
                # One step (pages=-1): the whole store under one read lock, so the copy is
                # consistent however much another process writes meanwhile.
                conn.connection.dbapi_connection.backup(target, pages=-1)
            target.execute("PRAGMA journal_mode = DELETE")  # a single self-contained file
            if target.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise StoreError("The copy did not check out; no backup was written. Try again.")
            schema = target.execute("PRAGMA user_version").fetchone()[0]
        finally:
            target.close()
        key_text = keys.read_keyfile_text(store.path.with_name(profile.KEY_NAME))
        made_at = datetime.now(UTC).isoformat(timespec="seconds")
        manifest = {
            "format": BACKUP_FORMAT,
            "made_at": made_at,
            "schema": schema,
            "sha256": {profile.DB_NAME: _sha256(copy), profile.KEY_NAME: hashlib.sha256(key_text.encode()).hexdigest()},
        }
        staged = work / "backup.zip"
        profile.create_private_file(staged)
        with zipfile.ZipFile(staged, "w", compression=zipfile.ZIP_STORED) as archive:
            archive.writestr(MANIFEST, json.dumps(manifest, indent=2))
            archive.writestr(profile.KEY_NAME, key_text)
            archive.write(copy, profile.DB_NAME)
        with open(staged, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(staged, out)
        profile.fsync_dir(out.parent)
        return BackupInfo(path=out, made_at=made_at, schema=schema, size=out.stat().st_size)
    except OSError as exc:
        raise StoreError(f"Cannot write {out}: {exc.strerror or exc}.") from None
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _not_a_backup(path: Path, why: str) -> NotAStore:
    return NotAStore(f"{path} is not a Waymark backup, or it is damaged ({why}). Nothing was changed.")


def read_manifest(path: Path) -> dict:
    """Open a backup file and check its shape and checksums; the parsed manifest."""
    try:
        archive = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise StoreError(f"There is no file {path}.") from None
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _not_a_backup(path, exc.__class__.__name__) from None
    with archive:
        names = {info.filename: info for info in archive.infolist()}
        if set(names) != {MANIFEST, *MEMBERS}:
            raise _not_a_backup(path, "unexpected contents")
        if any(info.compress_type != zipfile.ZIP_STORED for info in names.values()):
            raise _not_a_backup(path, "unexpected compression")
        if names[MANIFEST].file_size > MAX_MANIFEST_BYTES or names[profile.KEY_NAME].file_size > keys.MAX_KEYFILE_BYTES:
            raise _not_a_backup(path, "a part is too large")
        try:
            manifest = json.loads(archive.read(MANIFEST))
        except (ValueError, zipfile.BadZipFile, OSError) as exc:
            raise _not_a_backup(path, exc.__class__.__name__) from None
        if not isinstance(manifest, dict) or manifest.get("format") != BACKUP_FORMAT:
            raise _not_a_backup(path, "unknown format")
        sums = manifest.get("sha256")
        schema = manifest.get("schema")
        if not isinstance(sums, dict) or type(schema) is not int:
            raise _not_a_backup(path, "incomplete description")
        if schema > LATEST:
            raise StoreError(f"{path} was made by a newer Waymark (schema {schema}); update Waymark to restore it.")
    return manifest


def _extract(path: Path, manifest: dict, into: Path) -> None:
    with zipfile.ZipFile(path) as archive:
        for name in MEMBERS:  # by name only: nothing in the archive chooses where a file goes
            target = into / name
            profile.create_private_file(target)
            digest = hashlib.sha256()
            try:
                with archive.open(name) as src, open(target, "wb") as dst:
                    for block in iter(lambda: src.read(1 << 20), b""):
                        digest.update(block)
                        dst.write(block)
                    dst.flush()
                    os.fsync(dst.fileno())
            except (zipfile.BadZipFile, EOFError, ValueError) as exc:  # cut short, or bytes changed
                raise _not_a_backup(path, exc.__class__.__name__) from None
            if digest.hexdigest() != manifest["sha256"].get(name):
                raise _not_a_backup(path, f"{name} does not match its checksum")


def profile_in_use(data_dir: Path) -> bool:
    """Best effort: does another process have this profile's store open? SQLite holds a
    shared lock on byte 128 of the -shm file while a connection is open (POSIX only)."""
    shm = Path(data_dir) / (profile.DB_NAME + "-shm")
    try:
        import fcntl
    except ImportError:
        return False
    try:
        fd = os.open(shm, os.O_RDWR)
    except OSError:
        return False
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, 128)
    except OSError:
        return True
    else:
        fcntl.lockf(fd, fcntl.LOCK_UN, 1, 128)
        return False
    finally:
        os.close(fd)


def restore_backup(path: Path, data_dir: Path, passphrase: str, *, replace: bool = False) -> tuple[dict, Path | None]:
    """Put the profile in backup `path` at `data_dir`. Returns the manifest and, when a
    profile was there, where it was moved. Checked in full before anything is moved."""
    from .db import Store  # the copy is opened exactly as a profile would be

    path, data_dir = Path(path).expanduser(), Path(data_dir)
    manifest = read_manifest(path)
    present = data_dir.exists() and any(data_dir.iterdir())
    if present and not replace:
        raise StoreError(
            f"There is already a profile in {data_dir}. To replace it with the backup, add --replace "
            "(it is not deleted: it is kept beside it as a .before-restore folder)."
        )
    if present and profile_in_use(data_dir):
        raise StoreError(f"The profile in {data_dir} is open in Waymark; close the app, then restore.")
    parent = data_dir.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{data_dir.name}.restore-", dir=parent))
    except OSError as exc:
        raise StoreError(f"Cannot restore into {parent}: {exc.strerror or exc}.") from None
    try:
        _extract(path, manifest, staging)
        # The copy must open with this passphrase and read whole before it replaces anything.
        try:
            restored = Store.open(staging, passphrase)
        except WrongPassphrase:
            raise WrongPassphrase(
                "Wrong passphrase for this backup: it opens with the passphrase in use when it was made. "
                "Nothing was changed."
            ) from None
        try:
            with restored.reading() as conn:
                if conn.exec_driver_sql("PRAGMA quick_check").scalar() != "ok":
                    raise _not_a_backup(path, "the copied store does not check out")
        finally:
            restored.close()
        moved_to = None
        if present:
            stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
            moved_to = data_dir.with_name(f"{data_dir.name}.before-restore-{stamp}")
            os.replace(data_dir, moved_to)
        elif data_dir.exists():
            data_dir.rmdir()  # an empty folder: the restored one takes its place
        os.replace(staging, data_dir)
        profile.fsync_dir(parent)
        return manifest, moved_to
    except OSError as exc:
        raise StoreError(f"Cannot restore into {data_dir}: {exc.strerror or exc}.") from None
    finally:
        with contextlib.suppress(OSError):
            shutil.rmtree(staging)
