"""Change stamps on a hybrid logical clock: `ISO-time-counter-device`.

`2026-11-22T10:00:00.000000Z-0003-<device id>`: a fixed-width UTC time, a
four-digit counter and the device that made the change. Fixed width means a
plain string comparison orders stamps by time, then counter, then device, so
last-writer-wins is `max()` and ties break the same way on every replica.
"""

from __future__ import annotations

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


def parse_stamp(text: str) -> Stamp:
    """Split a stamp; ValueError when it is not one."""
    if len(text) < TIME_WIDTH + 7 or text[TIME_WIDTH] != "-" or text[TIME_WIDTH + 5] != "-":
        raise ValueError(f"not a change stamp: {text!r}")
    time, counter, device = text[:TIME_WIDTH], text[TIME_WIDTH + 1 : TIME_WIDTH + 5], text[TIME_WIDTH + 6 :]
    datetime.strptime(time, TIME_FORMAT)  # raises ValueError when malformed
    if not counter.isdigit() or not device:
        raise ValueError(f"not a change stamp: {text!r}")
    return Stamp(time, int(counter), device)


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


def clamp(text: str, now: datetime, allowance: timedelta = timedelta(seconds=60)) -> str:
    """A stamp from a device whose clock runs ahead is brought back to `now`,
    so a laptop set a day fast cannot win every merge for a day."""
    stamp = parse_stamp(text)
    if stamp.time > format_time(now + allowance):
        return format_stamp(Stamp(format_time(now), stamp.counter, stamp.device))
    return text
