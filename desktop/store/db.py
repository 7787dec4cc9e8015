"""The encrypted store: one SQLCipher 4 database per profile.

A profile directory holds `waymark.db` (SQLCipher, WAL, synchronous=FULL) and
`waymark.key` (the database key wrapped by the passphrase; see keys.py).
Every write goes through `Store.transaction()`, which commits the change, its
sync outbox entries and its audit event together, or none of them.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, nullcontext, suppress
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import sqlcipher3
import sqlcipher3.dbapi2

from sync.protocol.clock import TIME_FORMAT, Stamp, format_stamp, parse_stamp, tick

from . import keys, profile
from .keys import NotAStore, StoreError, WrongPassphrase
from .mapping import COLLECTIONS, TABLES, Children, Link, column_fields, from_row, to_row
from .migrations import LATEST, migrate
from .reads import TableReader

__all__ = ["NotAStore", "Store", "StoreError", "WrongPassphrase", "new_id"]

log = logging.getLogger(__name__)

DB_NAME = profile.DB_NAME
KEY_NAME = profile.KEY_NAME
PLAIN_SQLITE_HEADER = b"SQLite format 3\x00"


def new_id() -> str:
    return str(_uuid7()())


@cache
def _uuid7() -> Callable[[], object]:
    # uuid6 reads its own package metadata when imported (about 0.05 s): a
    # command that makes no record should not pay for it.
    from uuid6 import uuid7

    return uuid7


class _NotLoaded(Exception):
    """Stands in for SQLAlchemy's DBAPIError until SQLAlchemy is imported."""


# SQLAlchemy takes longer to import than a command such as `waymark settings`
# takes to do everything else after the key derivation, so it is imported when
# the first query needs the engine (Store.engine calls _import_sqlalchemy, which
# binds these names); settings, the schema version and closing use the driver.
DBAPIError: type[Exception] = _NotLoaded
_sqlalchemy_lock = threading.Lock()


def _import_sqlalchemy() -> None:
    global DBAPIError, Engine, MetaData, Table, create_engine, delete, event, func, insert, select, update, QueuePool
    global audit_trail  # written with SQLAlchemy too
    with _sqlalchemy_lock:
        if DBAPIError is not _NotLoaded:
            return
        from sqlalchemy import Engine, MetaData, Table, create_engine, delete, event, func, insert, select, update
        from sqlalchemy.exc import DBAPIError
        from sqlalchemy.pool import QueuePool

        from . import audit as audit_trail


class Clock:
    """Change stamps on a hybrid logical clock: ISO UTC time, a counter and the
    device. Stamps from one device always sort in the order the changes were
    made, and after `observe()` they sort after every stamp seen from the server."""

    def __init__(self, device: str) -> None:
        self.device = device
        self._time = ""
        self._counter = 0
        self._lock = threading.Lock()

    def now(self) -> str:
        with self._lock:
            wall = datetime.now(UTC).strftime(TIME_FORMAT)
            if wall > self._time:
                self._time, self._counter = wall, 0
            else:
                self._time, self._counter, _ = tick(self._time, self._counter, self.device)
            return format_stamp(Stamp(self._time, self._counter, self.device))

    def observe(self, stamp: str) -> None:
        """Never stamp a change below one already seen (a server clock ahead of ours)."""
        seen = parse_stamp(stamp)
        with self._lock:
            if (seen.time, seen.counter) > (self._time, self._counter):
                self._time, self._counter = seen.time, seen.counter


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


