"""The server's `records` rows as the desktop's domain records, and the sums over
visits the summary needs, in SQL that PostgreSQL and SQLite both run.

A row's `data` holds the fields as the desktop's sync port wrote them
(sync.protocol.values): dates, times and datetimes as ISO text, enums by value,
lists as lists. They are read back here by the domain record's own field types
with the laptop's own reader (sync.protocol.values.decode).
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections import defaultdict
from collections.abc import Callable
from datetime import date, time
from enum import Enum
from functools import cache
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Connection, and_, func, select

from desktop.domain.enums import Outcome
from desktop.domain.records import contact_minutes
from desktop.store.mapping import TABLES, column_fields, enum_choices
from sync.protocol import values as wire

from ..tables import Record

RECORDS = Record.__table__
T = TypeVar("T")


class Unreadable(ValueError):
    """A row this version cannot make a record of (its fields break the record's own rules):
    the record is left out."""


def _iso(kind: type) -> Callable[[object], object]:
    return lambda value: wire.decode(kind, value)  # as a laptop reads it: a date that does not parse is none


def _kind(hint: object) -> tuple[type, bool]:
    """A field's kind of value, and whether it may be none."""
    options = typing.get_args(hint) if isinstance(hint, types.UnionType) else (hint,)
    kinds = [o for o in options if o is not type(None)]
    kind = typing.get_origin(kinds[0]) or kinds[0]
    return kind, len(kinds) < len(options)


def _choice(kind: type[Enum], known: frozenset[str], instead: object) -> Callable[[object], object]:
    def read(value: object) -> object:
        value = value if isinstance(value, str) and value in known else instead
        return None if value is None else kind(value)

    return read


def _value(kind: type, blank: object) -> Callable[[object], object]:
    def read(value: object) -> object:
        value = wire.decode(kind, value)
        return blank if value is None else value

    return read


@cache
def _fields(cls: type) -> tuple[tuple[str, Callable[[object], object], Callable[[], object]], ...]:
    """(name, read a wire value, the value when the field was never sent) for each stored field.
    A value is read as a laptop's pull stores it (desktop/store/sync_port): by its kind
    (sync.protocol.values.decode), a choice this version does not know as the field's
    default (mapping.enum_choices), and a required value that cannot be read as the blank a
    laptop gives it. So the overview counts what the laptops show."""
    hints = typing.get_type_hints(cls)
    choices = enum_choices(cls)
    found = []
    for f in dataclasses.fields(cls):
        if f.name not in column_fields(cls):
            continue  # a collection (a visit's entries): kept in rows of its own
        kind, optional = _kind(hints[f.name])
        if f.name in choices:
            read = _choice(kind, *choices[f.name])
        else:
            read = _value(kind, None if optional else wire.blank(kind))
        if f.default is not dataclasses.MISSING:
            missing = lambda d=f.default: d  # noqa: E731
        elif f.default_factory is not dataclasses.MISSING:
            missing = f.default_factory
        else:
            missing = lambda r=read: r(None)  # noqa: E731
        found.append((f.name, read, missing))
    return tuple(found)


def to_record(cls: type[T], entity_id: str, data: dict[str, Any]) -> T:
    """The domain record a row holds; raises Unreadable for one this version cannot read."""
    values: dict[str, object] = {"id": entity_id} if "id" in column_fields(cls) else {}
    for name, read, missing in _fields(cls):
        if name != "id":
            values[name] = read(data[name]) if name in data else missing()
    try:
        return cls(**values)
    except (TypeError, ValueError) as exc:  # the record's own rules refuse it: leave it out
        raise Unreadable(f"{cls.__name__}: {type(exc).__name__}") from exc


def live(conn: Connection, cls: type[T], left_out: dict[tuple[str, str], str] | None = None) -> list[T]:
    """Every live (not deleted) record of a kind, in the change feed's order (the
    order a laptop that pulled everything holds them in). A record this version
    cannot read is left out, and named in `left_out` ((table, id) -> why) when given."""
    table = TABLES[cls]
    rows = conn.execute(
        select(RECORDS.c.entity_id, RECORDS.c.data)
        .where(RECORDS.c.entity == table, RECORDS.c.deleted.is_(False))
        .order_by(RECORDS.c.seq)
    )
    found = []
    for entity_id, data in rows:
        try:
            found.append(to_record(cls, entity_id, data))
        except Unreadable as exc:
            if left_out is not None:
                left_out[(table, entity_id)] = str(exc)
    return found


# --- visits: summed and ranked in SQL, never loaded whole ---------------------------
#
# A child's entry names its pupil and its visit; the merge keeps both in the row's
# own indexed columns (owner_pupil, parent_id: sync/server/shapes.py), so the joins
# below need no JSON.

_ENTRY, _VISIT = RECORDS.alias("entry"), RECORDS.alias("visit")
_day = _VISIT.c.data["date"].as_string()
_start, _end = _VISIT.c.data["start"].as_string(), _VISIT.c.data["end"].as_string()
_ENTRIES = _ENTRY.join(_VISIT, and_(_VISIT.c.entity == "visit", _VISIT.c.entity_id == _ENTRY.c.parent_id))
_LIVE_ENTRY = and_(_ENTRY.c.entity == "visit_entry", _ENTRY.c.deleted.is_(False))


def _is_text(conn: Connection, field: str) -> ColumnElement[bool]:
    """The visit's `field` holds a JSON string (a number is no time, on either database:
    PostgreSQL's ->> would give it as text, SQLite's json_extract as a number)."""
    if conn.dialect.name == "postgresql":
        return func.json_typeof(_VISIT.c.data[field]) == "string"
    return func.json_type(_VISIT.c.data, f"$.{field}") == "text"


def hours_delivered(conn: Connection, start: date, end: date) -> dict[str, float]:
    """Each pupil's hours of contact from `start` to `end`, as Visit.hours_for gives
    them: held visits with both times, the child seen. Counted in the database by
    pupil and pair of times; each pair's times are read here in Python, as a laptop
    reads them (a time neither reads, "9:00", is no time: the same on both databases)."""
    rows = conn.execute(
        select(_ENTRY.c.owner_pupil, _start, _end, func.count())
        .select_from(_ENTRIES)
        .where(
            _LIVE_ENTRY,
            _ENTRY.c.data["seen"].as_boolean().is_(True),
            _VISIT.c.deleted.is_(False),
            _day >= start.isoformat(),
            _day <= end.isoformat(),
            _VISIT.c.data["outcome"].as_string() == Outcome.HELD.value,
            _is_text(conn, "start"),
            _is_text(conn, "end"),
        )
        .group_by(_ENTRY.c.owner_pupil, _start, _end)
    )
    read = _iso(time)
    minutes: dict[str, int] = defaultdict(int)
    for pupil_id, begun, ended, visits in rows:
        if pupil_id:
            minutes[pupil_id] += contact_minutes(read(begun), read(ended)) * visits
    return {pupil_id: total / 60 for pupil_id, total in minutes.items()}


def latest_visits(conn: Connection) -> tuple[dict[str, date], dict[str, str]]:
    """Each pupil's latest visit day by their live entries (as the laptop's caseload
    list reads it), and who made their newest live visit: in one pass over the
    entries, ranked in the database by the timeline's own order (Visit.order: the
    day, then the start, an untimed visit first in its day, then the id)."""
    newest = func.row_number().over(
        partition_by=_ENTRY.c.owner_pupil,
        order_by=(
            _VISIT.c.deleted,
            _day.desc(),
            func.coalesce(_start, time.min.isoformat()).desc(),
            _VISIT.c.entity_id.desc(),  # ids have one shape (hex and dashes): any collation orders them as Python does
        ),
    )
    ranked = (
        select(
            _ENTRY.c.owner_pupil.label("pupil"),
            func.max(_day).over(partition_by=_ENTRY.c.owner_pupil).label("last"),
            _VISIT.c.deleted.label("deleted"),
            _VISIT.c.data["worker"].as_string().label("worker"),
            newest.label("n"),
        )
        .select_from(_ENTRIES)
        .where(_LIVE_ENTRY)
        .subquery("ranked")
    )
    rows = conn.execute(select(ranked.c.pupil, ranked.c.last, ranked.c.deleted, ranked.c.worker).where(ranked.c.n == 1))
    read = _iso(date)
    last_visits, workers = {}, {}
    for pupil_id, last, deleted, worker in rows:
        if pupil_id and (day := read(last)):
            last_visits[pupil_id] = day
        if pupil_id and not deleted:  # all of a pupil's visits deleted: no worker
            workers[pupil_id] = worker or ""
    return last_visits, workers
