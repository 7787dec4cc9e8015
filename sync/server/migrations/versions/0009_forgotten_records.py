"""Forgotten records (`forgotten_records`): the key of each record whose tombstone was
pruned, so a change to it from a laptop away that long is refused rather than made a new,
partial record (merge.Merger._apply). Tombstones pruned before this version are not
known; only later prunes are kept.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "forgotten_records",
        sa.Column("entity_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("entity", sqlmodel.sql.sqltypes.AutoString(length=63), nullable=False),
        # By id first: a push looks its ids up alone (merge.queries.recheck).
        sa.PrimaryKeyConstraint("entity_id", "entity"),
    )


def downgrade() -> None:
    op.drop_table("forgotten_records")
