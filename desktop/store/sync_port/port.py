"""StoreSyncPort: sync.client.SyncPort over an open Store, built from its parts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import select

from ..db import Store
from ..sync_audit import AuditSending
from .pulling import Pulling
from .pushing import Pushing
from .values import (
    LOCAL_ONLY,
)


class StoreSyncPort(Pushing, Pulling, AuditSending):
    """sync.client.SyncPort over an open Store (its audit trail: sync_audit.py)."""

    def __init__(self, store: Store, *, hidden: Sequence[str] = ()) -> None:
        """`hidden`: tables to act as if this version did not know (tests play an older client)."""
        self.store = store
        self.tables = store.tables
        self.known = frozenset(name for name in store.tables if name not in LOCAL_ONLY) - set(hidden)
        self._held: dict[tuple[str, str], set[str]] = defaultdict(set)
        self._resend: dict[tuple[str, str], set[str]] = defaultdict(set)
        self.removed: dict[str, int] = {}  # rows removed by the last page's `left` pupils, by table
        self._merged: dict[str, dict[str, str]] = {}

    def known_tables(self) -> list[str]:
        return sorted(self.known)

    def holds_anything(self) -> bool:
        """Whether this profile holds anything of whoever it synced as (before it may log in
        as someone else): a record (pulled, sent or made here) or a server clock
        (holds_nothing), an unsent or refused change, a kept draft, or an audit row about a
        record, which keeps old values after the record itself has left the laptop."""
        if not self.holds_nothing():
            return True
        if any(self.store.count(name) for name in ("outbox", "sync_rejected", "draft")):
            return True
        audit = self.tables["audit_event"]  # "profile" rows: sign-ins, settings, backups
        with self.store.reading() as conn:
            return conn.execute(select(audit.c.id).where(audit.c.entity != "profile").limit(1)).first() is not None
