"""The store's side of sync: the port sync/client talks to (sync.client.SyncPort).

The outbox becomes operations (each field sent once, with the stamp of its
latest change and the server clock this device last saw for it); pulled
records are written with the cursor in one transaction, never re-queued, and
never over a field that has an unsent local change. Foreign keys are not
checked while a page is applied: a page may bring a child before its parent
(a record re-sent under a newer number), and a school's copy holds visits
whose other children it may not see.
"""

from __future__ import annotations

from .port import StoreSyncPort
from .values import (
    BACKFILL,
    CHUNK,
    CLOCK,
    CURSOR,
    CURSOR_TABLES,
    KNOWN_AT_SCHEMA_9,
    LOCAL_ONLY,
    MERGED,
    NATURAL_KEYS,
    NOT_SENT,
    ROLE,
    decode,
    encode,
)

__all__ = [
    "BACKFILL",
    "CHUNK",
    "CLOCK",
    "CURSOR",
    "CURSOR_TABLES",
    "KNOWN_AT_SCHEMA_9",
    "LOCAL_ONLY",
    "MERGED",
    "NATURAL_KEYS",
    "NOT_SENT",
    "ROLE",
    "StoreSyncPort",
    "decode",
    "encode",
]
