"""What leaves the laptop when the LA's server says it is no longer this user's.

Pupils who left this user's scope on the LA's server (another worker's now,
another school's, or the user's role narrowed): their records leave the laptop.

Everything that belongs only to them goes (their record, contacts, stays,
provision, folders, progress, plans, their entries and notes on visits, the
visits and appointments no pupil still held here shared, conflicts about any
of it), found by following foreign keys from the pupil as erasure does. Rows
are deleted outright, not made tombstones, and nothing enters the outbox: the
records are still the LA's, only no longer this user's to hold. A change to
them not yet sent is kept aside in `sync_rejected` with its values and a
reason, so the user sees it and nothing typed is lost.

A narrower role (a worker made a school user) drops, the same way, whole
tables, restricted rows and withheld fields the new role is not served
(sync/protocol/serving.py).
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, date, datetime, time

from sqlalchemy import Boolean, Float, Integer, Numeric, delete, insert, select, update

from sync.protocol.serving import RESTRICTABLE, RESTRICTED_KINDS, conflict_served, restriction, serves, serving

# Link tables: the gathered row goes only when no pupil still held here is linked to it.
LINKS = {"visit_entry": ("visit", "visit_id"), "appointment_pupil": ("appointment", "appointment_id")}
NOT_RECORDS = frozenset(
    {"meta", "outbox", "audit_event", "sync_state", "sync_rejected", "draft", "sync_conflict", "sync_sweep"}
)
CHUNK = 500
NARROWED_REASON = (
    "Not sent: your role on the LA's server no longer holds this record (or this field), "
    "so it was removed from this laptop. Your change is kept here; ask your LA lead to pass it on."
)
LEFT_REASON = (
    "Not sent: {who} no longer yours on the LA's server (moved to another worker, team or school), "
    "so their records were removed from this laptop. Your change is kept here; ask your LA lead to pass it on."
)


def _chunks(items, size: int = CHUNK):
    items = sorted(items)
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _plain(value: object) -> object:
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    return value


def _fk_target(column) -> str | None:
    for fk in column.foreign_keys:
        return fk.column.table.name
    return None


def belonging_only_to(conn, tables: dict, pupils: set[str]) -> dict[str, set[str]]:
    """table -> ids of the rows that belong to these pupils and to no pupil still held."""
    records = {name: t for name, t in tables.items() if name not in NOT_RECORDS}
    found: dict[str, set[str]] = defaultdict(set)
    pupil = records["pupil"]
    for chunk in _chunks(pupils):
        found["pupil"].update(conn.execute(select(pupil.c.id).where(pupil.c.id.in_(chunk))).scalars())
    for link, (parent, column) in LINKS.items():
        if link not in records:
            continue
        table = records[link]
        parents: set[str] = set()
        for chunk in _chunks(pupils):
            parents.update(conn.execute(select(table.c[column]).where(table.c.pupil_id.in_(chunk))).scalars())
        kept: set[str] = set()
        for chunk in _chunks(parents):
            kept.update(
                conn.execute(
                    select(table.c[column]).where(
                        table.c[column].in_(chunk), table.c.pupil_id.not_in(sorted(pupils)), table.c.deleted.is_(False)
                    )
                ).scalars()
            )
        found[parent].update(parents - kept)
    # Rows naming a leaving pupil, and the rows under anything found, until nothing new turns up.
    found["pupil"].update(pupils)
    grew = True
    while grew:
        grew = False
        for name, table in records.items():
            for column in table.c:
                target = _fk_target(column)
                if not target or not found.get(target) or name == "pupil":
                    continue
                for chunk in _chunks(found[target]):
                    for row_id in conn.execute(select(table.c.id).where(column.in_(chunk))).scalars():
                        if row_id not in found[name]:
                            found[name].add(row_id)
                            grew = True
    found["pupil"] &= _present(conn, pupil, pupils)
    conflicts = tables.get("sync_conflict")
    if conflicts is not None:
        ids = {i for rows in found.values() for i in rows}
        for chunk in _chunks(ids):
            for conflict_id, entity, entity_id in conn.execute(
                select(conflicts.c.id, conflicts.c.entity, conflicts.c.entity_id).where(
                    conflicts.c.entity_id.in_(chunk)
                )
            ):
                if entity_id in found.get(entity, ()):
                    found["sync_conflict"].add(conflict_id)
    return {name: ids for name, ids in found.items() if ids}


def _present(conn, table, ids: set[str]) -> set[str]:
    got: set[str] = set()
    for chunk in _chunks(ids):
        got.update(conn.execute(select(table.c.id).where(table.c.id.in_(chunk))).scalars())
    return got


def remove_pupils(conn, tables: dict, pupils: set[str]) -> dict[str, int]:
    """Remove what belongs only to `pupils` (see the module's note); how many rows, by table."""
    found = belonging_only_to(conn, tables, pupils)
    if not found:
        return {}
    pupil = tables["pupil"]
    names = sorted(
        f"{r.preferred_forename or r.forename} {r.preferred_surname or r.surname}"
        for chunk in _chunks(found.get("pupil", ()))
        for r in conn.execute(select(pupil).where(pupil.c.id.in_(chunk)))
    )
    who = f"{names[0]} is" if len(names) == 1 else (f"{', '.join(names)} are" if names else "this pupil is")
    _keep_unsent(conn, tables, found, LEFT_REASON.format(who=who), about=", ".join(names))
    _delete_rows(conn, tables, found)
    return {name: len(ids) for name, ids in found.items()}


GONE_REASON = (
    "Not sent: the LA's server no longer holds this record for you (it was deleted there, or "
    "moved to someone else, while this laptop was away), so it was removed from this laptop. "
    "Your change is kept here; ask your LA lead to pass it on."
)


def remove_missing(conn, tables: dict, found: dict[str, set[str]]) -> dict[str, int]:
    """Remove records a fresh snapshot did not bring (sync_sweep): the server no longer holds
    them for this user. Pupils go with what belongs only to them (as remove_pupils); other
    rows one by one. Deleted outright, nothing queued; an unsent change to any of them is
    kept aside with its values. How many rows, by table."""
    removed = dict(remove_pupils(conn, tables, found["pupil"])) if found.get("pupil") else {}
    rest: dict[str, set[str]] = {}
    for name, ids in found.items():
        if name == "pupil" or name not in tables or (name in NOT_RECORDS and name != "sync_conflict"):
            continue
        present = _present(conn, tables[name], ids)  # some went with their pupil just now
        if present:
            rest[name] = present
    _keep_unsent(conn, tables, rest, GONE_REASON)
    _delete_rows(conn, tables, rest)
    for name, ids in rest.items():
        removed[name] = removed.get(name, 0) + len(ids)
    state = tables["sync_state"]
    for name, ids in found.items():  # the server's clocks of them too (a tombstone's, never held here)
        for chunk in _chunks(ids):
            conn.execute(delete(state).where(state.c.entity == name, state.c.entity_id.in_(chunk)))
    return removed


def narrow_to(conn, tables: dict, role: str) -> dict[str, int]:
    """Remove what `role` is not served: tables, restricted rows, conflicts about
    what it is not served, and withheld fields (blanked). How many rows, by table."""
    policy = serving(role)
    if policy.tables is None and not policy.withheld and policy.restricted >= RESTRICTED_KINDS:
        return {}  # served everything (a worker, an LA lead): nothing to look at
    found: dict[str, set[str]] = defaultdict(set)
    for name, table in tables.items():
        if name in NOT_RECORDS and name != "sync_conflict":
            continue
        if not serves(role, name):
            found[name].update(conn.execute(select(table.c.id)).scalars())
        elif name in RESTRICTABLE or name == "sync_conflict":
            allowed = {""} | set(serving(role).restricted)
            for row in conn.execute(select(table)).mappings():
                if name == "sync_conflict":
                    if not conflict_served(role, dict(row)):
                        found[name].add(row["id"])
                elif restriction(name, dict(row)) not in allowed:
                    found[name].add(row["id"])
    found = {name: ids for name, ids in found.items() if ids}
    _keep_unsent(conn, tables, found, NARROWED_REASON)
    _delete_rows(conn, tables, found)
    counts = {name: len(ids) for name, ids in found.items()}
    for name, fields in serving(role).withheld.items():
        table = tables.get(name)
        columns = [table.c[f] for f in sorted(fields) if table is not None and f in table.c]
        if not columns:
            continue
        held = [c.name for c in columns]
        _keep_unsent(conn, tables, {name: _ids_with_unsent(conn, tables, name, held)}, NARROWED_REASON, held)
        blank = {c.name: _blank(c) for c in columns}
        changed = conn.execute(update(table).where(_any_set(columns, blank)).values(**blank)).rowcount
        if changed:
            counts[name] = counts.get(name, 0) + changed
    return counts


def _delete_rows(conn, tables: dict, found: dict[str, set[str]]) -> None:
    """Delete these rows outright, and the server's clocks kept for them: nothing is queued."""
    state = tables["sync_state"]
    for name, ids in found.items():
        table = tables[name]
        for chunk in _chunks(ids):
            conn.execute(delete(table).where(table.c.id.in_(chunk)))
            conn.execute(delete(state).where(state.c.entity == name, state.c.entity_id.in_(chunk)))


def _blank(column) -> object:
    if column.nullable:
        return None
    if isinstance(column.type, Boolean):
        return False
    if isinstance(column.type, (Integer, Float, Numeric)):
        return 0
    return ""


def _any_set(columns, blank: dict):
    from sqlalchemy import or_

    return or_(*(c.is_not(None) if blank[c.name] is None else c != blank[c.name] for c in columns))


def _ids_with_unsent(conn, tables: dict, name: str, fields: list[str]) -> set[str]:
    outbox = tables["outbox"]
    ids = set()
    for entity_id, names in conn.execute(select(outbox.c.entity_id, outbox.c.fields).where(outbox.c.entity == name)):
        names = json.loads(names) if isinstance(names, str) else list(names or [])
        if set(names) & set(fields):
            ids.add(entity_id)
    return ids


def _keep_unsent(
    conn, tables: dict, found: dict[str, set[str]], reason: str, fields: list[str] | None = None, about: str = ""
) -> None:
    """Unsent changes to rows about to go move aside, with their values; set-aside
    changes that named only their fields get their values too, while they can."""
    outbox, rejected = tables["outbox"], tables["sync_rejected"]
    at = datetime.now(UTC).isoformat(timespec="seconds")
    for name, ids in found.items():
        table = tables[name]
        for chunk in _chunks(ids):
            rows = {r["id"]: dict(r) for r in conn.execute(select(table).where(table.c.id.in_(chunk))).mappings()}
            entries = conn.execute(select(outbox).where(outbox.c.entity == name, outbox.c.entity_id.in_(chunk))).all()
            if fields is not None:  # only the changes naming withheld fields
                entries = [e for e in entries if set(fields) & set(_names(e.fields))]
            if entries:
                conn.execute(
                    insert(rejected),
                    [
                        {
                            "op_id": e.id,
                            "entity": name,
                            "entity_id": e.entity_id,
                            "fields": _values(rows.get(e.entity_id), e.fields),
                            "changed_at": e.changed_at,
                            "reason": reason,
                            "at": at,
                        }
                        for e in entries
                    ],
                )
                conn.execute(delete(outbox).where(outbox.c.id.in_([e.id for e in entries])))
            for op_id, entity_id, kept, why in conn.execute(
                select(rejected.c.op_id, rejected.c.entity_id, rejected.c.fields, rejected.c.reason).where(
                    rejected.c.entity == name,
                    rejected.c.entity_id.in_(chunk),
                    rejected.c.op_id.not_in([e.id for e in entries]),
                )
            ):
                if entity_id not in rows:
                    continue
                values = kept if isinstance(kept, dict) else _values(rows[entity_id], kept)
                # Once the record has gone, the reason is all that says whose it was.
                why = f"{why} (About {about}; their records have left this laptop.)" if about else why
                conn.execute(rejected.update().where(rejected.c.op_id == op_id).values(fields=values, reason=why[:500]))


def _names(fields: object) -> list[str]:
    return json.loads(fields) if isinstance(fields, str) else list(fields or [])


def _values(row: dict | None, fields: object) -> object:
    """{field: value} for the named fields of a row, as JSON; the names alone if the row is gone."""
    names = _names(fields)
    if row is None:
        return names
    return {n: _plain(row[n]) for n in names if n in row}
