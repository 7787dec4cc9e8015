"""The encrypted store: one SQLCipher 4 database per profile.

A profile directory holds `waymark.db` (SQLCipher, WAL, synchronous=FULL) and
`waymark.key` (the database key wrapped by the passphrase; see keys.py).
Every write goes through `Store.transaction()`, which commits the change, its
sync outbox entries and its audit event together, or none of them.

One file per part: files (connecting, damage), clock (ids and change stamps),
sqla (SQLAlchemy, loaded on first query), base (connections, engine, settings),
opening, writing, reading and transaction; store.py assembles `Store`.
"""

from __future__ import annotations

from ..keys import NotAStore, StoreClosed, StoreError, WrongPassphrase
from .clock import Clock, new_id
from .files import DB_NAME, KEY_NAME, PLAIN_SQLITE_HEADER
from .store import Store
from .transaction import Transaction

__all__ = [
    "DB_NAME",
    "KEY_NAME",
    "PLAIN_SQLITE_HEADER",
    "Clock",
    "NotAStore",
    "Store",
    "StoreClosed",
    "StoreError",
    "Transaction",
    "WrongPassphrase",
    "new_id",
]
