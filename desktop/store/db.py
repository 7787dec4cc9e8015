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
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import sqlcipher3
import sqlcipher3.dbapi2
from sqlalchemy import Engine, MetaData, Table, create_engine, delete, event, func, insert, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import QueuePool
from uuid6 import uuid7

from . import audit as audit_trail
from . import keys, profile
from .keys import NotAStore, StoreError, WrongPassphrase
from .mapping import COLLECTIONS, TABLES, Children, Link, column_fields, from_row, to_row
from .migrations import migrate

__all__ = ["NotAStore", "Store", "StoreError", "WrongPassphrase", "new_id"]

log = logging.getLogger(__name__)

DB_NAME = profile.DB_NAME
KEY_NAME = profile.KEY_NAME
PLAIN_SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 10000


def new_id() -> str:
    return str(uuid7())


class Clock:
    """Monotonic change stamps: ISO UTC time, a counter and the device, so that
    stamps from one device always sort in the order the changes were made."""

    def __init__(self, device: str) -> None:
        self.device = device
        self._last = ""
        self._lock = threading.Lock()

    def now(self) -> str:
        with self._lock:
            stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            base = f"{stamp}-0000-{self.device}"
            if base <= self._last:
                counter = int(self._last.split("-")[3]) + 1 if self._last[:27] == stamp else 1
                stamp = self._last[:27]
                base = f"{stamp}-{counter:04d}-{self.device}"
            self._last = base
            return base


def _connect(path: Path, key: bytes | None) -> sqlcipher3.Connection:
    conn = sqlcipher3.connect(str(path), check_same_thread=False, isolation_level=None)
    # SQLCipher logs a failed page HMAC to stderr: the user gets our one line instead.
    conn.execute("PRAGMA cipher_log_level = NONE")
    if key is not None:
        # A raw 256-bit key: SQLCipher skips its own PBKDF2, ours ran once at unlock.
        conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return conn


def _configure(conn: sqlcipher3.Connection) -> None:
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA cache_size = -32000")


def _check_readable(path: Path, conn: sqlcipher3.Connection) -> None:
    """Fail with NotAStore unless the file decrypts, is whole and holds a finished store."""
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        page_size = int(conn.execute("PRAGMA page_size").fetchone()[0])  # SQLCipher answers in text
        page_count = int(conn.execute("PRAGMA page_count").fetchone()[0])
    except sqlcipher3.OperationalError as exc:
        raise _open_error(path, exc) from exc
    except sqlcipher3.DatabaseError as exc:
        raise NotAStore(
            f"{path} cannot be read: it is damaged, or it is not this profile's Waymark store. "
            "It has been left untouched. Restore the profile from a backup with 'waymark restore BACKUP_FILE'."
        ) from exc
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
    if getattr(exc, "sqlite_errorname", "").startswith("SQLITE_READONLY"):
        return StoreError(f"{path} is read-only; check the permissions of the profile's files. Nothing was changed.")
    return StoreError(f"{path} could not be opened ({exc}). Nothing was changed.")


def _is_damage(orig: BaseException | None) -> bool:
    """SQLITE_CORRUPT and SQLITE_NOTADB come as the bare DatabaseError class; a failed
    page HMAC (a flipped byte anywhere in the file) is one of them."""
    return type(orig) is sqlcipher3.DatabaseError


