"""Applying a push: each operation once, per-field last-writer-wins on the
hybrid logical clock, free-text conflicts kept, scope checked per operation.

A push runs in one transaction. It merges and writes what it can first, then
takes the feed row's lock to give out its rows' numbers, so sequence numbers
are handed out in commit order: a reader that has seen number N has seen every
number below it (merger.Merger.apply). The whole batch is worked in memory
(rows loaded a few queries at a time), then written in bulk.

Parts: rows.py (the rows in memory), loading.py, membership.py (which pupils
a row belongs to), refusals.py (role and scope, per operation), checks.py
(values that cannot be kept), ordering.py (a device's batches in the order
sent), writing.py, merger.py (the push and each operation).
"""

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from sync.protocol import Op

from .. import db
from ..tables import User
from .merger import Merger
from .ordering import OutOfOrder, cap_waiting, is_applied, wait_until

__all__ = ["Merger", "OutOfOrder", "cap_waiting", "push"]

ATTEMPTS = 3


def push(
    engine: Engine,
    user: User,
    device_id: str,
    ops: list[Op],
    after: str | None = None,
    merger: type[Merger] = Merger,
) -> Merger:
    """Merge and write a push in a transaction of its own; the merger holds the answer
    (`results`, `conflicts`). A push that met rows written meanwhile that its merge did not
    foresee (db.WrittenMeanwhile), or that PostgreSQL rolled back for another's sake (a deadlock), is
    merged again from the start. `after`: the last operation
    of the batch the device sent before this one, applied first (OutOfOrder if it never comes).
    On PostgreSQL the merge is worked out while that batch is written; SQLite's single
    writer waits for it before it begins."""
    if after and engine.dialect.name != "postgresql":

        def arrived() -> bool:
            with db.reading(engine) as conn:
                return is_applied(conn, after)

        wait_until(arrived)
    for attempt in range(1, ATTEMPTS + 1):
        try:
            with db.writing(engine) as conn:
                done = merger(conn, user, device_id)
                done.results, done.conflicts = done.apply(ops, after)
            return done
        except db.WrittenMeanwhile:
            if attempt == ATTEMPTS:
                raise
        except DBAPIError as exc:
            # A deadlock or serialization failure: PostgreSQL rolled this push back for another's
            # sake. Merged again; after the last attempt answered as busy (503), never as a fault.
            if not db.rolled_back(exc):
                raise
            if attempt == ATTEMPTS:
                raise db.WrittenMeanwhile(str(exc.orig)) from exc
    raise AssertionError("unreachable")
