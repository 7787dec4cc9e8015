"""The write path: transactions (each with its outbox entries and audit event),
batches, events that change no record, and bulk loads with no outbox."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import sqlcipher3

from ..keys import StoreClosed, StoreError
from ..mapping import COLLECTIONS, TABLES, Link, to_row
from . import sqla
from .base import StoreBase
from .clock import new_id
from .files import _damaged, _is_damage, _readonly
from .transaction import Transaction


class Writing(StoreBase):
    """Mixed into `Store` (db/store.py); builds on `StoreBase`."""

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
        from .. import audit

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
            except (sqla.DBAPIError, sqlcipher3.DatabaseError) as exc:
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
        except (sqla.DBAPIError, sqlcipher3.DatabaseError) as exc:  # through SQLAlchemy, or the driver (_insert_row)
            if self._refused():  # interrupted by the close (the profile locked): it all rolled back
                raise StoreClosed() from exc
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
                        conn.execute(sqla.insert(self.tables[table]), rows[table])
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
