"""What every part of `Store` builds on: the driver connections (one per thread), the
engine and tables made on first query, closing, and the settings kept in `meta`.

Once closed (the profile locked) a store stays closed: it makes no new connection, so
work still running on another thread (a background sync) gets StoreClosed instead of
quietly reopening the encrypted file with the key it no longer holds.

A connection another thread is using is never closed under it (SQLite would crash the
process mid-statement): closing interrupts its statement (SQLite allows that from any
thread), and the connection is closed on its own thread when it is let go (see close)."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import sqlcipher3
import sqlcipher3.dbapi2

from ..keys import StoreClosed, StoreError
from ..mapping import TABLES
from ..reads import TableReader
from . import sqla
from .clock import Clock
from .files import _damaged, _is_damage

if TYPE_CHECKING:
    from sqlalchemy import Engine, MetaData, Table

log = logging.getLogger(__package__)  # "desktop.store.db", as before the split

CLOSE_WAIT = 2.0  # seconds close() waits for the connections other threads hold to come back, interrupted


class StoreBase:
    """The connections and engine of `Store`; safe to call from any thread."""

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
        self._driver_lock = threading.Lock()  # also guards _closed, _closer and _checked_out
        self._returned = threading.Condition(self._driver_lock)  # a pooled connection came back
        # The pool's connections in use, by id, with the thread using each.
        self._checked_out: dict[int, tuple[sqlcipher3.Connection, int]] = {}
        self._closed = False
        self._closer: int | None = None  # the thread closing the store, while it writes its last row
        self._readers: dict[type | str, TableReader] = {}
        self._inserts: dict[tuple, str] = {}  # (table, columns) -> INSERT, see Transaction._insert_row
        self._engine: Engine | None = None  # made on first query, with the tables
        self._meta: MetaData | None = None
        self._lazy_lock = threading.RLock()
        self.clock = Clock(device)
        self.device = device
        self.path = path
        self._db_key: bytes | None = None

    def _make_engine(self) -> Engine:
        sqla.load()
        engine = sqla.create_engine(
            "sqlite://",
            module=sqlcipher3.dbapi2,
            creator=self._new_connection,
            poolclass=sqla.QueuePool,
            pool_size=4,
            max_overflow=4,
        )

        # The pool's connections in use, so that closing can interrupt those of other threads
        # and wait for them to come back; one given back after the close is closed then, on the
        # thread that used it (its record makes a new one if the closing thread needs one).
        @sqla.event.listens_for(engine, "checkout")
        def _out(dbapi_connection, _record, _proxy) -> None:
            with self._driver_lock:
                if self._refused():
                    raise StoreClosed()
                self._checked_out[id(dbapi_connection)] = (dbapi_connection, threading.get_ident())

        @sqla.event.listens_for(engine, "checkin")
        def _in(dbapi_connection, record) -> None:
            with self._driver_lock:
                self._checked_out.pop(id(dbapi_connection), None)
                self._returned.notify_all()
                closed = self._closed
            if closed and dbapi_connection is not None:
                record.invalidate()  # closes it here, on the thread that was using it

        # Nothing more is read or written through a connection a thread still holds once the
        # store is closed: a transaction not yet committed rolls back (a page with its cursor).
        @sqla.event.listens_for(engine, "before_cursor_execute")
        def _execute(*_args) -> None:
            if self._refused():
                raise StoreClosed()

        @sqla.event.listens_for(engine, "commit")
        def _commit(_connection) -> None:
            if self._refused():
                raise StoreClosed()

        # Let SQLAlchemy, not the driver, decide when transactions begin (the
        # documented recipe for pysqlite), so BEGIN IMMEDIATE takes the write lock.
        @sqla.event.listens_for(engine, "begin")
        def _begin(connection) -> None:
            connection.exec_driver_sql("BEGIN IMMEDIATE" if connection.info.get("write") else "BEGIN")

        return engine

    @property
    def closed(self) -> bool:
        """True once close() has begun: the store makes no new connection."""
        return self._closed

    def _refused(self) -> bool:
        """Closed, for this thread: every thread but the one closing (while it writes its last row)."""
        return self._closed and self._closer != threading.get_ident()

    def _new_connection(self) -> sqlcipher3.Connection:
        """A new driver connection (for a thread, or the pool), never once the store is closed."""
        if self._refused():
            raise StoreClosed()
        conn = self._creator()
        with self._driver_lock:
            closed = self._refused()  # closed while it was being made: it must not outlive the close
        if closed:
            with suppress(sqlcipher3.Error):
                conn.close()
            raise StoreClosed()
        return conn

    @property
    def engine(self) -> Engine:
        """SQLAlchemy's engine, made (and SQLAlchemy imported) on first use. Once the store
        is closed its pool makes no connection (_new_connection refuses)."""
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
            sqla.load()
            from ..schema import describe, tables_for

            with self._lazy_lock:
                if self._meta is None:
                    with self._driver() as conn:
                        self._meta = tables_for(describe(conn))
        return self._meta

    def _connection(self) -> sqlcipher3.Connection:
        """This thread's connection, straight through the driver (made on first use),
        or the one its batch() is writing through."""
        if self._refused():
            raise StoreClosed()
        batch = getattr(self._local, "batch", None)
        if batch is not None:
            return batch.connection.driver_connection
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._new_connection()
            with self._driver_lock:
                if self._refused():
                    with suppress(sqlcipher3.Error):
                        conn.close()
                    raise StoreClosed()
                self._driver_conns.append(conn)
            self._local.conn = conn
        return conn

    @contextmanager
    def _driver(self) -> Iterator[sqlcipher3.Connection]:
        try:
            yield self._connection()
        except sqlcipher3.DatabaseError as exc:
            if _is_damage(exc):
                raise _damaged(self.path) from exc
            if self._refused():  # interrupted by the close
                raise StoreClosed() from exc
            raise

    def close(self, last: Callable[[], None] | None = None) -> None:
        """Let go of the files for good and fold the journal into the store: no connection
        is made again, on any thread, and nothing more is read or written through those
        other threads hold. Their running statements are interrupted (what they had begun
        rolls back) but their connections are never closed under them, which would crash
        the process: a pooled one is closed when given back, a thread's own when its thread
        lets go of it (closing drops the store's references; CPython closes it with the
        last). `last` (the lock's audit row) runs on this thread once no other can write,
        so it is the last row written. Raises only what `last` raises: a failed checkpoint
        loses nothing (the next open folds it). Closing twice does nothing more."""
        me = threading.get_ident()
        with self._driver_lock:
            if self._closed:
                return
            self._closed, self._closer = True, me
            own = getattr(self._local, "conn", None)
            others = [c for c in self._driver_conns if c is not own]
            self._driver_conns = [own] if own is not None else []
            held = [c for c, thread in self._checked_out.values() if thread != me]
            batch = getattr(self._local, "batch", None)
            self._local = threading.local()  # every other thread's connection with it
            self._local.conn, self._local.batch = own, batch
        for held_conn in others + held:
            with suppress(sqlcipher3.Error):
                held_conn.interrupt()
        # The store's last references go: an idle thread's connection closes here, a busy one
        # on its own thread when its statement ends (the interrupted one fails at once).
        others = held = held_conn = None
        with self._returned:
            settled = self._returned.wait_for(
                lambda: all(thread == me for _, thread in self._checked_out.values()), timeout=CLOSE_WAIT
            )
        try:
            if last is not None:
                last()
        finally:
            self._let_go(settled)

    def _let_go(self, settled: bool) -> None:
        """The end of close(): the pool's idle connections and this thread's closed, the
        journal folded in when no other thread still holds a connection, the key dropped."""
        with self._driver_lock:
            self._closer = None
            settled = settled and not self._checked_out
        try:
            if self._engine is not None:
                self._engine.dispose()  # closes those given back; one still out closes when it is
            if not settled:  # a reader still holds the journal: the next open folds it
                log.info("The journal was left for the next open: a connection was still in use at close.")
                return
            own = getattr(self._local, "conn", None)
            conn = own or self._creator()
            if own is None:
                self._driver_conns.append(conn)
            # Not the 10 s busy wait: another process writing just means a later checkpoint;
            # a moment for an interrupted statement on another thread to let go of its snapshot.
            conn.execute("PRAGMA busy_timeout = 250")
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        except (StoreError, sqlcipher3.Error, sqla.DBAPIError) as exc:
            log.warning("The journal was not checkpointed at close (%s).", exc.__class__.__name__)
        finally:
            with self._driver_lock:
                for conn in self._driver_conns:  # this thread's only
                    with suppress(sqlcipher3.Error):
                        conn.close()
                self._driver_conns.clear()
                self._local = threading.local()
            self._creator = _refuse  # the key goes with the connections
            self._db_key = None

    def copy_to(self, target: sqlcipher3.Connection) -> None:
        """SQLite's online backup of the whole store into `target` (keyed alike), in one
        step under one read lock: a consistent copy however much another process writes."""
        with self._driver() as conn:
            conn.backup(target, pages=-1)

    def schema_version(self) -> int:
        with self._driver() as conn:
            return conn.execute("PRAGMA user_version").fetchall()[0][0]

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

    def table(self, cls_or_name: type | str) -> Table:
        name = cls_or_name if isinstance(cls_or_name, str) else TABLES[cls_or_name]
        return self.tables[name]

    def reader(self, cls_or_name: type | str) -> TableReader:
        """The prepared reads of a record's table (or a link table, by name)."""
        reader = self._readers.get(cls_or_name)
        if reader is None:
            cls = None if isinstance(cls_or_name, str) else cls_or_name
            reader = TableReader(self.table(cls_or_name), self.engine.dialect, cls)
            self._readers[cls_or_name] = reader
        return reader


def _refuse() -> sqlcipher3.Connection:
    raise StoreClosed()
