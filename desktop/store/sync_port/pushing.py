"""Pushing: the outbox as operations, what the server acknowledged or refused, and
the changes kept aside."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from sqlalchemy import (
    Date,
    DateTime,
    String,
    Time,
    delete,
    func,
    insert,
    select,
    type_coerce,
)

from sync.protocol import Op

from ..db import new_id
from .values import (
    NOT_SENT,
    _chunks,
    _fields,
    _refused_values,
    decode,
    encode,
)


class Pushing:
    """Mixed into StoreSyncPort (port.py)."""

    def pending(self, limit: int) -> list[Op]:
        outbox = self.tables["outbox"]
        with self.store.reading() as conn:
            entries = conn.execute(select(outbox).order_by(outbox.c.changed_at, outbox.c.id).limit(limit)).all()
            # Each field goes once, with its latest change: later entries for the same record take it.
            latest: dict[tuple[str, str, str], str] = {}
            for entry in entries:
                for name in _fields(entry.fields):
                    latest[(entry.entity, entry.entity_id, name)] = entry.id
            ids_by_entity: dict[str, set[str]] = defaultdict(set)
            for entry in entries:
                ids_by_entity[entry.entity].add(entry.entity_id)
            rows = self._rows(conn, ids_by_entity)
            clocks = self._clocks(conn, [(e.entity, e.entity_id) for e in entries])
        ops = []
        for entry in entries:
            row = rows.get((entry.entity, entry.entity_id))
            names = [n for n in _fields(entry.fields) if latest[(entry.entity, entry.entity_id, n)] == entry.id]
            fields = {n: encode(row[n]) for n in names if row is not None and n in row and n not in NOT_SENT}
            if row is None and names == ["deleted"]:
                fields = {"deleted": True}  # a duplicate merged away here (see _merge_duplicate)
            known = clocks.get((entry.entity, entry.entity_id), {})
            # What this device had seen: for a delete, every field (so edits it never saw are kept as conflicts).
            wanted = known.keys() if fields.get("deleted") is True else {*fields, "deleted"}
            ops.append(
                Op(
                    op_id=entry.id,
                    entity=entry.entity,
                    entity_id=entry.entity_id,
                    clock=entry.changed_at,
                    fields=fields,
                    base={n: known[n] for n in wanted if n in known},
                )
            )
        return ops

    def share_everything(self) -> int:
        """Queue every record this laptop holds to be sent, as if each had just been
        written: for records made here that were never queued (the demo's caseload,
        when the demo first logs in to its own LA server). Parents go before their
        children. Returns how many records were queued."""
        stamp = self.store.clock.now()
        queued = 0
        outbox = self.tables["outbox"]
        with self._applying() as conn:
            for name in self.store.insert_order:
                if name not in self.known or name == "sync_conflict":  # conflicts are the server's to make
                    continue
                table = self.tables[name]
                fields = [c.name for c in table.columns if c.name not in NOT_SENT]
                ids = conn.execute(select(table.c.id)).scalars().all()
                for chunk in _chunks(ids):
                    conn.execute(
                        insert(outbox),
                        [
                            {"id": new_id(), "entity": name, "entity_id": i, "fields": fields, "changed_at": stamp}
                            for i in chunk
                        ],
                    )
                queued += len(ids)
        return queued

    def _rows(self, conn, ids_by_entity: Mapping[str, set[str]]) -> dict[tuple[str, str], dict]:
        rows = {}
        for entity, ids in ids_by_entity.items():
            table = self.tables.get(entity)
            if table is None:
                continue
            for chunk in _chunks(sorted(ids)):
                try:
                    found = [dict(r) for r in conn.execute(select(table).where(table.c.id.in_(chunk))).mappings()]
                except ValueError:  # an erased record's required date is '' (store/erasure.py): read it as text
                    found = self._rows_as_text(conn, table, chunk)
                for row in found:
                    rows[(entity, row["id"])] = row
        return rows

    @staticmethod
    def _rows_as_text(conn, table, ids: list[str]) -> list[dict]:
        timed = {c.name for c in table.c if isinstance(c.type, (Date, DateTime, Time))}
        columns = [type_coerce(c, String).label(c.name) if c.name in timed else c for c in table.c]
        found = conn.execute(select(*columns).where(table.c.id.in_(ids))).mappings()
        return [{k: decode(table.c[k], v) if k in timed else v for k, v in r.items()} for r in found]

    def _clocks(self, conn, keys: list[tuple[str, str]]) -> dict[tuple[str, str], dict]:
        state = self.tables["sync_state"]
        found = {}
        ids = sorted({k[1] for k in keys})
        for chunk in _chunks(ids):
            for entity, entity_id, clocks in conn.execute(
                select(state.c.entity, state.c.entity_id, state.c.clocks).where(state.c.entity_id.in_(chunk))
            ):
                found[(entity, entity_id)] = clocks
        return found

    def acknowledge(self, op_ids: Sequence[str]) -> None:
        outbox = self.tables["outbox"]
        with self.store._begin_write() as conn:
            for chunk in _chunks(list(op_ids)):
                self._note_sent(conn, conn.execute(select(outbox).where(outbox.c.id.in_(chunk))).all())
                conn.execute(delete(outbox).where(outbox.c.id.in_(chunk)))

    def _note_sent(self, conn, entries: Sequence) -> None:
        """Each field the server answered for, at the clock it was sent with, kept as the
        server's (sync_state) until the pull's echo says what it holds. Until then it is this
        laptop's only trace that it wrote them: a server put back from a backup taken before
        this push must find them this laptop's newer work, to keep and send again (the restore's
        snapshot: begin_snapshot, _keep_newer, _send_again), not a record it never held."""
        if not entries:
            return
        state = self.tables["sync_state"]
        known = self._clocks(conn, [(e.entity, e.entity_id) for e in entries])
        for entry in entries:
            clocks = known.setdefault((entry.entity, entry.entity_id), {})
            for name in _fields(entry.fields):
                if name not in NOT_SENT and (clocks.get(name) or "") < entry.changed_at:
                    clocks[name] = entry.changed_at
        for chunk in _chunks(sorted({entity_id for _entity, entity_id in known})):
            conn.execute(delete(state).where(state.c.entity_id.in_(chunk)))
        conn.execute(
            insert(state),
            [{"entity": entity, "entity_id": entity_id, "clocks": c} for (entity, entity_id), c in known.items()],
        )

    def reject(self, refused: Mapping[str, str]) -> None:
        outbox, rejected = self.tables["outbox"], self.tables["sync_rejected"]
        at = datetime.now(UTC).isoformat(timespec="seconds")
        with self.store._begin_write() as conn:
            for chunk in _chunks(list(refused)):
                entries = conn.execute(select(outbox).where(outbox.c.id.in_(chunk))).all()
                ids: dict[str, set[str]] = defaultdict(set)
                for e in entries:
                    ids[e.entity].add(e.entity_id)
                rows = self._rows(conn, ids)  # the values refused are kept, not only their names
                if entries:
                    conn.execute(
                        insert(rejected),
                        [
                            {
                                "op_id": e.id,
                                "entity": e.entity,
                                "entity_id": e.entity_id,
                                "fields": _refused_values(rows.get((e.entity, e.entity_id)), e.fields),
                                "changed_at": e.changed_at,
                                "reason": refused[e.id][:500],
                                "at": at,
                            }
                            for e in entries
                        ],
                    )
                conn.execute(delete(outbox).where(outbox.c.id.in_(chunk)))

    def unsent(self) -> int:
        return self.store.count("outbox")

    def rejected_count(self) -> int:
        table = self.tables["sync_rejected"]
        with self.store.reading() as conn:
            return conn.execute(select(func.count()).select_from(table)).scalar_one()

    def discard_rejected(self, op_id: str) -> bool:
        """Forget one refused change (the user has copied or given up its words)."""
        table = self.tables["sync_rejected"]
        with self.store._begin_write() as conn:
            return conn.execute(delete(table).where(table.c.op_id == op_id)).rowcount > 0

    def rejected(self) -> list[dict]:
        table = self.tables["sync_rejected"]
        with self.store.reading() as conn:
            return [dict(r) for r in conn.execute(select(table).order_by(table.c.at)).mappings()]
