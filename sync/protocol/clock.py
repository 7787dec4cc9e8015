"""Change stamps on a hybrid logical clock: `ISO-time-counter-device`.

`2026-11-22T10:00:00.000000Z-0003-<device id>`: a fixed-width UTC time, a
four-digit counter and the device that made the change. Fixed width means a
plain string comparison orders stamps by time, then counter, then device, so
last-writer-wins is `max()` and ties break the same way on every replica.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
TIME_WIDTH = 27
COUNTER_MAX = 9999


class Stamp(NamedTuple):
    time: str  # fixed-width ISO UTC, TIME_WIDTH characters
    counter: int
    device: str

    def __str__(self) -> str:
        return format_stamp(self)


def format_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(TIME_FORMAT)


def format_stamp(stamp: Stamp) -> str:
    return f"{stamp.time}-{stamp.counter:04d}-{stamp.device}"


# Checked by shape (a regular expression is some twenty times quicker than
# strptime, and every operation carries a stamp); month and day ranges included.
STAMP = re.compile(
    r"(\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{6}Z)"
    r"-(\d{4})-(\S{1,100})"
)


def parse_stamp(text: str) -> Stamp:
    """Split a stamp; ValueError when it is not one."""
    found = STAMP.fullmatch(text) if isinstance(text, str) else None
    if found is None:
        raise ValueError(f"not a change stamp: {text!r}")
    return Stamp(found[1], int(found[2]), found[3])


def stamp_device(text: str) -> str:
    return text[TIME_WIDTH + 6 :]


def tick(time: str, counter: int, device: str) -> Stamp:
    """The next stamp after (time, counter); past the counter's width the time moves on a microsecond."""
    if counter < COUNTER_MAX:
        return Stamp(time, counter + 1, device)
    later = datetime.strptime(time, TIME_FORMAT).replace(tzinfo=UTC) + timedelta(microseconds=1)
    return Stamp(format_time(later), 0, device)


def successor(after: str, device: str) -> str:
    """A stamp just after `after`, made by `device`."""
    stamp = parse_stamp(after)
    return format_stamp(tick(stamp.time, stamp.counter, device))


def clamp(text: str, now: datetime, allowance: timedelta = timedelta(seconds=60), *, limit: str = "") -> str:
    """A stamp from a device whose clock runs ahead is brought back to `now`,
    so a laptop set a day fast cannot win every merge for a day. (`limit`, the
    formatted now + allowance, saves formatting it again for each stamp of a batch.)"""
    if text[:TIME_WIDTH] <= (limit or format_time(now + allowance)):
        return text
    stamp = parse_stamp(text)
    return format_stamp(Stamp(format_time(now), stamp.counter, stamp.device))


DEFAULT = "*"  # in a clocks map: the clock of every field not named


def compress(clocks: dict[str, str]) -> dict[str, str]:
    """Per-field clocks with the commonest one under "*": a record written by one
    change carries one clock, not one per field (less to store, less to send)."""
    if not clocks:
        return {}
    values = list(clocks.values())
    if values.count(values[0]) == len(values):  # the common case, checked without hashing
        return {DEFAULT: values[0]}
    counts: dict[str, int] = {}
    for value in clocks.values():
        counts[value] = counts.get(value, 0) + 1
    common = max(counts, key=lambda v: (counts[v], v))
    return {DEFAULT: common} | {k: v for k, v in clocks.items() if v != common}


def expand(clocks: dict[str, str], fields) -> dict[str, str]:
    """Every field's clock from a compressed map."""
    default = clocks.get(DEFAULT)
    full = {name: clocks.get(name, default) for name in fields}
    return {k: v for k, v in full.items() if v is not None}
