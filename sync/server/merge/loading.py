"""Loading stored rows and their pupils, a few queries per batch."""

from __future__ import annotations

from collections.abc import Iterable

from sync.protocol.clock import expand

from . import queries
from .rows import Key, Row, _chunks, _listed


class Loading:
    """A part of Merger (merger.py), which holds the state these methods use."""

    # --- loading --------------------------------------------------------------

    @property
    def _pg(self) -> bool:
        return self.conn.dialect.name == "postgresql"

    def _in(self, column, values: list[str]):
        """column IN values (queries.py)."""
        return queries.in_ids(self._pg, column, values)

    def _keys_in(self, columns, keys: list[Key]):
        """(entity, entity_id) IN keys (queries.py)."""
        return queries.in_keys(self._pg, columns, keys)

    def _batches(self, items: list) -> Iterable[list]:
        """Keys a query at a time: all at once on PostgreSQL (arrays), SQLite's
        placeholder limit elsewhere."""
        if self._pg:
            return [items] if items else []
        return _chunks(items)

    def _load(self, keys: Iterable[Key]) -> None:
        wanted = [k for k in set(keys) if k not in self.rows and k not in self.missing and k[1]]
        for chunk in self._batches(wanted):
            found = self.conn.execute(*queries.records(self._pg, chunk)).all()
            for rec in found:
                self._adopt(rec)
            got = {(rec.entity, rec.entity_id) for rec in found}
            self.missing.update(k for k in chunk if k not in got)
            self._load_members([k for k in chunk if k in got])

    def _adopt(self, rec) -> Row:
        data = dict(rec.data)  # stored clocks and authors are compressed ("*": the commonest)
        row = Row(
            rec.entity,
            rec.entity_id,
            data,
            expand(rec.clocks, data),
            expand(rec.authors, data),
            rec.created_by,
            rec.seq,
            restricted=rec.restricted,
            withdrawn=(rec.withdrawn_seq, rec.withdrawn_clock),
        )
        self.rows[row.key] = row
        if rec.deleted:
            self.tombstones.add(row.key)
        return row

    def _load_members(self, keys: list[Key]) -> None:
        listed = []
        for key in keys:
            row = self.rows[key]
            if _listed(row):
                row.members, row.stored_members = set(), set()
                listed.append(key)
            else:  # its one pupil is on the row itself
                row.members = {row.owner} if row.owner else set()
                row.stored_members = set(row.members)
        for chunk in self._batches(listed):
            for entity, entity_id, pupil in self.conn.execute(*queries.members(self._pg, chunk)):
                self.rows[(entity, entity_id)].members.add(pupil)
                self.rows[(entity, entity_id)].stored_members.add(pupil)

    def _load_children(self, parent_ids: list[str], stored: list[str] | None = None) -> list[Row]:
        """Rows whose parent_id is one of these (stored ones, and ones made in this push).
        Only `stored` parents (default: all) are looked up in the database: a row
        made in this push has no stored children."""
        wanted = set(parent_ids)
        self.asked_children.update(wanted)
        found: dict[Key, Row] = {}
        fresh = []
        for chunk in self._batches(sorted(wanted if stored is None else set(stored))):
            for rec in self.conn.execute(*queries.children(self._pg, chunk)):
                key = (rec.entity, rec.entity_id)
                if key not in self.rows:
                    fresh.append(key)
                    self._adopt(rec)
                found[key] = self.rows[key]
        self._load_members(fresh)
        for row in self.rows.values():
            parent = row.parent
            if parent and parent[1] in wanted:
                found[row.key] = row
        # A stored child may have been re-parented in this push: trust the row as it is now.
        return [row for row in found.values() if row.parent and row.parent[1] in wanted]
