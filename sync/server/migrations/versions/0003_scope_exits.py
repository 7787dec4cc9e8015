"""Scope exits: pupils who left a user's scope, at a place in the change feed.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scope_exits",
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("pupil_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("scope_exits", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_scope_exits_seq"), ["seq"], unique=False)
        batch_op.create_index(batch_op.f("ix_scope_exits_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("scope_exits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scope_exits_user_id"))
        batch_op.drop_index(batch_op.f("ix_scope_exits_seq"))
    op.drop_table("scope_exits")
