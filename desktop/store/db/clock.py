"""Record ids (UUIDv7) and the hybrid logical clock that stamps every change."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import cache

from sync.protocol.clock import TIME_FORMAT, Stamp, format_stamp, parse_stamp, tick

# A clock seen from the server is believed this far ahead of ours, no further. Adopted, a stamp
# at the end of time would stop every later edit (tick overflows), and stay so, as the newest
# stamp is kept in the profile (sync_clock) and seen again on opening it. The bound is wide on
# purpose: a laptop whose clock is years slow (a flat clock battery) must still adopt the
# server's time, so that its edits sort after what it saw; a stamp far ahead does no harm on
# the server, which clamps every device's stamps to a minute past its own time.
AHEAD = timedelta(days=100 * 365)


def new_id() -> str:
    return str(_uuid7()())


@cache
def _uuid7() -> Callable[[], object]:
    # uuid6 reads its own package metadata when imported (about 0.05 s): a
    # command that makes no record should not pay for it.
    from uuid6 import uuid7

    return uuid7


class Clock:
    """Change stamps on a hybrid logical clock: ISO UTC time, a counter and the
    device. Stamps from one device always sort in the order the changes were
    made, and after `observe()` they sort after every stamp seen from the server
    (every one believed: no further ahead than AHEAD)."""

    def __init__(self, device: str) -> None:
        self.device = device
        self._time = ""
        self._counter = 0
        self._lock = threading.Lock()

    def now(self) -> str:
        with self._lock:
            wall = datetime.now(UTC).strftime(TIME_FORMAT)
            if wall > self._time:
                self._time, self._counter = wall, 0
            else:
                self._time, self._counter, _ = tick(self._time, self._counter, self.device)
            return format_stamp(Stamp(self._time, self._counter, self.device))

    def believable(self, stamp: object) -> bool:
        """Whether `stamp` is a change stamp no further ahead of this laptop's time than AHEAD."""
        try:
            seen = parse_stamp(stamp)
        except ValueError:
            return False
        return seen.time <= (datetime.now(UTC) + AHEAD).strftime(TIME_FORMAT)

    def observe(self, stamp: object) -> None:
        """Never stamp a change below one already seen (a server clock ahead of ours). A stamp
        that is not one, or is further ahead than AHEAD, is not believed: this clock carries on."""
        if not self.believable(stamp):
            return
        seen = parse_stamp(stamp)
        with self._lock:
            if (seen.time, seen.counter) > (self._time, self._counter):
                self._time, self._counter = seen.time, seen.counter
