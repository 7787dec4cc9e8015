"""The server's tables, as SQLModel classes. Alembic migrations
(migrations/versions/) create them; a test checks the two agree.

Records are stored generically: one row per (entity, id) holding the fields
as JSON with a clock per field, so the server carries any record shape the
desktop holds. Scope lives beside them: `record_pupils` says which pupils a
record belongs to, `caseload` and `pupil_school` say which pupils a user sees.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

ROLES = ("tutor", "tes", "school", "la-lead")


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True, index=True)
    role: str = Field(max_length=20)
    school_urn: str = Field(default="", max_length=6)
    team: str = Field(default="", max_length=100)
    password_hash: str = Field(max_length=200)
    disabled: bool = False
    # Moves on when the pupils this user may see grow (an assignment, a pupil
    # joining their school): their cursors then get 410 and a fresh snapshot.
    scope_epoch: int = 0
    failed_logins: int = 0
    locked_until: datetime | None = None
    created_at: datetime


class Device(SQLModel, table=True):
    __tablename__ = "devices"

    id: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(foreign_key="users.id", index=True)
    name: str = Field(default="", max_length=200)
    # SHA-256 of the bearer token: the token is 256 random bits, so a fast hash is enough.
    token_hash: str = Field(max_length=64, unique=True, index=True)
    created_at: datetime
    last_seen: datetime | None = None
    revoked: bool = False
    # The feed's `last` when this device first pulled from nothing (migration 0008): rows
    # withdrawn at or below it were never its to hold, so their withdrawals are not sent to
    # it (unless its user made them). 0: may hold anything (a device that first pulled with a
    # cursor, another device's of the same profile, or one older than the column). NULL:
    # not pulled yet.
    first_pull_seq: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))


class Record(SQLModel, table=True):
    __tablename__ = "records"
    __table_args__ = (
        # Only rows that have a parent (migration 0006): most name their pupil instead.
        Index(
            "ix_records_parent",
            "parent_id",
            postgresql_where=text("parent_id IS NOT NULL"),
            sqlite_where=text("parent_id IS NOT NULL"),
        ),
        # A scoped pull (scope.visible_records) reads a user's rows by pupil, in feed order,
        # and the rows naming no pupil by their author: not the whole feed (migration 0004).
        Index("ix_records_owner_pupil_seq", "owner_pupil", "seq"),
        Index(
            "ix_records_unowned_created_by",
            "created_by",
            "seq",
            postgresql_where=text("owner_pupil IS NULL"),
            sqlite_where=text("owner_pupil IS NULL"),
        ),
    )

    entity: str = Field(primary_key=True, max_length=63)
    entity_id: str = Field(primary_key=True, max_length=64)
    data: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    clocks: dict[str, str] = Field(sa_column=Column(JSON, nullable=False))
    authors: dict[str, str] = Field(sa_column=Column(JSON, nullable=False))  # user who wrote each field
    deleted: bool = False
    # Position in the change feed; moves on with every write. Assigned under
    # the feed lock, so no transaction commits a number below one already read.
    seq: int = Field(sa_column=Column(BigInteger, nullable=False, unique=True))
    owner_pupil: str | None = Field(default=None, max_length=64)  # the pupil a row names directly
    parent_id: str | None = Field(default=None, max_length=64)  # the row whose pupils it shares
    restricted: str = Field(default="", max_length=20)  # "", "concern" or "professional"
    # Restricted after it was not (a family note made professional-only; migration 0007): the
    # feed number of that write, and the server's stamp just after its newest clock. Roles that may not see it now are sent its
    # withdrawal once, at that number (not again at each later write), so their laptops drop
    # the words they hold.
    withdrawn_seq: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    withdrawn_clock: str = Field(default="", max_length=120, sa_column_kwargs={"server_default": ""})
    # The user who made the row (users are disabled, never deleted: no foreign key, whose
    # check on every row written was a fifth of a large push's database work; migration 0005).
    created_by: int | None = None


class RecordPupil(SQLModel, table=True):
    """Which pupils a record belongs to (a visit: every child seen)."""

    __tablename__ = "record_pupils"

    entity: str = Field(primary_key=True, max_length=63)
    entity_id: str = Field(primary_key=True, max_length=64)
    pupil_id: str = Field(primary_key=True, max_length=64, index=True)


class ForgottenRecord(SQLModel, table=True):
    """A record whose tombstone was pruned (admin.prune_tombstones): its key alone, so that a
    change to it from a laptop away that long is refused, not made a new record that holds
    only the fields it changed (and brought back, half, on every laptop)."""

    __tablename__ = "forgotten_records"

    # Keyed by id first: a push checks its ids alone under the feed lock (merge.queries.recheck).
    entity_id: str = Field(primary_key=True, max_length=64)
    entity: str = Field(primary_key=True, max_length=63)


class Caseload(SQLModel, table=True):
    """A pupil on a worker's caseload, or on a team's."""

    __tablename__ = "caseload"

    id: int | None = Field(default=None, primary_key=True)
    pupil_id: str = Field(max_length=64, index=True)
    user_id: int | None = Field(default=None, foreign_key="users.id", index=True)
    team: str | None = Field(default=None, max_length=100, index=True)


class PupilSchool(SQLModel, table=True):
    """Each pupil's base school, by URN, kept as pupil records arrive. The
    school's id is kept too, so a school that arrives after its pupils (or
    whose URN is corrected) fills in their URN then (urn is "" until it does)."""

    __tablename__ = "pupil_school"

    pupil_id: str = Field(primary_key=True, max_length=64)
    urn: str = Field(max_length=6, index=True)
    school_id: str | None = Field(default=None, max_length=64, index=True)


class AppliedOp(SQLModel, table=True):
    """Every operation applied, so a replayed push changes nothing."""

    __tablename__ = "applied_ops"

    op_id: str = Field(primary_key=True, max_length=64)
    device_id: str = Field(max_length=64)
    status: str = Field(max_length=10)
    reason: str = Field(default="", max_length=500)
    applied_at: datetime


class Feed(SQLModel, table=True):
    """One row: the last sequence number given out, the tombstone horizon
    (tombstones at or below it were pruned, so older cursors get 410), and the
    timeline (moved on when a backup is put back: cursors of another get 410)."""

    __tablename__ = "feed"

    id: int = Field(default=1, primary_key=True)
    last: int = Field(sa_column=Column(BigInteger, nullable=False, default=0))
    horizon: int = Field(sa_column=Column(BigInteger, nullable=False, default=0))
    timeline: int = Field(sa_column=Column(BigInteger, nullable=False, default=0, server_default="0"))


class AuditEvent(SQLModel, table=True):
    """A desktop's audit row, as it was chained there (sync.protocol.chain), kept
    per trail (one desktop profile) in the order it was written. Append-only:
    never merged, never served to other devices; LA leads read it."""

    __tablename__ = "audit_rows"
    __table_args__ = (
        UniqueConstraint("trail", "row_id", name="uq_audit_rows_trail_row"),
        Index("ix_audit_rows_trail_seq", "trail", "seq"),
    )

    id: int | None = Field(default=None, primary_key=True)
    trail: str = Field(max_length=64)
    row_id: str = Field(max_length=64)
    seq: int
    at: str = Field(max_length=40)  # as the desktop wrote it (the chain hashes this spelling)
    actor: str = Field(default="", max_length=2000)
    action: str = Field(max_length=40, index=True)
    entity: str = Field(default="", max_length=63)
    entity_id: str = Field(default="", max_length=64)
    summary: str = Field(default="", sa_column=Column(Text, nullable=False))
    pupil_ids: list[str] = Field(sa_column=Column(JSON, nullable=False))
    changes: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    salt: str = Field(default="", max_length=64)
    content_hash: str = Field(max_length=64)
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)
    redacted: bool = False
    user_id: int = Field(foreign_key="users.id", index=True)
    device_id: str = Field(max_length=64)
    received_at: datetime
    chain_break: str = Field(default="", max_length=500)  # why the chain did not hold here, found on arrival


class AuditPupil(SQLModel, table=True):
    """Which pupils an audit row is about (for `audit list --pupil`)."""

    __tablename__ = "audit_pupils"

    audit_id: int = Field(foreign_key="audit_rows.id", primary_key=True)
    pupil_id: str = Field(primary_key=True, max_length=64, index=True)


class PolicySetting(SQLModel, table=True):
    """One LA-wide setting a worker cannot override (`waymark-server policy set`),
    sent to every device as it syncs."""

    __tablename__ = "la_policy"

    key: str = Field(primary_key=True, max_length=60)
    value: Any = Field(sa_column=Column(JSON, nullable=False))
    set_at: datetime


class ScopeExit(SQLModel, table=True):
    """A pupil who left a user's scope (moved to another worker or team, moved
    school, or the user's role narrowed), at a place in the change feed. The
    user's devices are told on their next pull and remove the pupil's records."""

    __tablename__ = "scope_exits"

    id: int | None = Field(default=None, primary_key=True)
    seq: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    user_id: int = Field(foreign_key="users.id", index=True)
    pupil_id: str = Field(max_length=64)
