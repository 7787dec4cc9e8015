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
from datetime import date, datetime, time
from enum import Enum
from functools import cache
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Connection, and_, func, select

from desktop.domain.enums import Outcome
from desktop.domain.records import contact_minutes
from desktop.store.mapping import TABLES, column_fields
from sync.protocol import values as wire

from ..tables import Record

RECORDS = Record.__table__
T = TypeVar("T")


class Unreadable(ValueError):
    """A value this version cannot read (a newer laptop's kind of provision): the record is left out."""


def _iso(kind: type) -> Callable[[object], object]:
    return lambda value: wire.decode(kind, value)  # as a laptop reads it: a date that does not parse is none


def _enum(kind: type[Enum]) -> Callable[[object], object]:
    def read(value: object) -> object:
        try:
            return kind(value)
        except ValueError:
            raise Unreadable(f"{value!r} is not a {kind.__name__}") from None

    return read


def _reader(hint: object) -> Callable[[object], object]:
    options = [o for o in typing.get_args(hint) if o is not type(None)] if isinstance(hint, types.UnionType) else [hint]
    kind = typing.get_origin(options[0]) or options[0]
    if isinstance(kind, type) and issubclass(kind, Enum):
        return _enum(kind)
    if kind in (date, datetime, time):
        return _iso(kind)
    if kind in (int, float):
        return kind  # strict: "five" hours is of the wrong kind, and the record is left out
    if kind is bool:
        return _iso(bool)
    if kind is list:
        return list
    return lambda value: value


def _blank(hint: object) -> object:
    """A required field an older laptop never sent: the stand-in the laptop's pull gives it."""
    kind = typing.get_origin(hint) or hint
    if isinstance(kind, type) and issubclass(kind, Enum):
        raise Unreadable(f"no {kind.__name__}")
    return wire.blank(kind)


@cache
def _fields(cls: type) -> tuple[tuple[str, Callable[[object], object], Callable[[], object]], ...]:
    """(name, read a wire value, the value when the field was never sent) for each stored field."""
    hints = typing.get_type_hints(cls)
    found = []
    for f in dataclasses.fields(cls):
        if f.name not in column_fields(cls):
            continue  # a collection (a visit's entries): kept in rows of its own
        if f.default is not dataclasses.MISSING:
            missing = lambda d=f.default: d  # noqa: E731
        elif f.default_factory is not dataclasses.MISSING:
            missing = f.default_factory
        else:
            missing = lambda h=hints[f.name]: _blank(h)  # noqa: E731
        found.append((f.name, _reader(hints[f.name]), missing))
    return tuple(found)


def to_record(cls: type[T], entity_id: str, data: dict[str, Any]) -> T:
    """The domain record a row holds; raises Unreadable for one this version cannot read."""
    values: dict[str, object] = {}
    for name, read, missing in _fields(cls):
        if name == "id":
            values[name] = entity_id
        elif name not in data:
            values[name] = missing()
        else:
            value = data[name]
            try:
                values[name] = None if value is None else read(value)
            except (TypeError, ValueError) as exc:  # a value of the wrong kind: leave the record out
                raise Unreadable(f"{cls.__name__}.{name}: {value!r}") from exc
    return cls(**values)


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
