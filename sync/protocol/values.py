"""How a record's value goes on the wire and comes off it, by the kind of value
it is on a laptop: dates, times and datetimes as ISO text, the rest as JSON holds
them. One definition for the desktop's sync port (a pulled row read back into its
columns: desktop/store/sync_port/values.py) and the LA server's overview (its rows
read into the desktop's records: sync/server/overview/records.py). Standard
library only, as the rest of the protocol."""

from __future__ import annotations

from datetime import date, datetime, time


def encode(value: object) -> object:
    """A value as JSON."""
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    return value


def decode(kind: type, value: object) -> object:
    """A wire value as `kind` (datetime, date, time, bool; any other kind comes back as
    it came). A date or time that does not parse ("9:00", "soon") is none."""
    if value is None:
        return None
    try:
        if kind is datetime:
            return datetime.fromisoformat(value) if isinstance(value, str) else value
        if kind is date:
            return date.fromisoformat(value[:10]) if isinstance(value, str) else value
        if kind is time:
            return time.fromisoformat(value) if isinstance(value, str) else value
        if kind is bool:
            return bool(value)
    except (TypeError, ValueError):
        return None
    return value


def blank(kind: type) -> object:
    """The stand-in for a required value an older client never sent."""
    if kind in (bool, int, float):
        return kind()
    if kind is list:
        return []
    if kind in (datetime, date):
        return kind(1970, 1, 1)
    return ""
