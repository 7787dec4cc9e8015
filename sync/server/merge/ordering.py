"""Pushes of one device taken in the order it sent them (PushRequest.after): a batch
waits, briefly and a few at a time, for the batch sent before it."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, bindparam, select

from ..tables import AppliedOp

# How long a push waits for the batch its device sent just before it (PushRequest.after),
# and how often it looks: soon at first, then less often (each look is a query).
ORDER_WAIT = 10.0
ORDER_POLL = (0.001, 0.008)
# Batches of a process that may wait at once. A waiting batch holds a request thread (and on
# PostgreSQL a database connection): without a cap, waiters could take every slot the batches
# they wait for need. One beyond it is answered 409 at once and sent again in order.
MAX_WAITING = 8
_waiting = threading.BoundedSemaphore(MAX_WAITING)


def cap_waiting(threads: int) -> None:
    """Let at most half of a process's `threads` request threads wait (at least one): the
    rest stay free for the batches waited for. The app sets it as it starts (create_app)."""
    global _waiting
    _waiting = threading.BoundedSemaphore(max(1, min(MAX_WAITING, threads // 2)))


class OutOfOrder(Exception):
    """The batch the device sent before this one has not arrived (its request failed)."""


_APPLIED = select(AppliedOp.op_id).where(AppliedOp.op_id == bindparam("op_id"))


def is_applied(conn: Connection, op_id: str) -> bool:
    return conn.execute(_APPLIED, {"op_id": op_id}).first() is not None


def wait_until(done: Callable[[], bool]) -> None:
    """Until `done()` (each call sees what others committed since); OutOfOrder after ORDER_WAIT,
    or at once when MAX_WAITING batches of this process are waiting already."""
    if done():
        return
    with _waiting_slot():
        deadline = time.monotonic() + ORDER_WAIT
        pause, longest = ORDER_POLL
        while not done():
            if time.monotonic() > deadline:
                raise OutOfOrder()
            time.sleep(pause)
            pause = min(pause * 2, longest)


@contextmanager
def _waiting_slot() -> Iterator[None]:
    slots = _waiting  # the one taken from is the one given back, should cap_waiting replace it meanwhile
    if not slots.acquire(blocking=False):
        raise OutOfOrder()
    try:
        yield
    finally:
        slots.release()
