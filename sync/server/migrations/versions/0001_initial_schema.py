"""Initial schema: users, devices, records and their scope, applied ops, the feed.

Revision ID: 0001
Revises:
Create Date: 2026-11-30 06:10:03.256615
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "applied_ops",
        sa.Column("op_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("device_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("applied_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("op_id"),
    )
    op.create_table(
        "feed",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("last", sa.BigInteger(), nullable=False),
        sa.Column("horizon", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "pupil_school",
        sa.Column("pupil_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("urn", sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
        sa.PrimaryKeyConstraint("pupil_id"),
    )
    with op.batch_alter_table("pupil_school", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pupil_school_urn"), ["urn"], unique=False)

    op.create_table(
        "record_pupils",
        sa.Column("entity", sqlmodel.sql.sqltypes.AutoString(length=63), nullable=False),
        sa.Column("entity_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("pupil_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.PrimaryKeyConstraint("entity", "entity_id", "pupil_id"),
    )
    with op.batch_alter_table("record_pupils", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_record_pupils_pupil_id"), ["pupil_id"], unique=False)

    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("school_urn", sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
        sa.Column("team", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("password_hash", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("scope_epoch", sa.Integer(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_users_name"), ["name"], unique=True)

    op.create_table(
        "caseload",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pupil_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("team", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("caseload", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_caseload_pupil_id"), ["pupil_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_caseload_team"), ["team"], unique=False)
        batch_op.create_index(batch_op.f("ix_caseload_user_id"), ["user_id"], unique=False)

    op.create_table(
        "devices",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("last_seen", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("devices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_devices_token_hash"), ["token_hash"], unique=True)
        batch_op.create_index(batch_op.f("ix_devices_user_id"), ["user_id"], unique=False)

    op.create_table(
        "records",
        sa.Column("entity", sqlmodel.sql.sqltypes.AutoString(length=63), nullable=False),
        sa.Column("entity_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("clocks", sa.JSON(), nullable=False),
        sa.Column("authors", sa.JSON(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("owner_pupil", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("parent_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("restricted", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
        ),
        sa.PrimaryKeyConstraint("entity", "entity_id"),
        sa.UniqueConstraint("seq"),
    )
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.create_index("ix_records_parent", ["parent_id"], unique=False)

    feed = sa.table(
        "feed", sa.column("id", sa.Integer), sa.column("last", sa.BigInteger), sa.column("horizon", sa.BigInteger)
    )
    op.bulk_insert(feed, [{"id": 1, "last": 0, "horizon": 0}])


def downgrade() -> None:
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.drop_index("ix_records_parent")

    op.drop_table("records")
    with op.batch_alter_table("devices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_devices_user_id"))
        batch_op.drop_index(batch_op.f("ix_devices_token_hash"))

    op.drop_table("devices")
    with op.batch_alter_table("caseload", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_caseload_user_id"))
        batch_op.drop_index(batch_op.f("ix_caseload_team"))
        batch_op.drop_index(batch_op.f("ix_caseload_pupil_id"))

    op.drop_table("caseload")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_name"))

    op.drop_table("users")
    with op.batch_alter_table("record_pupils", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_record_pupils_pupil_id"))

    op.drop_table("record_pupils")
    with op.batch_alter_table("pupil_school", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pupil_school_urn"))

    op.drop_table("pupil_school")
    op.drop_table("feed")
    op.drop_table("applied_ops")
