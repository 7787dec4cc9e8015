"""The audit trail over an open store: list, verify and the sync port.

The chain itself (hashing, canonical encoding, redaction) is in audit.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from . import audit
from .db import Store


def events(
    store: Store,
    *,
    pupil_id: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    limit: int | None = None,
) -> list[Mapping]:
    with store.reading() as conn:
        return audit.list_rows(conn, store.tables["audit_event"], pupil_id=pupil_id, start=start, end=end, limit=limit)


def verify(store: Store) -> audit.Verification:
    table = store.tables["audit_event"]
    with store.reading() as conn:
        rows = conn.execute(table.select().order_by(table.c.seq)).mappings()
        return audit.verify(rows)


def unsent(store: Store, limit: int = 500) -> list[dict]:
    """For the sync engine: the next audit rows to send, oldest first."""
    with store.reading() as conn:
        return audit.unsent(conn, store.tables["audit_event"], limit)


def mark_sent(store: Store, ids: Iterable[str]) -> None:
    """For the sync engine: rows the server acknowledged."""
    with store._begin_write() as conn:
        audit.mark_sent(conn, store.tables["audit_event"], ids)
