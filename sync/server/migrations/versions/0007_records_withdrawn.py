"""A row restricted after it was not (a family note made professional-only)
keeps the feed number of that write and the server's stamp just after its
newest clock (`withdrawn_seq`, `withdrawn_clock`): roles that may not see it now are sent its withdrawal once
(scope.visible_records, feed._served), so their laptops drop its words.

Rows already so before this version are found and withdrawn here, moved to the
end of the feed so laptops that hold them are told:
- conflict records about notes and concerns written open (before such
  conflicts were restricted);
- professional-only notes whose visibility was written after the note was
  made (so it may have been a family note once).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 14:30:00
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

from sync.protocol.clock import successor

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# The restriction each kind of note gives a conflict about it (merge.Merger._restriction).
NOTE_RESTRICTION = {"concern": "concern", "visit_note": "professional"}


def _dict(value: object) -> dict:
    value = json.loads(value) if isinstance(value, str) else value
    return value if isinstance(value, dict) else {}


def _withdrawn(entity: str, data: dict, clocks: dict, restricted: str) -> tuple[str, str] | None:
    """(restriction, clock of the withdrawal) for a row to withdraw now, else None."""
    if not clocks:
        return None
    newest, made = max(clocks.values()), min(clocks.values())
    if entity == "sync_conflict" and not restricted and data.get("entity") in NOTE_RESTRICTION:
        return NOTE_RESTRICTION[data["entity"]], newest
    if entity == "visit_note" and restricted == "professional":
        visibility = clocks.get("visibility", clocks.get("*", made))
        if visibility > made:  # its visibility was written after the note was made
            return restricted, visibility
    return None


def upgrade() -> None:
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.add_column(sa.Column("withdrawn_seq", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("withdrawn_clock", sa.String(length=120), nullable=False, server_default=""))
    records = sa.table(
        "records",
        sa.column("entity", sa.String),
        sa.column("entity_id", sa.String),
        sa.column("data", sa.Text),
        sa.column("clocks", sa.Text),
        sa.column("seq", sa.BigInteger),
        sa.column("restricted", sa.String),
        sa.column("withdrawn_seq", sa.BigInteger),
        sa.column("withdrawn_clock", sa.String),
    )
    feed = sa.table("feed", sa.column("id", sa.Integer), sa.column("last", sa.BigInteger))
    conn = op.get_bind()
    found = conn.execute(
        sa.select(
            records.c.entity,
            records.c.entity_id,
            sa.cast(records.c.data, sa.Text),
            sa.cast(records.c.clocks, sa.Text),
            records.c.restricted,
        )
        .where(records.c.entity.in_(["sync_conflict", "visit_note"]))
        .order_by(records.c.seq)
    ).all()
    withdraw = []
    for entity, entity_id, data, clocks, restricted in found:
        clocks = {k: v for k, v in _dict(clocks).items() if isinstance(v, str)}
        made = _withdrawn(entity, _dict(data), clocks, restricted)
        if made:
            withdraw.append((entity, entity_id, *made))
    if not withdraw:
        return
    last = conn.execute(sa.select(feed.c.last).where(feed.c.id == 1)).scalar_one()
    for number, (entity, entity_id, restriction, clock) in enumerate(withdraw, start=last + 1):
        stamp = successor(clock, "server")  # when it went, not from which laptop (as merge/writing.py)
        conn.execute(
            records.update()
            .where(records.c.entity == entity, records.c.entity_id == entity_id)
            .values(restricted=restriction, seq=number, withdrawn_seq=number, withdrawn_clock=stamp)
        )
    conn.execute(feed.update().where(feed.c.id == 1).values(last=last + len(withdraw)))


def downgrade() -> None:
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.drop_column("withdrawn_clock")
        batch_op.drop_column("withdrawn_seq")
