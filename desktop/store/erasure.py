"""Erasure: a pupil's records become blank tombstones.

Everything that belongs only to the pupil (their record, contacts, stays,
provision, concerns, folders, progress, plans, and the visits and appointments
no other pupil shared) is blanked and marked deleted, so sync carries the
tombstones to the LA and other devices. A visit shared with a sibling stays
theirs: only this pupil's own entry on it (and notes about them) goes. Ids and the links that hold the
schema together stay; every other value is set to its column's default or
NULL. The records to erase are found by following foreign keys from the
pupil, so a table added later is covered without being named here.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import Table

from .db import Transaction

# Link tables: the parent is erased only when no other pupil is linked to it.
SHARED = {"visit_entry": ("visit", "visit_id"), "appointment_pupil": ("appointment", "appointment_id")}
NOT_RECORDS = {"meta", "outbox", "audit_event"}


@dataclass
class Erased:
    ids: dict[str, list[str]] = field(default_factory=dict)  # table -> ids blanked
    shared_kept: dict[str, int] = field(default_factory=dict)  # table -> records kept for other pupils

    @property
    def all_ids(self) -> list[str]:
        return [i for ids in self.ids.values() for i in ids]


def _fk_target(column) -> str | None:
    for fk in column.foreign_keys:
        return fk.target_fullname.split(".")[0]
    return None


def erase_pupil(tx: Transaction, pupil_id: str) -> Erased:
    tables = {name: t for name, t in tx.store.tables.items() if name not in NOT_RECORDS}
    query = tx._query
    found: dict[str, set[str]] = defaultdict(set)
    found["pupil"].add(pupil_id)
    result = Erased()
    for link, (parent, column) in SHARED.items():
        if link not in tables:
            continue
        for (parent_id,) in query(f"SELECT DISTINCT {column} FROM {link} WHERE pupil_id = ?", (pupil_id,)):
            others = query(
                f"SELECT count(*) FROM {link} WHERE {column} = ? AND pupil_id != ? AND deleted = 0",
                (parent_id, pupil_id),
            )[0][0]
            if others:
                result.shared_kept[parent] = result.shared_kept.get(parent, 0) + 1
            else:
                found[parent].add(parent_id)
    # Follow references to what is erased until nothing new turns up.
    grew = True
    while grew:
        grew = False
        for name, table in tables.items():
            for column in table.c:
                target = _fk_target(column)
                if not target or not found.get(target):
                    continue
                ids = sorted(found[target])
                for i in range(0, len(ids), 500):
                    chunk = ids[i : i + 500]
                    marks = ", ".join("?" * len(chunk))
                    for (row_id,) in query(f"SELECT id FROM {name} WHERE {column.name} IN ({marks})", chunk):
                        if row_id not in found[name]:
                            found[name].add(row_id)
                            grew = True
    stamp = tx.store.clock.now()
    for name, ids in found.items():
        if ids:
            _blank(tx, tables[name], sorted(ids), stamp)
            result.ids[name] = sorted(ids)
    return result


def _blank(tx: Transaction, table: Table, ids: list[str], stamp: str) -> None:
    sets, blanked = [], []
    for column in table.c:
        if column.name in ("id", "updated_at", "deleted"):
            continue
        if column.foreign_keys and not column.nullable:
            continue  # the schema's own links: ids, not content
        if column.nullable:
            value = "NULL"
        elif column.server_default is not None:
            value = str(getattr(column.server_default.arg, "text", column.server_default.arg))
        else:
            value = "''"
        sets.append(f'"{column.name}" = {value}')
        blanked.append(column.name)
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        tx.conn.exec_driver_sql(
            f'UPDATE "{table.name}" SET {", ".join(sets)}, deleted = 1, updated_at = ? '
            f"WHERE id IN ({', '.join('?' * len(chunk))})",
            (stamp, *chunk),
        )
    for record_id in ids:
        tx._outbox(table.name, record_id, ["deleted", *blanked], stamp)
