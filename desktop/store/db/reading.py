"""Reads: records by column values, their collections a query per collection, and
the driver connection for the hand-written SQL of the hot paths (queries.py)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext

import sqlcipher3

from ..keys import StoreClosed
from ..mapping import COLLECTIONS, Link, from_row
from . import sqla
from .base import StoreBase
from .files import _damaged, _is_damage


class Reading(StoreBase):
    """Mixed into `Store` (db/store.py); builds on `StoreBase`."""

    @contextmanager
    def reading(self) -> Iterator:
        try:
            with self.engine.connect() as conn:
                yield conn
        except (sqla.DBAPIError, sqlcipher3.DatabaseError) as exc:
            if _is_damage(exc):
                raise _damaged(self.path) from exc
            if self._refused():  # interrupted by the close (the profile locked)
                raise StoreClosed() from exc
            raise

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
        stmt = sqla.select(table).where(table.c.deleted.is_(False))
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

    def count(self, name: str) -> int:
        with self.reading() as conn:
            return conn.execute(sqla.select(sqla.func.count()).select_from(self.tables[name])).scalar_one()


def _chunks(items: list, size: int) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
