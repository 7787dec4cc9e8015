"""Starting again: a cursor forgotten, a 410's fresh snapshot (what it did not bring
leaves the laptop), and a restored server's, which keeps and sends again the work
only this laptop may still hold."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping, Sequence

from sqlalchemy import delete, insert, select

from sync.protocol import Pulled
from sync.protocol.clock import expand, stamp_device
from sync.protocol.serving import field_served

from ..db import new_id
from ..sync_leave import remove_missing
from .values import (
    BACKFILL,
    CURSOR,
    CURSOR_TABLES,
    NOT_SENT,
    RESTORING,
    ROLE,
    _chunks,
)


class Snapshots:
    """Mixed into Pulling (pulling.py)."""

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
        server's copy lacks (another laptop's edit of one field made the record there anew), if
        this laptop's role is served it (a pull never brings one it is not: a school's visit
        carries no place, and a user whose role narrowed holds fields it may no longer send)."""
        known = self._clocks(conn, [(c.entity, c.entity_id) for c in changes])
        stamp = self.store.clock.now()
        meta = self.tables["meta"]
        role = conn.execute(select(meta.c.value).where(meta.c.key == ROLE)).scalar()
        role = json.loads(role) if role else None
        for change in changes:
            key = (change.entity, change.entity_id)
            mine = known.get(key)
            if not mine or change.entity not in self.known or change.entity == "sync_conflict":
                continue
            theirs = expand(change.clocks, [*change.fields, "deleted"])
            newer = sorted(
                name
                for name, clock in mine.items()
                if (
                    theirs[name] < clock
                    if name in theirs
                    else not change.deleted and (role is None or field_served(role, change.entity, name))
                )
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

    def _brought(self, conn, changes: Sequence[Pulled]) -> None:
        """Records a snapshot under way has brought come off its list (begin_snapshot). A
        tombstone counts as brought: the laptop keeps the record, deleted, as the server does."""
        sweep = self.tables["sync_sweep"]
        if not changes or conn.execute(select(sweep.c.entity).limit(1)).first() is None:
            return
        for chunk in _chunks([c.entity_id for c in changes]):
            conn.execute(delete(sweep).where(sweep.c.entity_id.in_(chunk)))
