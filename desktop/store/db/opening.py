"""Making, opening and re-keying a profile's store: the file checks that come first,
the migration to today's schema, and the key file."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Self

import sqlcipher3

from .. import keys, profile
from ..keys import NotAStore, StoreError
from ..migrations import LATEST, migrate
from .base import StoreBase, log
from .clock import new_id
from .files import (
    DB_NAME,
    KEY_NAME,
    PLAIN_SQLITE_HEADER,
    _check_readable,
    _configure,
    _connect,
    _damaged,
    _is_damage,
    _open_error,
    _profile_folder,
)


class Opening(StoreBase):
    """Mixed into `Store` (db/store.py); builds on `StoreBase`."""

    @staticmethod
    def files(data_dir: Path) -> tuple[Path, Path]:
        return data_dir / DB_NAME, data_dir / KEY_NAME

    @classmethod
    def exists(cls, data_dir: Path) -> bool:
        data_dir = Path(data_dir)
        return any(p.exists() for p in cls.files(data_dir)) or profile.unfinished(data_dir)

    @classmethod
    def create(
        cls,
        data_dir: Path,
        passphrase: str,
        *,
        scrypt_n: int | None = None,
        progress: Callable[[int, int], None] | None = None,
        settings: dict[str, object] | None = None,
        finish: Callable[[Self], None] | None = None,
    ) -> Self:
        """Make a new profile, with its first `settings`, all or nothing: `finish(store)`
        runs before the profile counts as made (the services write its first audit row).
        `progress(done, total)` after the key is made and after each schema step.

        Refuses a folder that holds a profile. A profile an earlier `create` began
        and never finished (its marker is still there) is cleared away first: it
        holds nothing but what that `create` wrote."""
        data_dir = Path(data_dir)
        _profile_folder(data_dir)
        db_path, key_path = cls.files(data_dir)
        if not passphrase:
            raise StoreError("A passphrase is required.")
        if profile.unfinished(data_dir):
            profile.remove_unfinished(data_dir)
        elif db_path.exists() or key_path.exists():
            raise StoreError(f"A Waymark profile already exists in {data_dir}; it has not been changed.")
        try:
            profile.make_private_dir(data_dir)
            profile.begin_making(data_dir)
        except OSError as exc:
            raise StoreError(f"The profile folder {data_dir} could not be made: {exc.strerror or exc}.") from None
        try:
            db_key = keys.new_db_key()
            keys.write_keyfile(key_path, keys.wrap_key(db_key, passphrase, scrypt_n))
            total = LATEST + 1
            if progress is not None:
                progress(1, total)
            steps = (lambda version, _target: progress(1 + version, total)) if progress is not None else None
            profile.create_private_file(db_path)  # 0600 before SQLite writes a byte; -wal and -shm follow it
            store = cls._open_file(db_path, db_key, creating=True, on_step=steps, settings=settings or {})
            if finish is not None:
                try:
                    finish(store)
                except BaseException:
                    store.close()
                    raise
        except BaseException as exc:
            profile.remove_unfinished(data_dir)
            if isinstance(exc, OSError):
                raise StoreError(f"Cannot make a profile in {data_dir}: {exc.strerror or exc}.") from None
            raise
        profile.finish_making(data_dir)
        return store

    @classmethod
    def open(cls, data_dir: Path, passphrase: str, *, scrypt_n: int | None = None) -> Self:
        """Unlock a profile. A key file weaker than `scrypt_n` (default: today's cost)
        is re-wrapped at that cost once the store has opened."""
        data_dir = Path(data_dir)
        db_path, key_path = cls._checked_files(data_dir)
        key_text = keys.read_keyfile_text(key_path)
        wrapped = keys.WrappedKey.from_json(key_text)
        db_key = keys.unwrap_key(wrapped, passphrase)
        store = cls._open_file(db_path, db_key, creating=False)
        target = scrypt_n or keys.target_scrypt_n()
        if keys.needs_rewrap(wrapped, key_text, target):
            try:
                keys.write_keyfile(key_path, keys.wrap_key(db_key, passphrase, target))
            except OSError as exc:  # the store is open; the stronger key file waits for the next unlock
                log.warning("The key file could not be re-wrapped (%s).", exc.__class__.__name__)
        profile.tighten(data_dir)
        return store

    @classmethod
    def open_with_key(cls, data_dir: Path, db_key: bytes) -> Self:
        """Open with the database key itself (kept by the OS keyring, keycache.py):
        a wrong key fails as any foreign file does, with NotAStore, nothing written."""
        data_dir = Path(data_dir)
        db_path, _key_path = cls._checked_files(data_dir)
        store = cls._open_file(db_path, db_key, creating=False)
        profile.tighten(data_dir)
        return store

    @classmethod
    def _checked_files(cls, data_dir: Path) -> tuple[Path, Path]:
        """The profile's two files, once nothing about them forbids opening the store."""
        _profile_folder(data_dir)
        db_path, key_path = cls.files(data_dir)
        if profile.unfinished(data_dir):
            raise NotAStore(
                f"The profile in {data_dir} was never finished ('waymark init' stopped part-way). "
                "Run 'waymark init' again to make it afresh; nothing was changed."
            )
        if not db_path.exists() and not key_path.exists():
            raise StoreError(f"There is no Waymark profile in {data_dir}. Run 'waymark init' to make one.")
        if not db_path.exists():
            raise NotAStore(f"{db_path} is missing; the key file was left untouched.")
        if not key_path.exists():
            raise NotAStore(f"{key_path} is missing, so {db_path} cannot be unlocked. Nothing was changed.")
        profile.check_writable(data_dir)
        profile.check_db_file(db_path)
        try:
            with open(db_path, "rb") as fh:
                header = fh.read(16)
        except OSError as exc:
            raise StoreError(f"{db_path} cannot be read ({exc.strerror}). Nothing was changed.") from None
        if header == PLAIN_SQLITE_HEADER:
            raise NotAStore(f"{db_path} is an unencrypted SQLite file, not a Waymark store. Nothing was changed.")
        return db_path, key_path

    @classmethod
    def open_plain(cls, db_path: Path) -> Self:
        """An unencrypted store, for the benchmark's baseline only."""
        return cls._open_file(Path(db_path), None, creating=not Path(db_path).exists())

    @classmethod
    def _open_file(
        cls,
        db_path: Path,
        db_key: bytes | None,
        *,
        creating: bool,
        on_step: Callable[[int, int], None] | None = None,
        settings: dict[str, object] | None = None,
    ) -> Self:
        conn = _connect(db_path, db_key)
        try:
            if not creating:
                _check_readable(db_path, conn)
            try:
                _configure(conn)
                migrate(conn, on_step=on_step)
            except RuntimeError as exc:
                raise StoreError(str(exc)) from exc
            except sqlcipher3.OperationalError as exc:
                raise _open_error(db_path, exc) from exc
            except sqlcipher3.DatabaseError as exc:
                raise NotAStore(profile.damaged_message(db_path, "could not be upgraded")) from exc
            if creating:
                rows = [("device_id", new_id()), ("created_at", datetime.now(UTC).isoformat())]
                rows += [(key, json.dumps(value)) for key, value in (settings or {}).items()]
                conn.execute("BEGIN IMMEDIATE")
                conn.executemany("INSERT INTO meta VALUES (?, ?)", rows)
                conn.execute("COMMIT")
            device = conn.execute("SELECT value FROM meta WHERE key = 'device_id'").fetchone()[0]
            seen = conn.execute("SELECT value FROM meta WHERE key = 'sync_clock'").fetchone()
        except sqlcipher3.DatabaseError as exc:
            conn.close()
            if _is_damage(exc):  # a page past the first that fails its check
                raise _damaged(db_path) from exc
            raise
        except BaseException:
            conn.close()
            raise

        def creator() -> sqlcipher3.Connection:
            c = _connect(db_path, db_key)
            _configure(c)
            return c

        # The opening connection stays open for settings and closing (see _driver).
        store = cls(creator, device, db_path, conn)
        if seen:  # the newest server stamp applied here (sync_port/); one unreadable or absurd is not believed
            with contextlib.suppress(ValueError, TypeError):
                store.clock.observe(json.loads(seen[0]))
        store._db_key = db_key  # for backups: a copy keyed like the store
        return store

    def change_passphrase(self, old: str, new: str, *, scrypt_n: int | None = None) -> None:
        """Re-wrap the same database key under a new passphrase."""
        if not new:
            raise StoreError("The new passphrase must not be empty.")
        key_path = self.path.with_name(KEY_NAME)
        db_key = keys.unwrap_key(keys.read_keyfile(key_path), old)
        keys.write_keyfile(key_path, keys.wrap_key(db_key, new, scrypt_n))
