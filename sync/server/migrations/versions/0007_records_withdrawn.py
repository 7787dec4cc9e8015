"""A row restricted after it was not (a family note made professional-only) is
marked `withdrawn`, and roles that may not see it now are sent its withdrawal
(scope.visible_records, feed._served), so their laptops drop its words.

Conflict records about notes and concerns written before such conflicts were
made restricted (they were as open as the note was then) are restricted now,
marked withdrawn and moved to the end of the feed, so schools' laptops that
hold them are told.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 14:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# The restriction each kind of note gives a conflict about it (merge.Merger._restriction).
NOTE_RESTRICTION = {"concern": "concern", "visit_note": "professional"}


def upgrade() -> None:
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.add_column(sa.Column("withdrawn", sa.Boolean(), nullable=False, server_default=sa.false()))
    records = sa.table(
        "records",
        sa.column("entity", sa.String),
        sa.column("entity_id", sa.String),
        sa.column("data", sa.JSON),
        sa.column("seq", sa.BigInteger),
        sa.column("restricted", sa.String),
        sa.column("withdrawn", sa.Boolean),
    )
    feed = sa.table("feed", sa.column("id", sa.Integer), sa.column("last", sa.BigInteger))
    conn = op.get_bind()
    open_conflicts = conn.execute(
        sa.select(records.c.entity_id, records.c.data)
        .where(records.c.entity == "sync_conflict", records.c.restricted == "")
        .order_by(records.c.seq)
    ).all()
    about_notes = [(entity_id, NOTE_RESTRICTION[data.get("entity")]) for entity_id, data in open_conflicts
                   if isinstance(data, dict) and data.get("entity") in NOTE_RESTRICTION]  # fmt: skip
    if not about_notes:
        return
    last = conn.execute(sa.select(feed.c.last).where(feed.c.id == 1)).scalar_one()
    for number, (entity_id, restriction) in enumerate(about_notes, start=last + 1):
        conn.execute(
            records.update()
            .where(records.c.entity == "sync_conflict", records.c.entity_id == entity_id)
            .values(restricted=restriction, withdrawn=True, seq=number)
        )
    conn.execute(feed.update().where(feed.c.id == 1).values(last=last + len(about_notes)))


def downgrade() -> None:
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.drop_column("withdrawn")