class Store:
    """Owns the engine. Safe to call from any thread: each call takes its own
    pooled connection, and SQLite serialises the writers."""

    def __init__(
        self,
        creator: Callable[[], sqlcipher3.Connection],
        device: str,
        path: Path | None,
        conn: sqlcipher3.Connection | None = None,
    ) -> None:
        self._creator = creator
        # Each thread reads through its own driver connection (the opening one is
        # the opening thread's): settings, closing and find() need no SQLAlchemy.
        self._local = threading.local()
        self._local.conn = conn
        self._driver_conns = [conn] if conn is not None else []
        self._driver_lock = threading.Lock()
        self._readers: dict[type | str, TableReader] = {}
        self._inserts: dict[tuple, str] = {}  # (table, columns) -> INSERT, see Transaction._insert_row
        self._engine: Engine | None = None  # made on first query, with the tables
        self._meta: MetaData | None = None
        self._lazy_lock = threading.RLock()
        self.clock = Clock(device)
        self.device = device
        self.path = path
        self._db_key: bytes | None = None

    # --- opening ------------------------------------------------------------

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
        finish: Callable[[Store], None] | None = None,
    ) -> Store:
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
    def open(cls, data_dir: Path, passphrase: str, *, scrypt_n: int | None = None) -> Store:
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
    def open_with_key(cls, data_dir: Path, db_key: bytes) -> Store:
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
    def open_plain(cls, db_path: Path) -> Store:
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
    ) -> Store:
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
        if seen:
            store.clock.observe(json.loads(seen[0]))  # the newest server stamp applied here (sync_port.py)
        store._db_key = db_key  # for backups: a copy keyed like the store
        return store

    def _make_engine(self) -> Engine:
        _import_sqlalchemy()
        engine = create_engine(
            "sqlite://",
            module=sqlcipher3.dbapi2,
            creator=self._creator,
            poolclass=QueuePool,
            pool_size=4,
            max_overflow=4,
        )

        # Let SQLAlchemy, not the driver, decide when transactions begin (the
        # documented recipe for pysqlite), so BEGIN IMMEDIATE takes the write lock.
        @event.listens_for(engine, "begin")
        def _begin(connection) -> None:
            connection.exec_driver_sql("BEGIN IMMEDIATE" if connection.info.get("write") else "BEGIN")

        return engine

    @property
    def engine(self) -> Engine:
        """SQLAlchemy's engine, made (and SQLAlchemy imported) on first use."""
        if self._engine is None:
            with self._lazy_lock:
                if self._engine is None:
                    self._engine = self._make_engine()
        return self._engine

    @property
    def tables(self):
        """The tables by name, built on first use from the schema the file holds
        (schema.tables_for: cheaper than reflection, and cached per schema)."""
        return self._metadata().tables

    @property
    def insert_order(self) -> list[str]:
        """Table names, parents before children."""
        return [t.name for t in self._metadata().sorted_tables]

    def _metadata(self) -> MetaData:
        if self._meta is None:
            _import_sqlalchemy()
            from .schema import describe, tables_for

            with self._lazy_lock:
                if self._meta is None:
                    with self._driver() as conn:
                        self._meta = tables_for(describe(conn))
        return self._meta

    def _connection(self) -> sqlcipher3.Connection:
        """This thread's connection, straight through the driver (made on first use),
        or the one its batch() is writing through."""
        batch = getattr(self._local, "batch", None)
        if batch is not None:
            return batch.connection.driver_connection
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self._creator()
            with self._driver_lock:
                self._driver_conns.append(conn)
        return conn

    @contextmanager
    def _driver(self) -> Iterator[sqlcipher3.Connection]:
        try:
            yield self._connection()
        except sqlcipher3.DatabaseError as exc:
            if _is_damage(exc):
                raise _damaged(self.path) from exc
            raise

    def close(self) -> None:
        """Fold the journal into the store and let go of the files. Never raises: a
        failed checkpoint loses nothing (the next open folds it), and an error here
        must not hide the result of the work just done."""
        try:
            if self._engine is not None:
                self._engine.dispose()
            with self._driver() as conn:
                # Not the 10 s busy wait: another process writing just means a later checkpoint.
                conn.execute("PRAGMA busy_timeout = 0")
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        except (StoreError, sqlcipher3.Error, DBAPIError) as exc:
            log.warning("The journal was not checkpointed at close (%s).", exc.__class__.__name__)
        finally:
            with self._driver_lock:
                for conn in self._driver_conns:
                    with suppress(sqlcipher3.Error):
                        conn.close()
                self._driver_conns.clear()
                self._local = threading.local()

    def copy_to(self, target: sqlcipher3.Connection) -> None:
        """SQLite's online backup of the whole store into `target` (keyed alike), in one
        step under one read lock: a consistent copy however much another process writes."""
        with self._driver() as conn:
            conn.backup(target, pages=-1)

    def schema_version(self) -> int:
        with self._driver() as conn:
            return conn.execute("PRAGMA user_version").fetchall()[0][0]

    def change_passphrase(self, old: str, new: str, *, scrypt_n: int | None = None) -> None:
        """Re-wrap the same database key under a new passphrase."""
        if not new:
            raise StoreError("The new passphrase must not be empty.")
        key_path = self.path.with_name(KEY_NAME)
        db_key = keys.unwrap_key(keys.read_keyfile(key_path), old)
        keys.write_keyfile(key_path, keys.wrap_key(db_key, new, scrypt_n))

    # --- settings -------------------------------------------------------------

    def get_setting(self, key: str, default: object = None) -> object:
        with self._driver() as conn:
            found = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchall()
        return default if not found else json.loads(found[0][0])

    def created_at(self) -> datetime | None:
        """When the profile was made (stored as plain text, not JSON like the settings)."""
        with self._driver() as conn:
            found = conn.execute("SELECT value FROM meta WHERE key = 'created_at'").fetchall()
        try:
            return datetime.fromisoformat(found[0][0]) if found else None
        except ValueError:
            return None

    def set_setting(self, key: str, value: object) -> None:
        with self._driver() as conn:  # one statement: atomic on its own
            conn.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, json.dumps(value)),
            )

    # --- writing --------------------------------------------------------------

    def record_event(self, actor: str, action: str, entity: str, entity_id: str = "", summary: str = "") -> None:
        """See _record_event; a failure is said in one line, as a transaction's is."""
        try:
            self._record_event(actor, action, entity, entity_id, summary)
        except sqlcipher3.DatabaseError as exc:
            if _is_damage(exc):
                raise _damaged(self.path) from exc
            if _readonly(exc):
                raise StoreError(
                    f"The profile's files in {self.path.parent if self.path else ''} are read-only "
                    "(check their permissions); nothing was changed."
                ) from exc
            raise StoreError(f"The change was not saved: {exc}") from exc

    def _record_event(self, actor: str, action: str, entity: str, entity_id: str = "", summary: str = "") -> None:
        """Append an event that changes no record and concerns no pupil (sign-in,
        lock) to the chained trail, in its own write transaction, through the
        driver: every command opens the profile, and writing its sign-in should
        not import SQLAlchemy. The row is the one `Transaction.audit` would write
        (tests/store/test_events.py compares them)."""
        from . import audit

        conn = self._connection()
        nested = conn.in_transaction  # inside batch(): already holding the write lock
        conn.execute("SAVEPOINT event" if nested else "BEGIN IMMEDIATE")  # the lock: the chain's head is race-free
        try:
            found = conn.execute("SELECT seq, hash FROM audit_event ORDER BY seq DESC LIMIT 1").fetchall()
            seq, prev = found[0] if found else (0, audit.GENESIS)
            row = audit.make_row(
                seq=seq + 1,
                prev_hash=prev,
                event_id=new_id(),
                at=datetime.now(UTC).replace(tzinfo=None),
                actor=actor,
                action=action,
                entity=entity,
                entity_id=entity_id,
                summary=summary[:500],
                pupil_ids=[],
                changes={},
            )
            stored = {name: _as_stored(value) for name, value in row.items()}
            conn.execute(
                f"INSERT INTO audit_event ({', '.join(stored)}) VALUES ({', '.join('?' * len(stored))})",
                list(stored.values()),
            )
            conn.execute("RELEASE event" if nested else "COMMIT")
        except BaseException:
            conn.execute("ROLLBACK TO event" if nested else "ROLLBACK")
            if nested:
                conn.execute("RELEASE event")
            raise

    @contextmanager
    def _begin_write(self) -> Iterator:
        with self.engine.connect() as conn:
            conn.info["write"] = True
            try:
                with conn.begin():
                    yield conn
            except (DBAPIError, sqlcipher3.DatabaseError) as exc:
                if _is_damage(exc):
                    raise _damaged(self.path) from exc
                raise
            finally:
                conn.info["write"] = False

    @contextmanager
    def transaction(self, actor: str) -> Iterator[Transaction]:
        """All writes, their outbox entries and audit events commit together."""
        batch = getattr(self._local, "batch", None)
        try:
            if batch is not None:  # inside batch(): a savepoint of the one transaction
                with batch.begin_nested():
                    yield Transaction(self, batch, actor)
                return
            with self._begin_write() as conn:
                yield Transaction(self, conn, actor)
        except (DBAPIError, sqlcipher3.DatabaseError) as exc:  # through SQLAlchemy, or the driver (_insert_row)
            if _readonly(exc):
                raise StoreError(
                    f"The change was not saved: the profile's files in {self.path.parent if self.path else ''} "
                    "are read-only (check their permissions)."
                ) from exc
            raise StoreError(f"The change was not saved: {getattr(exc, 'orig', exc)}") from exc

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Every transaction this thread opens inside joins one, committed at the
        end (each keeps its own savepoint, so a refused change still undoes only
        itself); reads on this thread see what it wrote. For filling a profile
        with hundreds of records (the demo), where a commit each, and so a disk
        flush each, took nearly all the time. All of it is kept, or none."""
        if getattr(self._local, "batch", None) is not None:
            yield
            return
        with self._begin_write() as conn:
            self._local.batch = conn
            try:
                yield
            finally:
                self._local.batch = None

    # --- reading --------------------------------------------------------------

    @contextmanager
    def reading(self) -> Iterator:
        try:
            with self.engine.connect() as conn:
                yield conn
        except (DBAPIError, sqlcipher3.DatabaseError) as exc:
            if _is_damage(exc):
                raise _damaged(self.path) from exc
            raise

    def table(self, cls_or_name: type | str) -> Table:
        name = cls_or_name if isinstance(cls_or_name, str) else TABLES[cls_or_name]
        return self.tables[name]

    def get(self, cls: type, record_id: str, conn=None) -> object | None:
        found = self.find(cls, conn=conn, id=record_id)
        return found[0] if found else None

    def find(
        self, cls: type, *, conn=None, order_by: Sequence[str] = (), where=None, limit: int | None = None, **equals
    ) -> list:
        """Live records of `cls` whose columns equal the keyword values (a list:
        any of them; None: no value), ordered by `order_by` ("-name" descending).
        `where(table)` adds a SQLAlchemy condition; without one, the SQL is
        written once per shape and run on the driver (see reads.py)."""
        if where is not None:
            return self._find_where(cls, conn, order_by, where, limit, equals)
        reader = self._readers.get(cls) or self.reader(cls)
        sql, params = reader.sql(equals, order_by, limit)
        if conn is None and cls not in COLLECTIONS:  # one statement: no transaction needed
            return reader.records(self._connection().execute(sql, params))
        with self._raw(conn, snapshot=True) as raw:
            return self._load(cls, raw, reader.records(raw.execute(sql, params)))

    def _find_where(self, cls: type, conn, order_by: Sequence[str], where, limit: int | None, equals: dict) -> list:
        table = self.table(cls)
        stmt = select(table).where(table.c.deleted.is_(False))
        for name, value in equals.items():
            column = table.c[name]
            stmt = stmt.where(column.in_(value) if isinstance(value, (list, tuple, set)) else column == value)
        stmt = stmt.where(where(table))
        for name in order_by:
            stmt = stmt.order_by(table.c[name.lstrip("-")].desc() if name.startswith("-") else table.c[name])
        if limit is not None:
            stmt = stmt.limit(limit)
        with self.reading() if conn is None else nullcontext(conn) as conn:
            records = [from_row(cls, row) for row in conn.execute(stmt).mappings().all()]
            with self._raw(conn) as raw:
                return self._load(cls, raw, records)

    def reader(self, cls_or_name: type | str) -> TableReader:
        """The prepared reads of a record's table (or a link table, by name)."""
        reader = self._readers.get(cls_or_name)
        if reader is None:
            cls = None if isinstance(cls_or_name, str) else cls_or_name
            reader = TableReader(self.table(cls_or_name), self.engine.dialect, cls)
            self._readers[cls_or_name] = reader
        return reader

    @contextmanager
    def _raw(self, conn=None, *, snapshot: bool = False) -> Iterator[sqlcipher3.Connection]:
        """The driver connection under `conn` (a SQLAlchemy connection, in its
        transaction), or else this thread's own; `snapshot` reads in one
        transaction (a record and its collections)."""
        if conn is not None:
            if not conn.in_transaction():
                conn.begin()  # as SQLAlchemy's own first execute would: later reads share a snapshot
            yield conn.connection.driver_connection
            return
        raw = self._connection()
        if not snapshot or raw.in_transaction:  # already in one (see snapshot)
            yield raw
        else:
            raw.execute("BEGIN")
            try:
                yield raw
            finally:
                raw.execute("COMMIT")

    @contextmanager
    def snapshot(self) -> Iterator[sqlcipher3.Connection]:
        """This thread's driver connection inside one read transaction, for the
        hand-written SQL of the hot paths (queries.py): values come back as
        stored; `reader(...).convert` turns them into what records hold."""
        with self._raw(snapshot=True) as raw:
            yield raw

    def rows(self, sql: str, params: Sequence = ()) -> list[tuple]:
        """The rows of one hand-written statement (see snapshot)."""
        return self._connection().execute(sql, params).fetchall()

    def _load(self, cls: type, raw, records: list) -> list:
        """Fill each record's collections: a query per collection, not per record."""
        for name, holder in COLLECTIONS.get(cls, {}).items():
            if not records:
                break
            ids = [rec.id for rec in records]
            by_parent: dict[str, list] = {i: [] for i in ids}
            for chunk in _chunks(ids, 900):
                if isinstance(holder, Link):
                    reader = self.reader(holder.table)
                    sql, params = reader.sql({holder.parent_column: chunk}, ["id"])
                    parent, value = reader.index[holder.parent_column], reader.index[holder.value_column]
                    for row in raw.execute(sql, params):
                        by_parent[row[parent]].append(reader.convert(holder.value_column, row[value]))
                else:
                    reader = self.reader(holder.record)
                    sql, params = reader.sql({holder.parent_column: chunk}, ["id"])
                    for child in reader.records(raw.execute(sql, params)):
                        by_parent[getattr(child, holder.parent_column)].append(child)
            for rec in records:
                setattr(rec, name, by_parent[rec.id])
        return records

    def bulk_load(self, records: Iterable[object], batch: int = 20000) -> int:
        """Insert many records, a batch per transaction, with no outbox entries
        or audit events.

        For data that is not a local change to send: a snapshot pulled from the
        LA server, or a benchmark's generated caseload. Returns rows written.
        """
        stamp = self.clock.now()
        rows: dict[str, list[dict]] = defaultdict(list)
        written = pending = 0

        def flush() -> int:
            with self._begin_write() as conn:
                for table in self.insert_order:
                    if rows.get(table):
                        conn.execute(insert(self.tables[table]), rows[table])
            count = sum(len(v) for v in rows.values())
            rows.clear()
            return count

        for record in records:
            cls = type(record)
            record.id = record.id or new_id()
            rows[TABLES[cls]].append(to_row(record) | {"updated_at": stamp})
            for name, holder in COLLECTIONS.get(cls, {}).items():
                for value in getattr(record, name):
                    if isinstance(holder, Link):
                        copied = {column: getattr(record, f) for column, f in holder.copies}
                        link = {
                            "id": new_id(),
                            "updated_at": stamp,
                            holder.parent_column: record.id,
                            holder.value_column: value,
                        }
                        rows[holder.table].append(link | copied)
                    else:
                        setattr(value, holder.parent_column, record.id)
                        value.id = value.id or new_id()
                        copied = {column: getattr(record, f) for column, f in holder.copies}
                        rows[TABLES[holder.record]].append(to_row(value) | copied | {"updated_at": stamp})
            pending += 1
            if pending >= batch:
                written += flush()
                pending = 0
        return written + flush()

    def forget_outbox(self) -> int:
        """Drop every change waiting to be sent: for records that are not this device's
        work to share (the demo caseload). Returns how many were dropped."""
        with self._driver() as conn:  # one statement; inside batch() it joins the batch's transaction
            return conn.execute("DELETE FROM outbox").rowcount

    def count(self, name: str) -> int:
        with self.reading() as conn:
            return conn.execute(select(func.count()).select_from(self.tables[name])).scalar_one()


