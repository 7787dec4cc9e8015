"""Audit rows from desktops, the LA policy, and each pupil's school by id.

`pupil_school.school_id` lets a school that arrives after its pupils fill in
their URN; existing links get their school's id here, and pupils whose school
arrived after them get the link they were missing.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 08:52:56.412814
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "la_policy",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("set_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "audit_rows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("trail", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("row_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("entity", sqlmodel.sql.sqltypes.AutoString(length=63), nullable=False),
        sa.Column("entity_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("pupil_ids", sa.JSON(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("salt", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("content_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("prev_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("redacted", sa.Boolean(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("device_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("received_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("chain_break", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("trail", "row_id", name="uq_audit_rows_trail_row"),
    )
    with op.batch_alter_table("audit_rows", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_rows_action"), ["action"], unique=False)
        batch_op.create_index("ix_audit_rows_trail_seq", ["trail", "seq"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_rows_user_id"), ["user_id"], unique=False)

    op.create_table(
        "audit_pupils",
        sa.Column("audit_id", sa.Integer(), nullable=False),
        sa.Column("pupil_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["audit_id"],
            ["audit_rows.id"],
        ),
        sa.PrimaryKeyConstraint("audit_id", "pupil_id"),
    )
    with op.batch_alter_table("audit_pupils", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_pupils_pupil_id"), ["pupil_id"], unique=False)

    with op.batch_alter_table("pupil_school", schema=None) as batch_op:
        batch_op.add_column(sa.Column("school_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.create_index(batch_op.f("ix_pupil_school_school_id"), ["school_id"], unique=False)

    _link_pupils_to_schools()


def downgrade() -> None:
    with op.batch_alter_table("pupil_school", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pupil_school_school_id"))
        batch_op.drop_column("school_id")

    with op.batch_alter_table("audit_pupils", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_pupils_pupil_id"))

    op.drop_table("audit_pupils")
    with op.batch_alter_table("audit_rows", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_rows_user_id"))
        batch_op.drop_index("ix_audit_rows_trail_seq")
        batch_op.drop_index(batch_op.f("ix_audit_rows_action"))

    op.drop_table("audit_rows")
    op.drop_table("la_policy")


def _link_pupils_to_schools() -> None:
    conn = op.get_bind()
    records = sa.table(
        "records", sa.column("entity", sa.String), sa.column("entity_id", sa.String), sa.column("data", sa.JSON)
    )
    links = sa.table(
        "pupil_school", sa.column("pupil_id", sa.String), sa.column("urn", sa.String), sa.column("school_id", sa.String)
    )
    urns = {
        row.entity_id: (row.data or {}).get("urn") or ""
        for row in conn.execute(sa.select(records.c.entity_id, records.c.data).where(records.c.entity == "school"))
    }
    held = dict(conn.execute(sa.select(links.c.pupil_id, links.c.urn)).all())
    rows = conn.execute(sa.select(records.c.entity_id, records.c.data).where(records.c.entity == "pupil")).all()
    gained: set[str] = set()
    for pupil_id, data in rows:
        school_id = (data or {}).get("base_school_id")
        if not school_id:
            continue
        urn = urns.get(school_id, "")
        if pupil_id in held:
            conn.execute(links.update().where(links.c.pupil_id == pupil_id).values(school_id=school_id, urn=urn))
        else:
            conn.execute(links.insert().values(pupil_id=pupil_id, urn=urn, school_id=school_id))
            gained.add(urn)
    gained.discard("")
    if gained:  # those schools' users now see pupils whose history lies below their cursors
        users = sa.table(
            "users",
            sa.column("role", sa.String),
            sa.column("school_urn", sa.String),
            sa.column("scope_epoch", sa.Integer),
        )
        conn.execute(
            users.update()
            .where(users.c.role == "school", users.c.school_urn.in_(sorted(gained)))
            .values(scope_epoch=users.c.scope_epoch + 1)
        )
