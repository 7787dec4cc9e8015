"""Drafts of forms being typed: one row per (kind, key), written as the user types.

Drafts stay on this device (no outbox, no audit: a keystroke is not a change to
the record) but live in the encrypted database like everything else, never in
a settings file or a temporary file."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import delete, insert, select

from desktop.domain.records import Draft

from .db import Store


def save(store: Store, draft: Draft) -> None:
    table = store.tables["draft"]
    with store.local_write() as conn:
        conn.execute(delete(table).where(table.c.kind == draft.kind, table.c.key == draft.key))
        conn.execute(
            insert(table).values(
                kind=draft.kind,
                key=draft.key,
                title=draft.title,
                context=json.dumps(draft.context),
                fields=json.dumps(draft.fields),
                saved_at=draft.saved_at,
            )
        )


def _draft(row) -> Draft:
    saved_at = row["saved_at"]
    return Draft(
        kind=row["kind"],
        key=row["key"],
        title=row["title"],
        context=json.loads(row["context"]),
        fields=json.loads(row["fields"]),
        saved_at=saved_at if isinstance(saved_at, datetime) else datetime.fromisoformat(saved_at),
    )


def load(store: Store, kind: str, key: str) -> Draft | None:
    table = store.tables["draft"]
    with store.reading() as conn:
        row = conn.execute(select(table).where(table.c.kind == kind, table.c.key == key)).mappings().first()
    return _draft(row) if row else None


def newest_first(store: Store) -> list[Draft]:
    table = store.tables["draft"]
    with store.reading() as conn:
        rows = conn.execute(select(table).order_by(table.c.saved_at.desc())).mappings().all()
    return [_draft(row) for row in rows]


def discard(store: Store, kind: str, key: str) -> bool:
    table = store.tables["draft"]
    with store.local_write() as conn:
        return conn.execute(delete(table).where(table.c.kind == kind, table.c.key == key)).rowcount > 0