def _as_stored(value: object) -> object:
    """A value as SQLAlchemy's SQLite types store it (DATETIME as text to the
    microsecond, JSON as json.dumps, BOOLEAN as 0 or 1)."""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="microseconds")
    if isinstance(value, (list, dict)):
        return json.dumps(value)
    if isinstance(value, bool):
        return int(value)
    return value


def _chunks(items: list, size: int) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


class Transaction:
    """One unit of work. Records are inserted or updated whole; the outbox names
    the fields that changed, so sync can merge field by field."""

    def __init__(self, store: Store, conn, actor: str) -> None:
        self.store, self.conn, self.actor = store, conn, actor
        self.changed: list[tuple[str, str, str]] = []  # (action, entity, id)
        self._head: tuple[int, str] | None = None  # the audit trail's last (seq, hash), read once

    def insert(self, record: object, *, summary: str = "") -> str:
        if not getattr(record, "id", ""):
            record.id = new_id()
        stamp = self.store.clock.now()
        cls = type(record)
        row = to_row(record) | {"updated_at": stamp}
        self._insert_row(self.store.table(cls), row)
        self._outbox(TABLES[cls], record.id, list(column_fields(cls)), stamp)
        for name, holder in COLLECTIONS.get(cls, {}).items():
            self._write_collection(record, holder, getattr(record, name), stamp)
        self._audit("create", TABLES[cls], record.id, summary)
        return record.id

    def update(self, record: object, *, summary: str = "") -> list[str]:
        """Write `record` over its stored version; return the fields that changed."""
        cls = type(record)
        table = self.store.table(cls)
        current = self.conn.execute(select(table).where(table.c.id == record.id)).mappings().first()
        if current is None or current["deleted"]:
            raise StoreError(f"No {TABLES[cls].replace('_', ' ')} with id {record.id}.")
        new_row = to_row(record)
        fields = [k for k, v in new_row.items() if current[k] != v]
        changes = audit_trail.field_changes(TABLES[cls], current, new_row, fields)
        stamp = self.store.clock.now()
        if fields:
            values = {k: new_row[k] for k in fields} | {"updated_at": stamp}
            self.conn.execute(update(table).where(table.c.id == record.id).values(**values))
            self._outbox(TABLES[cls], record.id, fields, stamp)
        for name, holder in COLLECTIONS.get(cls, {}).items():
            if self._replace_collection(record, holder, getattr(record, name), stamp):
                fields.append(name)
            copied = {column: getattr(record, field) for column, field in holder.copies if field in fields}
            if copied:
                rows = self.store.tables[holder.table] if isinstance(holder, Link) else self.store.table(holder.record)
                of_parent = rows.c[holder.parent_column] == record.id
                self.conn.execute(update(rows).where(of_parent).values(**copied, updated_at=stamp))
        changes |= {name: None for name in fields if name not in changes}  # collections: named, not copied
        if fields:
            self._audit("update", TABLES[cls], record.id, summary or ", ".join(fields), changes=changes)
        return fields

    def delete(self, cls: type, record_id: str, *, summary: str = "") -> None:
        """Deletes are tombstones, so other devices learn of them."""
        table = self.store.table(cls)
        stamp = self.store.clock.now()
        result = self.conn.execute(
            update(table)
            .where(table.c.id == record_id, table.c.deleted.is_(False))
            .values(deleted=True, updated_at=stamp)
        )
        if result.rowcount == 0:
            raise StoreError(f"No {TABLES[cls].replace('_', ' ')} with id {record_id}.")
        self._outbox(TABLES[cls], record_id, ["deleted"], stamp)
        self._audit("delete", TABLES[cls], record_id, summary)

    def restore(self, cls: type, record_id: str, *, summary: str = "") -> None:
        """Undo a delete (a conflict resolved by keeping words written on a record deleted elsewhere)."""
        table = self.store.table(cls)
        stamp = self.store.clock.now()
        result = self.conn.execute(
            update(table)
            .where(table.c.id == record_id, table.c.deleted.is_(True))
            .values(deleted=False, updated_at=stamp)
        )
        if result.rowcount:
            self._outbox(TABLES[cls], record_id, ["deleted"], stamp)
            self._audit("restore", TABLES[cls], record_id, summary)

    def audit(
        self,
        action: str,
        entity: str,
        entity_id: str,
        summary: str = "",
        *,
        pupil_ids: list[str] | None = None,
        changes: dict | None = None,
    ) -> None:
        """Record a read of restricted data, a print, a sign-in or another event with
        no row change. `pupil_ids` defaults to the pupils the record belongs to."""
        self._audit(action, entity, entity_id, summary, pupil_ids=pupil_ids, changes=changes)

    def set_meta(self, key: str, value: object) -> None:
        """A profile setting, written in this transaction (so with its audit row)."""
        meta = self.store.tables["meta"]
        self.conn.execute(delete(meta).where(meta.c.key == key))
        self.conn.execute(insert(meta).values(key=key, value=json.dumps(value)))

    # --- internals ---------------------------------------------------------------

    def _write_collection(self, parent: object, holder: Link | Children, values: list, stamp: str) -> None:
        if isinstance(holder, Link):
            table = self.store.tables[holder.table]
            for value in values:
                link_id = new_id()
                copied = {column: getattr(parent, field) for column, field in holder.copies}
                self._insert_row(
                    table,
                    {"id": link_id, "updated_at": stamp, holder.parent_column: parent.id, holder.value_column: value}
                    | copied,
                )
                # Copied columns are derived locally, so they are not sent.
                self._outbox(holder.table, link_id, [holder.parent_column, holder.value_column], stamp)
        elif values:
            # All the children in one statement, and their outbox entries in another:
            # a visit's entries and notes cost two round trips, not two per child.
            copied = {column: getattr(parent, field) for column, field in holder.copies}
            rows = []
            for child in values:
                setattr(child, holder.parent_column, parent.id)
                if not child.id:
                    child.id = new_id()
                rows.append(to_row(child) | copied | {"updated_at": stamp})
            self._insert_rows(self.store.table(holder.record), rows)
            fields = list(column_fields(holder.record))
            entity = TABLES[holder.record]
            self._insert_rows(
                self.store.tables["outbox"],
                [
                    {"id": new_id(), "entity": entity, "entity_id": child.id, "fields": fields, "changed_at": stamp}
                    for child in values
                ],
            )

    def _replace_collection(self, parent: object, holder: Link | Children, values: list, stamp: str) -> bool:
        """Bring a collection to `values`: tombstone what went, add what came, update children."""
        if isinstance(holder, Link):
            table = self.store.tables[holder.table]
            rows = self.conn.execute(
                select(table.c.id, table.c[holder.value_column]).where(
                    table.c[holder.parent_column] == parent.id, table.c.deleted.is_(False)
                )
            ).all()
            have = {value: link_id for link_id, value in rows}
            gone = [link_id for value, link_id in have.items() if value not in values]
            came = [v for v in values if v not in have]
            for link_id in gone:
                self.conn.execute(update(table).where(table.c.id == link_id).values(deleted=True, updated_at=stamp))
                self._outbox(holder.table, link_id, ["deleted"], stamp)
            self._write_collection(parent, holder, came, stamp)
            return bool(gone or came)
        table = self.store.table(holder.record)
        existing = {
            row["id"]: row
            for row in self.conn.execute(
                select(table).where(table.c[holder.parent_column] == parent.id, table.c.deleted.is_(False))
            ).mappings()
        }
        changed = False
        keep = {child.id for child in values if child.id}
        for child_id in existing.keys() - keep:
            self.conn.execute(update(table).where(table.c.id == child_id).values(deleted=True, updated_at=stamp))
            self._outbox(TABLES[holder.record], child_id, ["deleted"], stamp)
            changed = True
        new_children = []
        for child in values:
            setattr(child, holder.parent_column, parent.id)
            if child.id in existing:
                row = to_row(child)
                fields = [k for k, v in row.items() if existing[child.id][k] != v]
                if fields:
                    self.conn.execute(
                        update(table)
                        .where(table.c.id == child.id)
                        .values(**{k: row[k] for k in fields}, updated_at=stamp)
                    )
                    self._outbox(TABLES[holder.record], child.id, fields, stamp)
                    changed = True
            else:
                new_children.append(child)
        if new_children:
            self._write_collection(parent, holder, new_children, stamp)
            changed = True
        return changed

    def _insert_row(self, table: Table, row: dict) -> None:
        self._insert_rows(table, [row])

    def _insert_rows(self, table: Table, rows: list[dict]) -> None:
        """Rows with the same columns, through the driver: SQL written once per
        table and set of columns, values converted by the same SQLAlchemy type
        processors the engine would use (reads.TableReader.param), inside this
        transaction. `insert(t).values(**row)` built, coerced and compiled a
        statement every time: most of a write's cost, and nearly all the demo's."""
        if not rows:
            return
        reader = self.store.reader(table.name)
        key = (table.name, tuple(rows[0]))
        sql = self.store._inserts.get(key)
        if sql is None:
            columns = ", ".join(f'"{name}"' for name in rows[0])
            sql = f'INSERT INTO "{table.name}" ({columns}) VALUES ({", ".join("?" * len(rows[0]))})'
            self.store._inserts[key] = sql
        param = reader.param
        self.conn.connection.driver_connection.executemany(sql, [[param(k, v) for k, v in row.items()] for row in rows])

    def _outbox(self, entity: str, entity_id: str, fields: list[str], stamp: str) -> None:
        self._insert_row(
            self.store.tables["outbox"],
            {"id": new_id(), "entity": entity, "entity_id": entity_id, "fields": fields, "changed_at": stamp},
        )

    def _audit(
        self,
        action: str,
        entity: str,
        entity_id: str,
        summary: str,
        *,
        pupil_ids: list[str] | None = None,
        changes: dict | None = None,
    ) -> None:
        """Append a row to the chained trail (see store/audit.py). Writers hold the
        write lock (BEGIN IMMEDIATE), so reading the head here is race-free."""
        table = self.store.tables["audit_event"]
        if self._head is None:
            self._head = audit_trail.head(self.conn, table)
        if pupil_ids is None:
            pupil_ids = audit_trail.pupils_for(self._query, self._columns, entity, entity_id)
        seq, prev = self._head
        row = audit_trail.make_row(
            seq=seq + 1,
            prev_hash=prev,
            event_id=new_id(),
            at=datetime.now(UTC).replace(tzinfo=None),
            actor=self.actor,
            action=action,
            entity=entity,
            entity_id=entity_id,
            summary=summary[:500],
            pupil_ids=pupil_ids,
            changes=changes or {},
        )
        self._insert_row(table, row)
        self._head = (row["seq"], row["hash"])
        self.changed.append((action, entity, entity_id))

    def _query(self, sql: str, params: Sequence) -> list[tuple]:
        return list(self.conn.exec_driver_sql(sql, tuple(params)).all())

    def _columns(self, table: str) -> set[str]:
        found = self.store.tables.get(table)
        return set(found.c.keys()) if found is not None else set()
