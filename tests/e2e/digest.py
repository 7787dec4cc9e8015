"""What a refused command must leave as it was, for the tests of hostile input.

Opening a profile writes a sign-in to the audit trail (section 2 of issue 10),
so the files' bytes change whatever the command does. A refused command must
change nothing else: every table's rows (the audit trail's sign-ins aside) and
the key file. A profile that cannot be opened is compared byte for byte."""

from __future__ import annotations

import hashlib
from pathlib import Path

from desktop.store import Store, StoreError

FILES = ("waymark.db", "waymark.db-wal", "waymark.key")


def profile_digest(folder: Path, passphrase: str, *, ignore_settings: tuple[str, ...] = ()) -> str:
    """`ignore_settings`: meta keys a refused command may write (sync's last error, for the status bar)."""
    h = hashlib.sha256()
    key = folder / "waymark.key"
    if key.exists():
        h.update(key.read_bytes())
    try:
        return "rows:" + _rows_digest(folder, passphrase, h, ignore_settings)
    except (StoreError, OSError):  # damaged, or not a profile: its files, byte for byte
        for name in FILES:
            path = folder / name
            if path.exists() and path.stat().st_size:
                h.update(name.encode() + path.read_bytes())
        return "files:" + h.hexdigest()


def _rows_digest(folder: Path, passphrase: str, h, ignore_settings: tuple[str, ...] = ()) -> str:
    store = Store.open(folder, passphrase)
    try:
        with store.reading() as conn:
            for name, table in sorted(store.tables.items()):
                query = table.select()
                if name == "audit_event":
                    query = query.where(table.c.action != "sign-in")
                if name == "meta" and ignore_settings:
                    query = query.where(table.c.key.not_in(ignore_settings))
                rows = sorted(repr(tuple(row)) for row in conn.execute(query))
                h.update(name.encode() + "\n".join(rows).encode())
    finally:
        store.close()
    return h.hexdigest()
