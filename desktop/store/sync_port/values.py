"""What the store's sync side shares: its settings' names, the tables it leaves
alone, and how a value goes on and comes off the wire (sync.protocol.values, by
the kind of value each column holds)."""

from __future__ import annotations

import functools
import json
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, datetime, time

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    Integer,
    Numeric,
    Time,
)

from sync.protocol import values as wire
from sync.protocol.values import encode

from ..mapping import RECORDS_BY_TABLE, enum_choices

# Natural keys the local schema holds unique: two laptops that each added the
# same school offline end with one (the smaller id), references moved to it.
NATURAL_KEYS = {"school": "urn"}
CURSOR = "sync_cursor"
ROLE = "sync_role"  # the role this laptop's records are held for (sync_leave.narrow_to)
# A snapshot under way from a server restored from a backup (snapshots.py, begin_snapshot): what it
# lacks, or holds older than this laptop, is sent again rather than removed or overwritten.
RESTORING = "sync_restoring"
CLOCK = "sync_clock"
CURSOR_TABLES = "sync_tables"  # the tables the cursor covers (asked for when it was given)
BACKFILL = "sync_backfill"  # a back-fill under way: {"tables": [...], "cursor": "..."}
# The tables a version knew before clients named them on a pull (schema 9):
# a profile last synced by such a version back-fills any table beyond these.
KNOWN_AT_SCHEMA_9 = frozenset(
    [
        "absence",
        "action",
        "appointment",
        "appointment_pupil",
        "calendar_entry",
        "concern",
        "consent",
        "contact",
        "exclusion",
        "folder",
        "folder_item",
        "plan",
        "planned_travel",
        "progress_entry",
        "provision_episode",
        "pupil",
        "review",
        "school",
        "site",
        "stay",
        "sync_conflict",
        "visit",
        "visit_entry",
        "visit_note",
        "work_pack",
    ]
)
# Duplicates merged away here: {"school": {duplicate id: survivor id}}. A record
# pulled later that still names the duplicate (another laptop's pupil, before
# that laptop has merged too) is pointed at the survivor as it arrives.
MERGED = "sync_merged"
LOCAL_ONLY = frozenset(
    {"meta", "outbox", "audit_event", "sync_state", "sync_rejected", "draft", "sync_sweep"}
)  # never written from a pull
NOT_SENT = frozenset({"id", "updated_at"})
CHUNK = 500


@functools.cache  # asked for every field of every pulled record
def _kind(column) -> type:
    """The Python kind of value a column holds (what sync.protocol.values reads by)."""
    kind = column.type
    for sql, python in _KINDS:
        if isinstance(kind, sql):
            return python
    return str


_KINDS = ((DateTime, datetime), (Date, date), (Time, time), (Boolean, bool), (Integer, int), (Float, float),
          (Numeric, float), (JSON, list))  # fmt: skip


def decode(column, value: object) -> object:
    """A JSON value back to what the column holds. A whole number too large for SQLite's
    INTEGER (64 bits) is read as none, as any other odd value is (wire.decode): written,
    it would stop every pull at that page."""
    kind = _kind(column)
    read = wire.decode(kind, value)
    if kind is int and read is not None and not INT_MIN <= read <= INT_MAX:
        return None
    return read


INT_MIN, INT_MAX = -(2**63), 2**63 - 1


def _blank(column) -> object:
    """A stand-in for a required column the server did not send (an older client's record)."""
    table = getattr(column, "table", None)
    choices = enum_columns(table.name).get(column.name) if table is not None else None
    return choices[1] if choices else wire.blank(_kind(column))


@functools.cache
def enum_columns(table: str) -> dict[str, tuple[frozenset[str], object]]:
    """The table's enum columns (mapping.enum_choices)."""
    cls = RECORDS_BY_TABLE.get(table)
    return {} if cls is None else enum_choices(cls)


def known_choices(table: str, values: dict) -> None:
    """Replace, in a pulled row's `values`, any enum value this version does not know (enum_columns)."""
    for name, (known, instead) in enum_columns(table).items():
        value = values.get(name)
        if value is not None and not (isinstance(value, str) and value in known):  # a list is not hashable
            values[name] = instead


def _chunks(items: list, size: int = CHUNK) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _refused_values(row: dict | None, fields: object) -> object:
    """{field: value} of a refused change, so the words survive the record leaving the laptop."""
    if row is None:
        return _fields(fields)
    return {n: encode(row[n]) for n in _fields(fields) if n in row}


def _parent_table(holder) -> str:
    # visit_entry.visit_id -> visit: the child's parent column names its table.
    return holder.parent_column.removesuffix("_id")


def _fields(value: object) -> list[str]:
    return json.loads(value) if isinstance(value, str) else list(value or [])


def _same_keys(rows: list[dict]) -> Iterator[list[dict]]:
    """executemany needs every row to have the same columns: group them."""
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for row in rows:
        groups[tuple(sorted(row))].append(row)
    yield from groups.values()
