"""Applying a pulled page's records: rows written with foreign keys off, a field
with an unsent change held as it is (its old clock kept, so the server sees the
race), a clash noted rather than fatal, copied columns refreshed, clocks saved."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from sync.protocol import Pulled
from sync.protocol.clock import expand

from ..db import new_id
from ..mapping import COLLECTIONS, TABLES, Link
from .values import (
    NATURAL_KEYS,
    NOT_SENT,
    _blank,
    _chunks,
    _fields,
    _parent_table,
    _same_keys,
    decode,
    known_choices,
)


class Applying:
    """Mixed into Pulling (pulling.py)."""

    @contextmanager
    def _applying(self) -> Iterator:
        """A write transaction with foreign keys off (they can only be switched outside one)."""
        with self.store.engine.connect() as conn:
            raw = conn.connection.dbapi_connection  # outside SQLAlchemy, so no transaction has begun
            raw.execute("PRAGMA foreign_keys = OFF")
            conn.info["write"] = True
            try:
                with conn.begin():
                    yield conn
            finally:
                conn.info["write"] = False
                raw.execute("PRAGMA foreign_keys = ON")

    def _unsent_fields(self, conn, ids: list[str]) -> dict[tuple[str, str], set[str]]:
        """The fields of each record with a change not yet sent: a pull leaves them as they are.
        A record with any unsent change keeps its deletion state too: a delete pulled while
        words typed here wait to go would hide them, and its clock, saved as this laptop's
        base, would tell the server the words were typed after the delete was seen (so it
        would keep no conflict). Once they are sent the server keeps both, and the delete
        comes back with the conflict."""
        outbox = self.tables["outbox"]
        held: dict[tuple[str, str], set[str]] = defaultdict(set)
        for chunk in _chunks(sorted(set(ids))):
            for entity, entity_id, fields in conn.execute(
                select(outbox.c.entity, outbox.c.entity_id, outbox.c.fields).where(outbox.c.entity_id.in_(chunk))
            ):
                held[(entity, entity_id)].update(_fields(fields), ["deleted"])
        return held

    def _apply_entity(self, conn, entity: str, group: list[Pulled], held) -> None:
        table = self.tables[entity]
        columns = table.c
        repointed = self._follow_merges(entity, table, group)
        present = set()
        for chunk in _chunks([c.entity_id for c in group]):
            present.update(conn.execute(select(columns.id).where(columns.id.in_(chunk))).scalars())
        inserts, updates = [], []
        for change in group:
            if (
                entity in NATURAL_KEYS
                and not change.deleted
                and not self._merge_duplicate(conn, entity, change, present)
            ):
                continue  # a duplicate of a record kept here: references moved, the duplicate deleted
            keep = held.get((entity, change.entity_id), set()) | self._resend.get((entity, change.entity_id), set())
            fields = dict(change.fields) | {"deleted": change.deleted}
            values = {
                name: decode(columns[name], value)
                for name, value in fields.items()
                if name in columns and name not in NOT_SENT and name not in keep
            }
            for name, value in values.items():
                if value is None and not columns[name].nullable:  # an erased record's blanked date
                    values[name] = _blank(columns[name])
            known_choices(entity, values)
            stamp = max(change.clocks.values(), default="")
            if change.entity_id in present:
                if values:
                    updates.append((change.entity_id, values | {"updated_at": stamp}))
            elif not change.deleted:  # a tombstone for a record never held here: nothing to write
                row = {"id": change.entity_id, "updated_at": stamp} | values
                for column in table.columns:
                    if column.name not in row and not column.nullable and column.server_default is None:
                        row[column.name] = _blank(column)
                inserts.append(row)
                present.add(change.entity_id)
            if entity in NATURAL_KEYS:  # write now: the next record's duplicate check must see this one
                self._write_rows(conn, table, entity, inserts, updates)
                inserts, updates = [], []
        self._write_rows(conn, table, entity, inserts, updates)
        if repointed:
            stamp = self.store.clock.now()
            for entity_id, names in repointed.items():
                kept = [n for n in names if n not in held.get((entity, entity_id), set())]
                if kept:  # the server learns the survivor from here too
                    self._queue(conn, entity, entity_id, kept, stamp)

    def _write_rows(self, conn, table, entity: str, inserts: list[dict], updates: list[tuple[str, dict]]) -> None:
        columns = table.c
        for rows in _same_keys(inserts):
            try:
                with conn.begin_nested():
                    conn.execute(insert(table), rows)
            except IntegrityError:
                for row in rows:  # one by one, so one clash (two schools added with one URN) blocks nothing else
                    self._careful(conn, insert(table).values(**row), entity, row["id"])
        for entity_id, values in updates:
            self._careful(conn, update(table).where(columns.id == entity_id).values(**values), entity, entity_id)

    def _queue(self, conn, entity: str, entity_id: str, fields: list[str], stamp: str) -> None:
        self._held[(entity, entity_id)].update(fields)  # later changes in this page must not undo it
        conn.execute(
            insert(self.tables["outbox"]).values(
                id=new_id(), entity=entity, entity_id=entity_id, fields=fields, changed_at=stamp
            )
        )

    def _careful(self, conn, statement, entity: str, entity_id: str) -> None:
        """Write one pulled record; if it clashes with a local one, note it and go on."""
        try:
            with conn.begin_nested():
                conn.execute(statement)
        except IntegrityError as exc:
            skipped = self.tables["sync_rejected"]
            conn.execute(delete(skipped).where(skipped.c.op_id == f"pull:{entity}:{entity_id}"))
            conn.execute(
                insert(skipped).values(
                    op_id=f"pull:{entity}:{entity_id}",
                    entity=entity,
                    entity_id=entity_id,
                    fields=[],
                    changed_at="",
                    reason=f"Received from the server but not applied here: {str(exc.orig)[:300]}",
                    at=datetime.now(UTC).isoformat(timespec="seconds"),
                )
            )

    def _refresh_copies(self, conn, by_entity: Mapping[str, list[Pulled]]) -> None:
        """Columns a child row copies from its parent (visit_entry.visit_date) are made here, not sent."""
        for holders in COLLECTIONS.values():
            for holder in holders.values():
                copies = getattr(holder, "copies", ())
                if not copies:
                    continue
                child_table = holder.table if isinstance(holder, Link) else TABLES[holder.record]
                parent_table = _parent_table(holder)
                parents = [c.entity_id for c in by_entity.get(parent_table, [])]
                children = [c.entity_id for c in by_entity.get(child_table, [])]
                if not parents and not children:
                    continue
                child, parent = self.tables[child_table], self.tables[parent_table]
                values = {
                    column: select(parent.c[field])
                    .where(parent.c.id == child.c[holder.parent_column])
                    .scalar_subquery()
                    for column, field in copies
                }
                for chunk in _chunks(parents):
                    conn.execute(update(child).where(child.c[holder.parent_column].in_(chunk)).values(**values))
                for chunk in _chunks(children):
                    conn.execute(update(child).where(child.c.id.in_(chunk)).values(**values))

    def _save_clocks(self, conn, changes: Sequence[Pulled], held) -> None:
        """The server clock of every field applied: the base of this device's next edit to it.
        A field held back for an unsent change keeps its old base, so the server sees the race."""
        state = self.tables["sync_state"]
        keys = [(c.entity, c.entity_id) for c in changes]
        known = self._clocks(conn, keys)
        rows = []
        for change in changes:
            key = (change.entity, change.entity_id)
            keep = held.get(key, set())
            clocks = dict(known.get(key, {}))
            full = expand(change.clocks, [*change.fields, "deleted"])
            clocks.update({k: v for k, v in full.items() if k not in keep})
            known[key] = clocks
        for (entity, entity_id), clocks in known.items():
            rows.append({"entity": entity, "entity_id": entity_id, "clocks": clocks})
        for chunk in _chunks(sorted({k[1] for k in known})):
            conn.execute(delete(state).where(state.c.entity_id.in_(chunk)))
        if rows:
            conn.execute(insert(state), rows)
