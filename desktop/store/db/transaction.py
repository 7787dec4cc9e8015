"""`Transaction`: one unit of work, writing records whole with their outbox entries
(the fields that changed) and their audit row."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from ..keys import StoreError
from ..mapping import COLLECTIONS, TABLES, Children, Link, column_fields, to_row
from . import sqla
from .base import StoreBase
from .clock import new_id
from .races import changed_fields, forget_bases

if TYPE_CHECKING:
    from sqlalchemy import Table


class Transaction:
    """One unit of work. Records are inserted or updated whole; the outbox names
    the fields that changed, so sync can merge field by field."""

    def __init__(self, store: StoreBase, conn, actor: str) -> None:
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

    def update(self, record: object, *, summary: str = "", opened: object | None = None) -> list[str]:
        """Write `record` over its stored version; return the fields that changed.

        `opened`: the record as the caller read it (a form as it opened). Then only the
        fields the caller changed from it are written: one someone else changed meanwhile
        (a pull while the form was open) and the caller did not is left as it is now. A
        field changed both here and meanwhile is written as a concurrent edit (races.py),
        so the server keeps both texts rather than taking this one as the later word."""
        cls = type(record)
        table = self.store.table(cls)
        current = self.conn.execute(sqla.select(table).where(table.c.id == record.id)).mappings().first()
        if current is None or current["deleted"]:
            raise StoreError(f"No {TABLES[cls].replace('_', ' ')} with id {record.id}.")
        new_row = to_row(record)
        fields, raced = changed_fields(current, new_row, None if opened is None else to_row(opened))
        changes = sqla.audit_trail.field_changes(TABLES[cls], current, new_row, fields)
        stamp = self.store.clock.now()
        if fields:
            values = {k: new_row[k] for k in fields} | {"updated_at": stamp}
            self.conn.execute(sqla.update(table).where(table.c.id == record.id).values(**values))
            self._outbox(TABLES[cls], record.id, fields, stamp)
            forget_bases(self.conn, self.store.tables, TABLES[cls], record.id, raced)
        for name, holder in COLLECTIONS.get(cls, {}).items():
            was = None if opened is None else getattr(opened, name)
            if self._replace_collection(record, holder, getattr(record, name), stamp, was):
                fields.append(name)
            copied = {column: getattr(record, field) for column, field in holder.copies if field in fields}
            if copied:
                rows = self.store.tables[holder.table] if isinstance(holder, Link) else self.store.table(holder.record)
                of_parent = rows.c[holder.parent_column] == record.id
                self.conn.execute(sqla.update(rows).where(of_parent).values(**copied, updated_at=stamp))
        changes |= {name: None for name in fields if name not in changes}  # collections: named, not copied
        if fields:
            self._audit("update", TABLES[cls], record.id, summary or ", ".join(fields), changes=changes)
        return fields

    def delete(self, cls: type, record_id: str, *, summary: str = "") -> None:
        """Deletes are tombstones, so other devices learn of them."""
        table = self.store.table(cls)
        stamp = self.store.clock.now()
        result = self.conn.execute(
            sqla.update(table)
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
            sqla.update(table)
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
        self.conn.execute(sqla.delete(meta).where(meta.c.key == key))
        self.conn.execute(sqla.insert(meta).values(key=key, value=json.dumps(value)))

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

    def _replace_collection(
        self, parent: object, holder: Link | Children, values: list, stamp: str, opened: list | None = None
    ) -> bool:
        """Bring a collection to `values`: tombstone what went, add what came, update children.
        With `opened` (the collection as the caller read it), only the caller's own changes:
        a child or link added meanwhile stays, one the caller did not touch is left alone."""
        if isinstance(holder, Link):
            table = self.store.tables[holder.table]
            rows = self.conn.execute(
                sqla.select(table.c.id, table.c[holder.value_column]).where(
                    table.c[holder.parent_column] == parent.id, table.c.deleted.is_(False)
                )
            ).all()
            have = {value: link_id for link_id, value in rows}
            before = set(have) if opened is None else set(opened)
            gone = [link_id for value, link_id in have.items() if value in before and value not in values]
            came = [v for v in values if v not in have and v not in before]
            for link_id in gone:
                self.conn.execute(
                    sqla.update(table).where(table.c.id == link_id).values(deleted=True, updated_at=stamp)
                )
                self._outbox(holder.table, link_id, ["deleted"], stamp)
            self._write_collection(parent, holder, came, stamp)
            return bool(gone or came)
        table = self.store.table(holder.record)
        entity = TABLES[holder.record]
        stored = {
            row["id"]: row
            for row in self.conn.execute(
                sqla.select(table).where(table.c[holder.parent_column] == parent.id)
            ).mappings()
        }
        existing = {child_id: row for child_id, row in stored.items() if not row["deleted"]}
        was = None if opened is None else {child.id: to_row(child) for child in opened if child.id}
        changed = False
        keep = {child.id for child in values if child.id}
        for child_id in (existing.keys() if was is None else existing.keys() & was.keys()) - keep:
            self.conn.execute(sqla.update(table).where(table.c.id == child_id).values(deleted=True, updated_at=stamp))
            self._outbox(entity, child_id, ["deleted"], stamp)
            changed = True
        new_children = []
        for child in values:
            setattr(child, holder.parent_column, parent.id)
            row = to_row(child)
            if was is not None and child.id in was:  # the caller read it: write only what the caller changed
                current = stored.get(child.id)
                if current is None:  # gone from this laptop meanwhile (its pupil left): nothing to write to
                    continue
                fields, raced = changed_fields(current, row, was[child.id])
                if current["deleted"] and fields:  # deleted meanwhile: the edit goes, so its words are kept
                    raced.append("deleted")
            elif child.id in existing:
                fields, raced = changed_fields(existing[child.id], row, None)
            else:
                new_children.append(child)
                continue
            if fields:
                self.conn.execute(
                    sqla.update(table)
                    .where(table.c.id == child.id)
                    .values(**{k: row[k] for k in fields}, updated_at=stamp)
                )
                self._outbox(entity, child.id, fields, stamp)
                forget_bases(self.conn, self.store.tables, entity, child.id, raced)
                changed = True
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
            self._head = sqla.audit_trail.head(self.conn, table)
        if pupil_ids is None:
            pupil_ids = sqla.audit_trail.pupils_for(self._query, self._columns, entity, entity_id)
        seq, prev = self._head
        row = sqla.audit_trail.make_row(
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
