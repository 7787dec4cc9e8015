"""How a record's value goes on the wire and comes off it, by the kind of value
it is on a laptop: dates, times and datetimes as ISO text, the rest as JSON holds
them. One definition for the desktop's sync port (a pulled row read back into its
columns: desktop/store/sync_port/values.py) and the LA server's overview (its rows
read into the desktop's records: sync/server/overview/records.py). Standard
library only, as the rest of the protocol."""

from __future__ import annotations

from datetime import date, datetime, time

# The whole numbers a laptop's SQLite INTEGER (and PostgreSQL's bigint) holds: signed 64 bits.
INT_MIN, INT_MAX = -(2**63), 2**63 - 1
_FLOAT_MIN, _FLOAT_MAX = float(INT_MIN), float(2**63)  # both exact as floats
MAX_ID = 64  # the longest id: an operation's entity_id, and every id column on the server


def encode(value: object) -> object:
    """A value as JSON."""
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    return value


def decode(kind: type, value: object) -> object:
    """A wire value as `kind` (datetime, date, time, bool, int, float, str, list; any other
    kind comes back as it came). A value that is not of its kind and cannot plainly be read
    as it ("9:00" or 9 for a time, "five" for a number, a list for text) is none: one
    laptop's odd value must not stop every other laptop's pull."""
    if value is None:
        return None
    reader = _READERS.get(kind)
    if reader is None:
        return value
    try:
        return reader(value)
    except (TypeError, ValueError, OverflowError):
        return None


def _moment(kind: type, parse) -> object:
    def read(value: object) -> object:
        if type(value) is kind:
            return value
        return parse(value) if isinstance(value, str) else None

    return read


def _number(kind: type):
    def read(value: object) -> object:
        if type(value) is bool or not isinstance(value, int | float):
            return None
        if kind is int and value != int(value):
            return None
        return kind(value)

    return read


def _flag(value: object) -> object:
    if type(value) is bool:
        return value
    return bool(value) if type(value) is int and value in (0, 1) else None


def _text(value: object) -> object:
    if isinstance(value, str):
        return value
    return str(value) if isinstance(value, int | float) else None  # a number as its digits, not a list


_READERS = {
    datetime: _moment(datetime, datetime.fromisoformat),
    date: _moment(date, lambda text: date.fromisoformat(text[:10])),
    time: _moment(time, time.fromisoformat),
    bool: _flag,
    int: _number(int),
    float: _number(float),
    str: _text,
    list: lambda value: value if isinstance(value, list | dict) else None,  # a JSON column: lists today
}


def blank(kind: type) -> object:
    """The stand-in for a required value an older client never sent."""
    if kind in (bool, int, float):
        return kind()
    if kind is list:
        return []
    if kind in (datetime, date):
        return kind(1970, 1, 1)
    return ""


# How deep a record's value may nest (a list of objects holding lists is three): no laptop nests
# further, and JSON writers and readers stop not far past a few hundred (orjson writes 255).
MAX_DEPTH = 32


def unkeepable(value: object) -> str:
    """What in a value (a record's fields, their lists and keys too) neither the LA's server
    nor a laptop can keep: "NUL" (a NUL character in a text: PostgreSQL's text holds none,
    and no laptop types one), "number" (a whole number past signed 64 bits: SQLite's INTEGER
    holds none, and every other laptop's pull would stop on it; a float as large, an infinity
    or NaN too), "depth" (lists or objects nested past MAX_DEPTH), or "". Checked for every
    operation of every push: exact types (JSON's own), no model built, and level by level
    rather than by recursion (a reader gives values nested a thousand deep)."""
    level, depth = [value], 0
    while level:
        inner: list = []
        for item in level:
            kind = type(item)
            if kind is str:
                if "\x00" in item:
                    return "NUL"
            elif kind is int:  # bool is not int here (type, not isinstance): True is kept
                if not INT_MIN <= item <= INT_MAX:
                    return "number"
            elif kind is float:  # a JSON reader (orjson) gives a whole number past 64 bits as a
                # float, which may round to either bound: both are out; so are infinities and NaN
                if not _FLOAT_MIN < item < _FLOAT_MAX:
                    return "number"
            elif kind is dict:
                inner.extend(item)
                inner.extend(item.values())
            elif kind is list:
                inner.extend(item)
        if inner:
            depth += 1
            if depth > MAX_DEPTH:
                return "depth"
        level = inner
    return ""


def is_id(value: object) -> bool:
    """Whether a value can be a record's id in a field that names another record (a pupil_id,
    a visit_id): none, or a text of at most MAX_ID characters. A list or an object there
    cannot name a record, and the server looks records up by it."""
    return value is None or (type(value) is str and len(value) <= MAX_ID)
