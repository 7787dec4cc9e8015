"""A device's first pull (`devices.first_pull_seq`): the feed's `last` when a device
first pulled from nothing, so it is not sent the withdrawals of rows withdrawn before
then, which it never held (feed.page). NULL: not pulled yet.

Devices already here may hold anything (they pulled before this was kept): 0, so
every withdrawal they were owed still goes to them, as before.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("devices", schema=None) as batch_op:
        batch_op.add_column(sa.Column("first_pull_seq", sa.BigInteger(), nullable=True))
    devices = sa.table("devices", sa.column("first_pull_seq", sa.BigInteger))
    op.get_bind().execute(devices.update().values(first_pull_seq=0))


def downgrade() -> None:
    with op.batch_alter_table("devices", schema=None) as batch_op:
        batch_op.drop_column("first_pull_seq")
