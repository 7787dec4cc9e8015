"""Indexes for a scoped pull: records by the pupil they name (in feed order), and
the rows that name no pupil by their author (a scoped pull's orphans), so a
worker's or a school's first pull reads its own rows, not the whole feed.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 10:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

UNOWNED = sa.text("owner_pupil IS NULL")


def upgrade() -> None:
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.create_index("ix_records_owner_pupil_seq", ["owner_pupil", "seq"], unique=False)
        batch_op.create_index(
            "ix_records_unowned_created_by",
            ["created_by", "seq"],
            unique=False,
            postgresql_where=UNOWNED,
            sqlite_where=UNOWNED,
        )


def downgrade() -> None:
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.drop_index("ix_records_unowned_created_by")
        batch_op.drop_index("ix_records_owner_pupil_seq")
