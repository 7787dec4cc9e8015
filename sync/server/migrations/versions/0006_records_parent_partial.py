"""The index of records by parent holds only the rows that have one: most rows
(a pupil's progress, a session) name their pupil instead, and a push no longer
writes an index entry for each of them. Lookups by parent (`parent_id IN ...`)
imply it is not null, so they use the partial index as before.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

HAS_PARENT = sa.text("parent_id IS NOT NULL")


def upgrade() -> None:
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.drop_index("ix_records_parent")
        batch_op.create_index(
            "ix_records_parent", ["parent_id"], unique=False, postgresql_where=HAS_PARENT, sqlite_where=HAS_PARENT
        )


def downgrade() -> None:
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.drop_index("ix_records_parent")
        batch_op.create_index("ix_records_parent", ["parent_id"], unique=False)
