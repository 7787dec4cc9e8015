"""Drafts of forms being typed: one row per (kind, key), written as the user types.

Drafts stay on this device (no outbox, no audit: a keystroke is not a change to
the record) but live in the encrypted database like everything else, never in
a settings file or a temporary file. They go straight through the driver, as
settings do: one statement each, and no SQLAlchemy for a keystroke."""

from __future__ import annotations

import json
from datetime import datetime

from desktop.domain.records import Draft

from .db import Store

_COLUMNS = "kind, key, title, context, fields, saved_at"


def save(store: Store, draft: Draft) -> None:
    saved_at = (draft.saved_at or datetime.now()).isoformat(sep=" ")
    with store._driver() as conn:  # one statement: atomic on its own
        conn.execute(
            f"INSERT OR REPLACE INTO draft ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)",
            (draft.kind, draft.key, draft.title, json.dumps(draft.context), json.dumps(draft.fields), saved_at),
        )


def _draft(row: tuple) -> Draft:
    kind, key, title, context, fields, saved_at = row
    return Draft(
        kind=kind,
        key=key,
        title=title,
        context=json.loads(context),
        fields=json.loads(fields),
        saved_at=datetime.fromisoformat(saved_at) if saved_at else None,
    )


def load(store: Store, kind: str, key: str) -> Draft | None:
    with store._driver() as conn:
        rows = conn.execute(f"SELECT {_COLUMNS} FROM draft WHERE kind = ? AND key = ?", (kind, key)).fetchall()
    return _draft(rows[0]) if rows else None


def newest_first(store: Store) -> list[Draft]:
    with store._driver() as conn:
        rows = conn.execute(f"SELECT {_COLUMNS} FROM draft ORDER BY saved_at DESC").fetchall()
    return [_draft(row) for row in rows]


def discard(store: Store, kind: str, key: str) -> bool:
    with store._driver() as conn:
        return conn.execute("DELETE FROM draft WHERE kind = ? AND key = ?", (kind, key)).rowcount > 0
