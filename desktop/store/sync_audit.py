"""The audit trail's side of sync (part of StoreSyncPort, sync_port/): the
rows not yet sent, in chain order, and marking them sent once the server holds them."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import update

from sync.protocol import AuditRow
from sync.protocol.chain import json_value

from . import audit
from .db import Store

CHUNK = 500


class AuditSending:
    """sync.client.AuditPort, mixed into StoreSyncPort."""

    store: Store
    tables: dict

    def audit_pending(self, limit: int) -> tuple[str, list[AuditRow]]:
        """This profile's trail id (its device id) and its oldest unsent rows."""
        with self.store.reading() as conn:
            rows = audit.unsent(conn, self.tables["audit_event"], limit)
        return self.store.device, [
            AuditRow(
                id=r["id"],
                seq=r["seq"],
                at=r["at"],
                actor=r["actor"] or "",
                action=r["action"],
                entity=r["entity"] or "",
                entity_id=r["entity_id"] or "",
                summary=r["summary"] or "",
                pupil_ids=list(json_value(r["pupil_ids"], [])),
                changes=dict(json_value(r["changes"], {})),
                salt=r["salt"] or "",
                content_hash=r["content_hash"],
                prev_hash=r["prev_hash"],
                hash=r["hash"],
                redacted=bool(r["redacted"]),
            )
            for r in rows
        ]

    def audit_sent(self, rows: Sequence[AuditRow]) -> None:
        """Marked sent only as they were sent: a row blanked by an erasure since stays unsent."""
        table = self.tables["audit_event"]
        with self.store._begin_write() as conn:
            for redacted in (False, True):
                ids = [r.id for r in rows if r.redacted is redacted]
                for i in range(0, len(ids), CHUNK):
                    chunk = ids[i : i + CHUNK]
                    conn.execute(
                        update(table).where(table.c.id.in_(chunk), table.c.redacted.is_(redacted)).values(sent=True)
                    )
