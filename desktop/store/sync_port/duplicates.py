"""Duplicates: a record with a natural key (a school's URN) also added on another
laptop is merged into one, the smaller id, on every laptop; references move to it,
details typed on either side are kept, and a pulled record naming the duplicate
is pointed at the survivor."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime

from sqlalchemy import delete, insert, select, update

from sync.protocol import Pulled

from .values import NATURAL_KEYS, NOT_SENT, decode, encode


class Duplicates:
    """Mixed into Pulling (pulling.py)."""

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
            moved = {  # (an odd value, a list, is no reference: it is not looked up)
                name: self._merged[target][change.fields[name]]
                for name, target in columns.items()
                if type(change.fields.get(name)) is str and change.fields[name] in self._merged[target]
            }
            if moved:
                group[i] = change._replace(fields=dict(change.fields) | moved)
                repointed[change.entity_id].extend(moved)
        return repointed

    def _merge_duplicate(self, conn, entity: str, change: Pulled, present: set[str]) -> bool:
        """Whether to apply `change`. When a local record has the same natural key
        under another id, the smaller id survives on every laptop: the other is
        renamed (if it is ours) or skipped (if it is the server's), references
        move to the survivor, and the duplicate is deleted on the server."""
        column = NATURAL_KEYS[entity]
        table = self.tables[entity]
        value = decode(table.c[column], change.fields.get(column))  # an odd one (a list) is none: no match
        if value is None:
            return True
        local = conn.execute(
            select(table.c.id).where(table.c[column] == value, table.c.id != change.entity_id)
        ).scalar()
        if local is None:
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


def _filled(value: object) -> bool:
    """Whether a field holds something (a blank or only spaces is nothing)."""
    return value is not None and (value.strip() != "" if isinstance(value, str) else True)
