"""The feed's timeline (`feed.timeline`): moved on by `waymark-server db restored` after a
backup is put back. Every cursor carries the timeline it was given in, so a cursor from
before the restore gets 410 "restored" even once the feed has grown back past it (a laptop
would otherwise skip what was written below its cursor since, and never send again what
the backup lost). Cursors given before this step carry none: they stand for timeline 0.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 19:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("feed", schema=None) as batch_op:
        batch_op.add_column(sa.Column("timeline", sa.BigInteger(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("feed", schema=None) as batch_op:
        batch_op.drop_column("timeline")