class Store:
    """Owns the engine. Safe to call from any thread: each call takes its own
    pooled connection, and SQLite serialises the writers."""

    def __init__(self, engine: Engine, meta: MetaData, device: str, path: Path | None) -> None:
        self.engine = engine
        self.tables = meta.tables
        self.insert_order = [t.name for t in meta.sorted_tables]  # parents before children
        self.clock = Clock(device)
        self.device = device
        self.path = path
        self._db_key: bytes | None = None  # for backups: a copy keyed like the store

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
        settings: dict[str, object] | None = None,
        finish: Callable[[Store], None] | None = None,
    ) -> Store:
        """Make a new profile, with its first `settings`, all or nothing: `finish(store)`
        runs before the profile counts as made (the services write its first audit row).

        Refuses a folder that holds a profile. A profile an earlier `create` began
        and never finished (its marker is still there) is cleared away first: it
        holds nothing but what that `create` wrote."""
        data_dir = Path(data_dir)
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
            raise StoreError(f"Cannot make a profile in {data_dir}: {exc.strerror or exc}.") from None
        try:
            db_key = keys.new_db_key()
            keys.write_keyfile(key_path, keys.wrap_key(db_key, passphrase, scrypt_n))
            profile.create_private_file(db_path)  # 0600 before SQLite writes a byte; -wal and -shm follow it
            store = cls._open_file(db_path, db_key, creating=True, settings=settings or {})
            if finish is not None:
                try:
                    finish(store)
                except BaseException:
                    store.engine.dispose()
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
        cls, db_path: Path, db_key: bytes | None, *, creating: bool, settings: dict[str, object] | None = None
    ) -> Store:
        conn = _connect(db_path, db_key)
        try:
            if not creating:
                _check_readable(db_path, conn)
            try:
                _configure(conn)
                migrate(conn)
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
        finally:
            conn.close()

        def creator() -> sqlcipher3.Connection:
            c = _connect(db_path, db_key)
            _configure(c)
            return c

        engine = create_engine(
            "sqlite://", module=sqlcipher3.dbapi2, creator=creator, poolclass=QueuePool, pool_size=4, max_overflow=4
        )

        # Let SQLAlchemy, not the driver, decide when transactions begin (the
        # documented recipe for pysqlite), so BEGIN IMMEDIATE takes the write lock.
        @event.listens_for(engine, "begin")
        def _begin(connection) -> None:
            connection.exec_driver_sql("BEGIN IMMEDIATE" if connection.info.get("write") else "BEGIN")

        # A page that fails its HMAC is found when it is read, long after the
        # open: say the store is damaged and how to restore it, not "DatabaseError".
        @event.listens_for(engine, "handle_error")
        def _damaged(context) -> None:
            if _is_damage(context.original_exception):
                raise NotAStore(profile.damaged_message(db_path, "cannot be read"))

        meta = MetaData()
        meta.reflect(engine)
        store = cls(engine, meta, device, db_path)
        store._db_key = db_key
        return store

    def close(self) -> None:
        """Fold the journal into the store and let go of the files. Never raises: a
        failed checkpoint loses nothing (the next open folds it), and an error here
        must not hide the result of the work just done."""
        try:
            with self.engine.connect() as conn:
                # Not the 10 s busy wait: another process writing just means a later checkpoint.
                conn.exec_driver_sql("PRAGMA busy_timeout = 0")
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        except (DBAPIError, StoreError, sqlcipher3.Error) as exc:
            log.warning("The journal was not checkpointed at close (%s).", exc.__class__.__name__)
        finally:
            self.engine.dispose()

    def schema_version(self) -> int:
        with self.engine.connect() as conn:
            return conn.exec_driver_sql("PRAGMA user_version").scalar_one()

    def change_passphrase(self, old: str, new: str, *, scrypt_n: int | None = None) -> None:
        """Re-wrap the same database key under a new passphrase."""
        if not new:
            raise StoreError("The new passphrase must not be empty.")
        key_path = self.path.with_name(KEY_NAME)
        db_key = keys.unwrap_key(keys.read_keyfile(key_path), old)
        keys.write_keyfile(key_path, keys.wrap_key(db_key, new, scrypt_n))

    # --- settings -------------------------------------------------------------

    def get_setting(self, key: str, default: object = None) -> object:
        with self.engine.connect() as conn:
            value = conn.execute(select(self.tables["meta"].c.value).where(self.tables["meta"].c.key == key)).scalar()
        return default if value is None else json.loads(value)

    def created_at(self) -> datetime | None:
        """When the profile was made (stored as plain text, not JSON like the settings)."""
        with self.engine.connect() as conn:
            value = conn.execute(
                select(self.tables["meta"].c.value).where(self.tables["meta"].c.key == "created_at")
            ).scalar()
        try:
            return datetime.fromisoformat(value) if value else None
        except ValueError:
            return None

    def set_setting(self, key: str, value: object) -> None:
        meta = self.tables["meta"]
        with self._begin_write() as conn:
            conn.execute(delete(meta).where(meta.c.key == key))
            conn.execute(insert(meta).values(key=key, value=json.dumps(value)))

    # --- writing --------------------------------------------------------------

    @contextmanager
    def _begin_write(self) -> Iterator:
        with self.engine.connect() as conn:
            conn.info["write"] = True
            try:
                with conn.begin():
                    yield conn
            finally:
                conn.info["write"] = False

    @contextmanager
    def transaction(self, actor: str) -> Iterator[Transaction]:
        """All writes, their outbox entries and audit events commit together."""
        try:
            with self._begin_write() as conn:
                yield Transaction(self, conn, actor)
        except DBAPIError as exc:
            if getattr(exc.orig, "sqlite_errorname", "").startswith("SQLITE_READONLY"):
                raise StoreError(
                    f"The change was not saved: the profile's files in {self.path.parent if self.path else ''} "
                    "are read-only (check their permissions)."
                ) from exc
            raise StoreError(f"The change was not saved: {exc.orig}") from exc

    # --- reading --------------------------------------------------------------

    @contextmanager
    def reading(self) -> Iterator:
        with self.engine.connect() as conn:
            yield conn

    def table(self, cls_or_name: type | str) -> Table:
        name = cls_or_name if isinstance(cls_or_name, str) else TABLES[cls_or_name]
        return self.tables[name]

    def get(self, cls: type, record_id: str, conn=None) -> object | None:
        found = self.find(cls, conn=conn, id=record_id)
        return found[0] if found else None

    def find(
        self, cls: type, *, conn=None, order_by: Sequence[str] = (), where=None, limit: int | None = None, **equals
    ) -> list:
        """Live records of `cls` whose columns equal the keyword values."""
        table = self.table(cls)
        stmt = select(table).where(table.c.deleted.is_(False))
        for name, value in equals.items():
            column = table.c[name]
            stmt = stmt.where(column.in_(value) if isinstance(value, (list, tuple, set)) else column == value)
        if where is not None:
            stmt = stmt.where(where(table))
        for name in order_by:
            stmt = stmt.order_by(table.c[name.lstrip("-")].desc() if name.startswith("-") else table.c[name])
        if limit is not None:
            stmt = stmt.limit(limit)
        if conn is None:
            with self.reading() as own:
                return self._load(cls, own, own.execute(stmt).mappings().all())
        return self._load(cls, conn, conn.execute(stmt).mappings().all())

    def _load(self, cls: type, conn, rows: list) -> list:
        records = [from_row(cls, row) for row in rows]
        for name, holder in COLLECTIONS.get(cls, {}).items():
            if not records:
                break
            ids = [rec.id for rec in records]
            by_parent: dict[str, list] = {i: [] for i in ids}
            for chunk in _chunks(ids, 900):
                if isinstance(holder, Link):
                    t = self.tables[holder.table]
                    q = (
                        select(t.c[holder.parent_column], t.c[holder.value_column])
                        .where(t.c[holder.parent_column].in_(chunk), t.c.deleted.is_(False))
                        .order_by(t.c.id)
                    )
                    for parent, value in conn.execute(q):
                        by_parent[parent].append(value)
                else:
                    t = self.table(holder.record)
                    q = select(t).where(t.c[holder.parent_column].in_(chunk), t.c.deleted.is_(False)).order_by(t.c.id)
                    for row in conn.execute(q).mappings():
                        by_parent[row[holder.parent_column]].append(from_row(holder.record, row))
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

    def count(self, name: str) -> int:
        with self.reading() as conn:
            return conn.execute(select(func.count()).select_from(self.tables[name])).scalar_one()


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
        self.conn.execute(insert(self.store.table(cls)).values(**row))
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
                self.conn.execute(
                    insert(table).values(
                        id=link_id,
                        updated_at=stamp,
                        **{holder.parent_column: parent.id, holder.value_column: value},
                        **copied,
                    )
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
            self.conn.execute(insert(self.store.table(holder.record)), rows)
            fields = list(column_fields(holder.record))
            entity = TABLES[holder.record]
            self.conn.execute(
                insert(self.store.tables["outbox"]),
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

    def _outbox(self, entity: str, entity_id: str, fields: list[str], stamp: str) -> None:
        self.conn.execute(
            insert(self.store.tables["outbox"]).values(
                id=new_id(), entity=entity, entity_id=entity_id, fields=fields, changed_at=stamp
            )
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
        self.conn.execute(insert(table).values(**row))
        self._head = (row["seq"], row["hash"])
        self.changed.append((action, entity, entity_id))

    def _query(self, sql: str, params: Sequence) -> list[tuple]:
        return list(self.conn.exec_driver_sql(sql, tuple(params)).all())

    def _columns(self, table: str) -> set[str]:
        found = self.store.tables.get(table)
        return set(found.c.keys()) if found is not None else set()
