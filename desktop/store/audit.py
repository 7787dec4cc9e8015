"""The audit trail: one row per change, read of restricted data, print, export,
sign-in and lock, chained so that an edit, a removal or a reordering shows.

Each row holds the hash of the row before it: SHA-256 over the previous hash
and a canonical encoding (sorted-key compact JSON, UTF-8) of the row's own
fields. What a row *says* (its summary and its old/new values) enters the
chain only through `content_hash`, a salted digest of it. That lets an erasure
blank the content of earlier rows about an erased pupil, as the law requires,
without breaking the chain: the row keeps its place and its hashes, is marked
`redacted`, and `verify` accepts the blank only where a later erasure row names
that pupil or record. The salt is blanked with the content, so the digest left
behind cannot be used to test a guess at what was erased.

Rows carry `sent`: the sync engine sends unsent rows in `seq` order and marks
them sent; a redacted row is marked unsent again so the LA's copy is blanked too.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import TYPE_CHECKING

# The chain itself is shared with the LA server, which checks what it receives.
from sync.protocol.chain import GENESIS, at_text, content_hash, row_hash
from sync.protocol.chain import json_value as _json

if TYPE_CHECKING:  # SQLAlchemy is imported by the functions that take its tables (db/sqla.py says why)
    from sqlalchemy import Table

RESTRICTED_ENTITIES = frozenset({"concern"})  # no value of these ever enters the trail
KEPT_THROUGH_ERASURE = ("erase", "retention-confirmed")  # they say what was erased, never what it held
MAX_VALUE = 300  # characters of an old or new value kept in the trail

Query = Callable[[str, Sequence], list[tuple]]


def new_salt() -> str:
    return os.urandom(16).hex()


def jsonable(value: object) -> object:
    """A value as the trail keeps it: dates as ISO text, long text cut short."""
    if hasattr(value, "value") and not isinstance(value, (str, int, float, bool)):
        value = value.value  # an Enum
    if isinstance(value, (date, datetime, time)):
        return value.isoformat()
    if isinstance(value, str) and len(value) > MAX_VALUE:
        return value[:MAX_VALUE] + "…"
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


def field_changes(entity: str, before: Mapping, after: Mapping, fields: Iterable[str]) -> dict[str, list | None]:
    """Old and new values of the fields that changed; only their names for restricted records."""
    if entity in RESTRICTED_ENTITIES:
        return {name: None for name in fields}
    return {name: [jsonable(before.get(name)), jsonable(after.get(name))] for name in fields}


# --- which pupils a row concerns ---------------------------------------------------------

# A record reaches its pupils through a parent: review -> plan, visit_note -> visit, …
_PARENT_COLUMNS = {"plan_id": "plan", "visit_id": "visit", "folder_id": "folder", "appointment_id": "appointment"}
# The children on a visit are its entries (before schema 5, its pupil links).
_LINKS = {
    "visit": (("visit_entry", "visit_pupil"), "visit_id"),
    "appointment": (("appointment_pupil",), "appointment_id"),
}


def pupils_for(query: Query, columns: Callable[[str], set[str]], entity: str, entity_id: str) -> list[str]:
    """The pupils a record belongs to, from the database as it is now (in the
    writing transaction, so a new record's links are already there)."""
    if entity == "pupil":
        return [entity_id]
    if entity in _LINKS:
        tables, parent = _LINKS[entity]
        link = next((t for t in tables if columns(t)), None)
        if link is None:
            return []
        rows = query(f"SELECT DISTINCT pupil_id FROM {link} WHERE {parent} = ? ORDER BY id", (entity_id,))
        return [r[0] for r in rows]
    have = columns(entity)
    if not have:
        return []
    if "pupil_id" in have:
        rows = query(f"SELECT pupil_id FROM {entity} WHERE id = ?", (entity_id,))
        if any(r[0] for r in rows) or not have & set(_PARENT_COLUMNS):
            return [r[0] for r in rows if r[0]]
        # A note about the whole visit (no pupil of its own) is about every child on it.
    for column, parent in _PARENT_COLUMNS.items():
        if column in have:
            rows = query(f"SELECT {column} FROM {entity} WHERE id = ?", (entity_id,))
            if rows and rows[0][0]:
                return pupils_for(query, columns, parent, rows[0][0])
    return []


# --- writing --------------------------------------------------------------------------


def head(conn, table: Table) -> tuple[int, str]:
    """The last row's number and hash (0 and the genesis hash on an empty trail)."""
    from sqlalchemy import select

    row = conn.execute(select(table.c.seq, table.c.hash).order_by(table.c.seq.desc()).limit(1)).first()
    return (row[0], row[1]) if row else (0, GENESIS)


def make_row(
    *,
    seq: int,
    prev_hash: str,
    event_id: str,
    at: datetime,
    actor: str,
    action: str,
    entity: str,
    entity_id: str,
    summary: str,
    pupil_ids: list[str],
    changes: Mapping,
) -> dict:
    salt = new_salt()
    row = {
        "id": event_id,
        "seq": seq,
        "at": at,
        "actor": actor,
        "action": action,
        "entity": entity,
        "entity_id": entity_id,
        "summary": summary,
        "pupil_ids": list(pupil_ids),
        "changes": dict(changes),
        "salt": salt,
        "content_hash": content_hash(salt, summary, changes),
        "prev_hash": prev_hash,
        "redacted": False,
        "sent": False,
    }
    row["hash"] = row_hash(row, prev_hash)
    return row


def redact(conn, table: Table, pupil_ids: Iterable[str], entity_ids: Iterable[str]) -> int:
    """Blank what earlier rows say about erased pupils or records; returns rows blanked."""
    from sqlalchemy import or_, text, update

    pupils, entities = sorted(set(pupil_ids)), sorted(set(entity_ids))
    about_pupil = text(
        "EXISTS (SELECT 1 FROM json_each(audit_event.pupil_ids) AS p WHERE p.value IN "
        f"({', '.join(f':p{i}' for i in range(len(pupils))) or 'NULL'}))"
    ).bindparams(**{f"p{i}": v for i, v in enumerate(pupils)})
    where = or_(about_pupil, table.c.entity_id.in_(entities)) if entities else about_pupil
    result = conn.execute(
        update(table)
        .where(where, table.c.redacted.is_(False), table.c.action.not_in(KEPT_THROUGH_ERASURE))
        .values(summary="", changes={}, salt="", redacted=True, sent=False)
    )
    return result.rowcount


# --- reading ----------------------------------------------------------------------------


def list_rows(
    conn,
    table: Table,
    *,
    pupil_id: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    limit: int | None = None,
) -> list[Mapping]:
    """Rows newest first, about a pupil and within [start, end) when given."""
    from sqlalchemy import select, text

    stmt = select(table).order_by(table.c.seq.desc())
    if pupil_id:
        stmt = stmt.where(
            text("EXISTS (SELECT 1 FROM json_each(audit_event.pupil_ids) AS p WHERE p.value = :pupil)").bindparams(
                pupil=pupil_id
            )
        )
    if start is not None:
        stmt = stmt.where(table.c.at >= start)
    if end is not None:
        stmt = stmt.where(table.c.at < end)
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(conn.execute(stmt).mappings())


@dataclass(frozen=True)
class Break:
    """Where the chain does not hold, and why, in words."""

    seq: int
    event_id: str
    at: str
    action: str
    entity: str
    reason: str


@dataclass
class Verification:
    rows: int = 0
    redacted: int = 0
    breaks: list[Break] = field(default_factory=list)
    head: str = GENESIS

    @property
    def intact(self) -> bool:
        return not self.breaks


def verify(rows: Iterable[Mapping]) -> Verification:
    """Walk the trail in order; name every row where it does not hold."""
    rows = list(rows)
    result = Verification(rows=len(rows))
    # A blank row is explained only by an erasure written after it.
    erased_after: dict[int, set[str]] = {}
    erased: set[str] = set()
    for row in reversed(rows):
        erased_after[row["seq"]] = set(erased)
        if row["action"] == "erase":
            erased.add(row["entity_id"])
            erased.update(_json(row["changes"], {}).get("erased_ids", []) if not row["redacted"] else [])
    prev_hash, prev_seq = GENESIS, 0
    for row in rows:

        def broken(reason: str, row: Mapping = row) -> None:
            result.breaks.append(
                Break(row["seq"], row["id"], at_text(row["at"])[:19], row["action"], row["entity"], reason)
            )

        if row["seq"] != prev_seq + 1:
            broken(f"rows {prev_seq + 1} to {row['seq'] - 1} are missing")
        if row["prev_hash"] != prev_hash:
            broken("it does not follow the row before it (a row was removed, added or moved)")
        if row_hash(row, row["prev_hash"]) != row["hash"]:
            broken("its contents were changed after it was written")
        changes = _json(row["changes"], {})
        if row["redacted"]:
            result.redacted += 1
            covered = erased_after[row["seq"]]
            if row["summary"] or changes or row["salt"]:
                broken("it is marked as erased but still holds content")
            elif not (covered & ({row["entity_id"]} | set(_json(row["pupil_ids"], [])))):
                broken("its content was removed, but no later erasure covers it")
        elif content_hash(row["salt"], row["summary"], changes) != row["content_hash"]:
            broken("its summary or old and new values were changed after it was written")
        prev_hash, prev_seq = row["hash"], row["seq"]
    result.head = prev_hash
    return result


def chain_all(query: Query, execute: Callable[[str, Sequence], object], columns: Callable[[str], set[str]]) -> int:
    """Give every row of an unchained trail its number, pupils, salt and hashes, oldest
    first (migration step 4). Returns the rows chained."""
    rows = query(
        "SELECT id, at, actor, action, entity, entity_id, summary FROM audit_event ORDER BY at, id",
        (),
    )
    prev = GENESIS
    for seq, (event_id, at, actor, action, entity, entity_id, summary) in enumerate(rows, start=1):
        if action == "view-restricted" and entity == "concern":
            pupils = [entity_id]  # concern reads are logged against the pupil
        else:
            pupils = pupils_for(query, columns, entity, entity_id)
        row = make_row(
            seq=seq,
            prev_hash=prev,
            event_id=event_id,
            at=datetime.fromisoformat(at) if isinstance(at, str) else at,
            actor=actor,
            action=action,
            entity=entity,
            entity_id=entity_id,
            summary=summary,
            pupil_ids=pupils,
            changes={},
        )
        execute(
            "UPDATE audit_event SET seq = ?, pupil_ids = ?, changes = '{}', salt = ?, content_hash = ?,"
            " prev_hash = ?, hash = ? WHERE id = ?",
            (seq, json.dumps(pupils), row["salt"], row["content_hash"], prev, row["hash"], event_id),
        )
        prev = row["hash"]
    return len(rows)


# --- the sync port ------------------------------------------------------------------------


def unsent(conn, table: Table, limit: int = 500) -> list[dict]:
    """The next rows to send to the LA server, oldest first, as the server stores them."""
    from sqlalchemy import select

    rows = conn.execute(select(table).where(table.c.sent.is_(False)).order_by(table.c.seq).limit(limit)).mappings()
    return [dict(r) | {"at": at_text(r["at"])} for r in rows]


def mark_sent(conn, table: Table, ids: Iterable[str]) -> None:
    from sqlalchemy import update

    ids = list(ids)
    for i in range(0, len(ids), 900):
        conn.execute(update(table).where(table.c.id.in_(ids[i : i + 900])).values(sent=True))
