"""StoreSyncPort: sync.client.SyncPort over an open Store, built from its parts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

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
