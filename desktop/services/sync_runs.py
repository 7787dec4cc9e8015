"""The syncs running on one open profile, so that locking it stops them first.

A background sync runs on the network pool while the lock closes the store on the
store thread. The lock tells every sync to stop (the sync client looks between
requests and pages), waits a little for them to end, and only then writes its audit
row and closes the store; a sync that has not ended by then finds the store closed
(StoreClosed) and ends quietly. One sync at a time per profile file, across
unlocks: a sync after the next unlock waits for one from before the lock to end.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sync.client import SyncError

LOCK_WAIT = 5.0  # seconds the lock waits for a sync to stop (on the store thread, never the window's)
EARLIER_WAIT = 90.0  # seconds a sync waits for one from before the lock (one request's timeout, and some)
STOPPED_WORDS = "Sync stopped: the profile was locked. It goes on after the next unlock; nothing was lost."

_by_profile: dict[str, threading.Lock] = {}
_by_profile_guard = threading.Lock()


class SyncStopped(SyncError):
    """The sync ended because the profile was locked; what it had done is kept."""

    def __init__(self, message: str = STOPPED_WORDS) -> None:
        super().__init__(message)


def _profile_lock(path: Path | None) -> threading.Lock:
    key = str(Path(path).resolve()) if path is not None else ""
    with _by_profile_guard:
        return _by_profile.setdefault(key, threading.Lock())


class SyncRuns:
    """The syncs of one open profile (one `Waymark`): started through `running()`,
    stopped by `stop()` when the profile locks."""

    def __init__(self, path: Path | None) -> None:
        self.stopping = threading.Event()
        self._path = path
        self._threads: set[int] = set()  # idents of the threads syncing now
        self._changed = threading.Condition()

    @contextmanager
    def running(self) -> Iterator[threading.Event]:
        """Around one sync: refuses once the profile is locking, waits for any other sync of
        this profile file to end, and yields the event the sync client checks."""
        if self.stopping.is_set():
            raise SyncStopped()
        me = threading.get_ident()
        with self._changed:
            self._threads.add(me)
        one_at_a_time = _profile_lock(self._path)
        try:
            deadline = time.monotonic() + EARLIER_WAIT
            while not one_at_a_time.acquire(timeout=0.1):  # another sync of this profile is ending
                if self.stopping.is_set():
                    raise SyncStopped()
                if time.monotonic() > deadline:
                    raise SyncError("An earlier sync is still finishing. Your changes are kept and will be sent later.")
            try:
                yield self.stopping
            finally:
                one_at_a_time.release()
        finally:
            with self._changed:
                self._threads.discard(me)
                self._changed.notify_all()

    @property
    def active(self) -> int:
        with self._changed:
            return len(self._threads)

    def stop(self, wait: float | None = None) -> bool:
        """Tell every sync to stop and wait up to `wait` seconds for those on other threads
        (one on this thread, a lock from inside a sync, cannot be waited for). True when
        none is left running elsewhere."""
        self.stopping.set()
        me = threading.get_ident()
        with self._changed:
            return self._changed.wait_for(
                lambda: not (self._threads - {me}), timeout=LOCK_WAIT if wait is None else wait
            )
