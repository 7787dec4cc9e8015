"""Records' author (created_by) without a foreign key: it was checked by a trigger on
every row a push writes (a fifth of PostgreSQL's work on a large push), and users are
never deleted (only disabled), so it guarded nothing.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 12:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# 0001 left the key unnamed: PostgreSQL named it so; on SQLite the batch copy names it by this.
NAMES = {"fk": "%(table_name)s_%(column_0_name)s_fkey"}


def upgrade() -> None:
    with op.batch_alter_table("records", naming_convention=NAMES) as batch_op:
        batch_op.drop_constraint("records_created_by_fkey", type_="foreignkey")


def downgrade() -> None:
    with op.batch_alter_table("records", naming_convention=NAMES) as batch_op:
        batch_op.create_foreign_key("records_created_by_fkey", "users", ["created_by"], ["id"])
