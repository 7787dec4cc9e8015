"""The encrypted SQLCipher store: keys, migrations, record mapping, outbox and audit."""

from .db import NotAStore, Store, StoreClosed, StoreError, Transaction, WrongPassphrase, new_id

__all__ = ["NotAStore", "Store", "StoreClosed", "StoreError", "Transaction", "WrongPassphrase", "new_id"]
