"""Pulling: pages applied with their cursor in one transaction, never re-queued and
never over an unsent field; back-fills; duplicates merged; pupils who left removed."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import (
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from sync.protocol import Pulled
from sync.protocol.clock import expand, stamp_device

from ..db import new_id
from ..mapping import COLLECTIONS, TABLES, Link
from ..sync_leave import narrow_to, remove_missing, remove_pupils
from .values import (
    BACKFILL,
    CLOCK,
    CURSOR,
    CURSOR_TABLES,
    KNOWN_AT_SCHEMA_9,
    MERGED,
    NATURAL_KEYS,
    NOT_SENT,
    RESTORING,
    ROLE,
    _blank,
    _chunks,
    _fields,
    _parent_table,
    _same_keys,
    decode,
    encode,
    known_choices,
)


class Pulling:
    """Mixed into StoreSyncPort (port.py)."""

    def cursor(self) -> str | None:
        return self.store.get_setting(CURSOR)

    def serve_as(self, role: str) -> bool:
        """Hold only what `role` is served; True if anything had to go (a narrower role)."""
        if self.store.get_setting(ROLE) == role:
            return False
        meta = self.tables["meta"]
        with self._applying() as conn:
            removed = narrow_to(conn, self.tables, role)
            conn.execute(delete(meta).where(meta.c.key == ROLE))
            conn.execute(insert(meta).values(key=ROLE, value=json.dumps(role)))
        self.removed = removed
        return bool(removed)

    def forget_cursor(self) -> None:
        """Start again from the beginning of the feed (another server or user: nothing of a
        snapshot under way is kept, as its list belongs to the feed it began on)."""
        with self._applying() as conn:
            self._forget(conn)

    def holds_nothing(self) -> bool:
        """Whether this profile holds no record at all, pulled or made here (a new profile): no
        server clock kept and every table that syncs empty. (A record made here and sent, whose
        pull never came, is the server's too: the server may have things to say about it.)"""
        if self.store.count("sync_state"):
            return False
        with self.store.reading() as conn:
            return all(conn.execute(select(self.tables[name].c.id).limit(1)).first() is None for name in self.known)

    def begin_snapshot(self, restored: bool = False) -> None:
        """A 410: start again from a fresh snapshot, noting every record held from the
        server (sync_state). Each page takes what it brings off the list; what the whole
        snapshot did not bring leaves the laptop when it ends (snapshot_complete).
        `restored`: the server was put back from a backup, and may lack what this laptop
        sent since, or hold it older: then nothing leaves, nothing newer here is written
        over, and all of that is sent again (its only copy may be here)."""
        sweep, state, meta = self.tables["sync_sweep"], self.tables["sync_state"], self.tables["meta"]
        with self._applying() as conn:
            # A restore's snapshot cut short stays one: a 410 for another reason on the way must
            # not turn it into a sweep, which would remove work only this laptop still holds.
            restored = restored or self._restoring(conn)
            self._forget(conn)
            conn.execute(insert(sweep).from_select(["entity", "entity_id"], select(state.c.entity, state.c.entity_id)))
            if restored:
                conn.execute(insert(meta).values(key=RESTORING, value=json.dumps(True)))

    def _forget(self, conn) -> None:
        meta = self.tables["meta"]
        conn.execute(delete(meta).where(meta.c.key.in_([CURSOR, CURSOR_TABLES, BACKFILL, RESTORING])))
        conn.execute(delete(self.tables["sync_sweep"]))

    def _restoring(self, conn) -> bool:
        meta = self.tables["meta"]
        return conn.execute(select(meta.c.key).where(meta.c.key == RESTORING)).first() is not None

    def snapshot_complete(self) -> None:
        """The pull reached the end of the feed: records a snapshot begun here did not bring
        leave the laptop (sync_leave.remove_missing), sending nothing, or after a restored
        server are sent again; none when no snapshot is under way. A snapshot cut short goes
        on from its cursor, its list kept."""
        sweep, meta = self.tables["sync_sweep"], self.tables["meta"]
        with self.store.reading() as conn:  # most pulls: nothing under way, and no write to begin
            if conn.execute(select(sweep.c.entity).limit(1)).first() is None and not self._restoring(conn):
                return
        with self._applying() as conn:
            found: dict[str, set[str]] = defaultdict(set)
            for entity, entity_id in conn.execute(select(sweep.c.entity, sweep.c.entity_id)):
                found[entity].add(entity_id)
            if self._restoring(conn):
                self._send_again(conn, found)
                conn.execute(delete(meta).where(meta.c.key == RESTORING))
            elif found:
                self.removed = remove_missing(conn, self.tables, dict(found))
            conn.execute(delete(sweep))

    def _send_again(self, conn, found: Mapping[str, set[str]]) -> None:
        """Records a restored server lacks: the fields this laptop wrote queued to be sent again,
        as if just written. (Each laptop sends its own work again: what another laptop wrote
        goes from there, and a school is not made to send a worker's words as its own.)"""
        stamp = self.store.clock.now()
        clocks = self._clocks(conn, [(entity, entity_id) for entity, ids in found.items() for entity_id in ids])
        for (entity, entity_id), held in sorted(clocks.items()):
            table = self.tables.get(entity)
            if (
                table is None
                or entity not in self.known
                or entity == "sync_conflict"
                or entity_id not in found.get(entity, ())
            ):
                continue  # (conflict records are the server's to make)
            fields = sorted(
                name
                for name, clock in expand(held, [c.name for c in table.columns]).items()
                if name in table.c and name not in NOT_SENT and stamp_device(clock) == self.store.device
            )
            present = conn.execute(select(table.c.id).where(table.c.id == entity_id)).first()
            if fields and present is not None:
                self._queue(conn, entity, entity_id, fields, stamp)

    def _keep_newer(self, conn, changes: Sequence[Pulled], held) -> None:
        """After a restored server: a field this laptop wrote and holds at a newer server clock than
        the one pulled (written after the backup) keeps its value, and is sent again; so is one the
        server's copy lacks (another laptop's edit of one field made the record there anew)."""
        known = self._clocks(conn, [(c.entity, c.entity_id) for c in changes])
        stamp = self.store.clock.now()
        for change in changes:
            key = (change.entity, change.entity_id)
            mine = known.get(key)
            if not mine or change.entity not in self.known or change.entity == "sync_conflict":
                continue
            theirs = expand(change.clocks, [*change.fields, "deleted"])
            newer = sorted(
                name
                for name, clock in mine.items()
                if (theirs[name] < clock if name in theirs else not change.deleted)
                and stamp_device(clock) == self.store.device
                and name not in NOT_SENT
                and name not in held.get(key, ())
            )
            if newer:
                # Kept from this page's writes, not from its clocks: the pulled clock becomes the
                # base, so the server takes the value sent again as a later edit, not a race.
                self._resend[key].update(newer)
                conn.execute(
                    insert(self.tables["outbox"]).values(
                        id=new_id(), entity=change.entity, entity_id=change.entity_id, fields=newer, changed_at=stamp
                    )
                )

    def cursor_tables(self) -> list[str] | None:
        tables = self.store.get_setting(CURSOR_TABLES)
        if isinstance(tables, list):
            return list(tables)
        # A cursor from before clients said which tables they knew covers what that version knew.
        return sorted(KNOWN_AT_SCHEMA_9 & set(self.tables)) if self.store.get_setting(CURSOR) else None

    def backfill_state(self) -> tuple[list[str], str] | None:
        going = self.store.get_setting(BACKFILL)
        if not isinstance(going, dict):
            return None
        return list(going.get("tables") or []), str(going.get("cursor") or "")

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

    def apply_page(
        self, changes: Sequence[Pulled], cursor: str, tables: Sequence[str] | None = None, left: Sequence[str] = ()
    ) -> None:
        settings: dict[str, object] = {CURSOR: cursor}
        if tables is not None:
            settings[CURSOR_TABLES] = sorted(tables)
        self._apply(changes, settings, left)

    def apply_backfill(self, changes: Sequence[Pulled], tables: Sequence[str], cursor: str, done: bool) -> None:
        """A page of records of tables an older version skipped; the main cursor stays where it is."""
        if done:
            covered = set(self.cursor_tables() or ()) | set(tables)
            settings: dict[str, object] = {CURSOR_TABLES: sorted(covered), BACKFILL: None}
        else:
            settings = {BACKFILL: {"tables": sorted(tables), "cursor": cursor}}
        wanted = set(tables)  # a server older than `tables=` sends every table: only these are new here
        self._apply([c for c in changes if c.entity in wanted], settings)

    def _apply(self, changes: Sequence[Pulled], settings: dict[str, object], left: Sequence[str] = ()) -> None:
        """Apply pulled records and write `settings` (the cursor, ...) in one transaction;
        `left`: pupils who left the user's scope, removed in it too (sync_leave.py)."""
        meta = self.tables["meta"]
        newest = max((c for ch in changes for c in ch.clocks.values()), default=None)
        self._merged = {k: dict(v) for k, v in (self.store.get_setting(MERGED) or {}).items()}
        merged_before = json.dumps(self._merged, sort_keys=True)
        with self._applying() as conn:
            held = self._held = self._unsent_fields(conn, [c.entity_id for c in changes])
            self._resend = defaultdict(set)  # fields kept after a restore, sent again (_keep_newer)
            if self._restoring(conn):
                self._keep_newer(conn, changes, held)
            by_entity: dict[str, list[Pulled]] = defaultdict(list)
            for change in changes:
                if change.entity in self.known:
                    by_entity[change.entity].append(change)
            # Referenced tables first: a school that arrives in the same page as its
            # pupils is in place (and merged with a local duplicate) before they are written.
            for entity in sorted(by_entity, key=lambda e: e not in NATURAL_KEYS):
                self._apply_entity(conn, entity, by_entity[entity], held)
            self._refresh_copies(conn, by_entity)
            self._save_clocks(conn, [c for c in changes if c.entity in self.known], held)
            self._brought(conn, changes)
            if left:  # after the page, so none of its rows about them stays (sync_leave.py)
                self.removed = remove_pupils(conn, self.tables, set(left))
            if newest:
                settings = settings | {CLOCK: max(newest, self.store.get_setting(CLOCK) or "")}
            if json.dumps(self._merged, sort_keys=True) != merged_before:
                settings = settings | {MERGED: self._merged}
            for key, value in settings.items():
                conn.execute(delete(meta).where(meta.c.key == key))
                if value is not None:
                    conn.execute(insert(meta).values(key=key, value=json.dumps(value)))
        if newest:
            self.store.clock.observe(newest)

    def _brought(self, conn, changes: Sequence[Pulled]) -> None:
        """Records a snapshot under way has brought come off its list (begin_snapshot). A
        tombstone counts as brought: the laptop keeps the record, deleted, as the server does."""
        sweep = self.tables["sync_sweep"]
        if not changes or conn.execute(select(sweep.c.entity).limit(1)).first() is None:
            return
        for chunk in _chunks([c.entity_id for c in changes]):
            conn.execute(delete(sweep).where(sweep.c.entity_id.in_(chunk)))

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

    def _follow_merges(self, entity: str, table, group: list[Pulled]) -> dict[str, list[str]]:
        """Point references to a duplicate merged away here at its survivor, in the
        changes as pulled; returns the fields changed, by record."""
        columns = {
            column.name: target
            for column in table.c
            for fk in column.foreign_keys
            if (target := fk.column.table.name) in self._merged
        }
        repointed: dict[str, list[str]] = defaultdict(list)
        if not columns:
            return repointed
        for i, change in enumerate(group):
            moved = {
                name: self._merged[target][change.fields[name]]
                for name, target in columns.items()
                if change.fields.get(name) in self._merged[target]
            }
            if moved:
                group[i] = change._replace(fields=dict(change.fields) | moved)
                repointed[change.entity_id].extend(moved)
        return repointed

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

    def _merge_duplicate(self, conn, entity: str, change: Pulled, present: set[str]) -> bool:
        """Whether to apply `change`. When a local record has the same natural key
        under another id, the smaller id survives on every laptop: the other is
        renamed (if it is ours) or skipped (if it is the server's), references
        move to the survivor, and the duplicate is deleted on the server."""
        column = NATURAL_KEYS[entity]
        value = change.fields.get(column)
        table = self.tables[entity]
        local = conn.execute(
            select(table.c.id).where(table.c[column] == value, table.c.id != change.entity_id)
        ).scalar()
        if value is None or local is None:
            return True
        survivor, duplicate = sorted((local, change.entity_id))
        self._merged.setdefault(entity, {})[duplicate] = survivor
        stamp = self.store.clock.now()
        # What was typed about it on either laptop is kept: a detail one copy has and the other
        # left blank (a SENCO's name, a phone number) goes into the survivor, sent from here.
        ours = dict(conn.execute(select(table).where(table.c.id == local)).mappings().one())
        pulled = {
            name: decode(table.c[name], value)
            for name, value in change.fields.items()
            if name in table.c and name not in NOT_SENT and name != "deleted"
        }
        if survivor == change.entity_id:  # ours is the duplicate: it becomes the survivor
            conn.execute(update(table).where(table.c.id == local).values(id=survivor))
            state = self.tables["sync_state"]
            conn.execute(delete(state).where(state.c.entity == entity, state.c.entity_id == local))
            present.add(survivor)
            mine = [name for name, value in pulled.items() if _filled(ours.get(name)) and not _filled(value)]
            if mine:  # held: the pulled blanks do not overwrite them (_apply_entity)
                self._queue(conn, entity, survivor, mine, stamp)
            # Where both copies hold something different, the survivor's stands (on every laptop
            # alike); what was typed here is kept aside with a reason, for the user to see.
            differ = {  # text (not a tick, a number or a link to another record)
                name: ours[name]
                for name, value in pulled.items()
                if name not in ("id", *NATURAL_KEYS.values())
                and not table.c[name].foreign_keys
                and isinstance(ours.get(name), str)
                and _filled(ours[name])
                and _filled(value)
                and ours[name] != value
            }
            if differ:
                self._set_aside_merged(conn, entity, survivor, local, differ)
        else:  # ours survives and the pulled copy is not written: its details join ours
            theirs = {name: value for name, value in pulled.items() if _filled(value) and not _filled(ours.get(name))}
            if theirs:
                conn.execute(update(table).where(table.c.id == survivor).values(theirs | {"updated_at": stamp}))
                self._queue(conn, entity, survivor, sorted(theirs), stamp)
        self._repoint(conn, entity, duplicate, survivor, stamp)
        self._queue(conn, entity, duplicate, ["deleted"], stamp)
        return survivor == change.entity_id

    def _set_aside_merged(self, conn, entity: str, survivor: str, local: str, values: dict) -> None:
        """Details typed here about a record merged into another laptop's copy, where that copy
        holds something else: kept in sync_rejected, never silently dropped."""
        rejected = self.tables["sync_rejected"]
        op_id = f"merge:{entity}:{local}"
        conn.execute(delete(rejected).where(rejected.c.op_id == op_id))
        conn.execute(
            insert(rejected).values(
                op_id=op_id,
                entity=entity,
                entity_id=survivor,
                fields={name: encode(value) for name, value in values.items()},
                changed_at="",
                reason=(
                    "Not kept: this record was also added on another laptop, and the two were merged; "
                    "the other copy holds something different here. What was typed on this laptop is "
                    "kept here: check which is right and correct the record if need be."
                ),
                at=datetime.now(UTC).isoformat(timespec="seconds"),
            )
        )

    def _repoint(self, conn, entity: str, old: str, new: str, stamp: str) -> None:
        """Move every reference to `old` onto `new`, as local changes to send."""
        for table in self.tables.values():
            for column in table.c:
                if not any(fk.column.table.name == entity for fk in column.foreign_keys):
                    continue
                ids = list(conn.execute(select(table.c.id).where(column == old)).scalars())
                if ids:
                    conn.execute(update(table).where(column == old).values({column.name: new, "updated_at": stamp}))
                    for record_id in ids:
                        self._queue(conn, table.name, record_id, [column.name], stamp)

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


def _filled(value: object) -> bool:
    """Whether a field holds something (a blank or only spaces is nothing)."""
    return value is not None and (value.strip() != "" if isinstance(value, str) else True)
