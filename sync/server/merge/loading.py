"""Loading stored rows and their pupils, a few queries per batch."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Text, and_, any_, bindparam, cast, or_, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.types import NullType

from sync.protocol.clock import expand

from ..db import text_array
from ..tables import RecordPupil
from .rows import RECORDS, Key, Row, _chunks, _listed


class Loading:
    """A part of Merger (merger.py), which holds the state these methods use."""

    # --- loading --------------------------------------------------------------

    def _in(self, column, values: list[str]):
        """column IN values; on PostgreSQL one array parameter (= ANY), so a long list
        is neither parsed as hundreds of placeholders nor planned anew each time. The
        array goes as one text literal: psycopg adapts a list element by element, in
        Python (a millisecond per thousand keys, several times a push)."""
        if self.conn.dialect.name == "postgresql":
            # Untyped, so PostgreSQL reads it as text[] once; typed as text and then cast, the
            # cast was made again for every row a scan passed (seconds on a growing table).
            return column == any_(cast(bindparam(None, text_array(values), type_=NullType()), ARRAY(Text)))
        return column.in_(values)

    def _batches(self, items: list) -> Iterable[list]:
        """Keys a query at a time: all at once on PostgreSQL (one array), SQLite's
        placeholder limit elsewhere."""
        if self.conn.dialect.name == "postgresql":
            return [items] if items else []
        return _chunks(items)

    def _keys_in(self, columns, keys: list[Key]):
        """(entity, entity_id) IN keys, as one array test per entity (the primary key's order)."""
        by_entity: dict[str, list[str]] = {}
        for entity, entity_id in keys:
            by_entity.setdefault(entity, []).append(entity_id)
        return or_(*(and_(columns.entity == e, self._in(columns.entity_id, ids)) for e, ids in by_entity.items()))

    def _load(self, keys: Iterable[Key]) -> None:
        wanted = [k for k in set(keys) if k not in self.rows and k not in self.missing and k[1]]
        for chunk in self._batches(wanted):
            found = self.conn.execute(select(RECORDS).where(self._keys_in(RECORDS.c, chunk))).all()
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
        )
        self.rows[row.key] = row
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
            for entity, entity_id, pupil in self.conn.execute(
                select(RecordPupil.entity, RecordPupil.entity_id, RecordPupil.pupil_id).where(
                    self._keys_in(RecordPupil.__table__.c, chunk)
                )
            ):
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
            for rec in self.conn.execute(select(RECORDS).where(self._in(RECORDS.c.parent_id, chunk))):
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
