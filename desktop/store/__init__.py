"""The encrypted SQLCipher store: keys, migrations, record mapping, outbox and audit."""

from .db import NotAStore, Store, StoreError, Transaction, WrongPassphrase, new_id

__all__ = ["NotAStore", "Store", "StoreError", "Transaction", "WrongPassphrase", "new_id"]
