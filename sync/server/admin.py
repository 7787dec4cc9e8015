"""What the `waymark-server` console script does to users, devices and
caseloads; also used by the tests to set a server up."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, insert, select, update

from . import auth, db, scope
from .tables import ROLES, Caseload, Device, Feed, Record, User


class AdminError(ValueError):
    """Bad input for an admin command: one line for the user."""


@dataclass(frozen=True)
class UserInfo:
    name: str
    role: str
    school_urn: str
    team: str
    disabled: bool
    created_at: datetime

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "role": self.role,
            "school_urn": self.school_urn,
            "team": self.team,
            "disabled": self.disabled,
            "created_at": self.created_at.isoformat(timespec="seconds"),
        }


def add_user(engine: Engine, name: str, role: str, password: str, *, school_urn: str = "", team: str = "") -> None:
    name = name.strip()
    if not name:
        raise AdminError("A user name is required.")
    if role not in ROLES:
        raise AdminError(f"'{role}' is not a role; choose one of: {', '.join(ROLES)}.")
    if role == "school" and not (school_urn.isdigit() and len(school_urn) == 6):
        raise AdminError("A school user needs --school with the school's 6-digit URN.")
    if role != "school" and school_urn:
        raise AdminError("Only school users belong to a school (--school).")
    if len(password) < 10:
        raise AdminError("The password must be at least 10 characters.")
    with db.writing(engine) as conn:
        if conn.execute(select(User.id).where(User.name == name)).first():
            raise AdminError(f"There is already a user called {name}.")
        conn.execute(
            insert(User).values(
                name=name,
                role=role,
                school_urn=school_urn,
                team=team,
                password_hash=auth.hash_password(password),
                disabled=False,
                scope_epoch=0,
                failed_logins=0,
                created_at=auth.now(),
            )
        )


def list_users(engine: Engine) -> list[UserInfo]:
    with db.reading(engine) as conn:
        rows = conn.execute(
            select(User.name, User.role, User.school_urn, User.team, User.disabled, User.created_at).order_by(User.name)
        ).all()
    return [UserInfo(*row) for row in rows]


def _user_id(conn, name: str) -> int:
    found = conn.execute(select(User.id).where(User.name == name)).scalar()
    if found is None:
        raise AdminError(f"There is no user called {name}.")
    return found


def disable_user(engine: Engine, name: str) -> None:
    """The user's devices get 401 on their next request; their data stays."""
    with db.writing(engine) as conn:
        conn.execute(update(User).where(User.id == _user_id(conn, name)).values(disabled=True))


def list_devices(engine: Engine) -> list[dict]:
    with db.reading(engine) as conn:
        rows = conn.execute(
            select(Device.id, User.name, Device.name, Device.created_at, Device.last_seen, Device.revoked)
            .join(User, User.id == Device.user_id)
            .order_by(Device.created_at)
        ).all()
    return [
        {
            "id": dev_id,
            "user": user,
            "name": name,
            "created_at": created.isoformat(timespec="seconds"),
            "last_seen": seen.isoformat(timespec="seconds") if seen else None,
            "revoked": revoked,
        }
        for dev_id, user, name, created, seen, revoked in rows
    ]


def revoke_device(engine: Engine, device_id: str) -> None:
    with db.writing(engine) as conn:
        if conn.execute(update(Device).where(Device.id == device_id).values(revoked=True)).rowcount == 0:
            raise AdminError(f"There is no device with id {device_id}.")


def assign(engine: Engine, pupil_id: str, *, user: str | None = None, team: str | None = None) -> None:
    """Put a pupil on a worker's (or a team's) caseload. The pupil's history is
    older than their cursors, so those users get a fresh snapshot (410) next time."""
    if bool(user) == bool(team):
        raise AdminError("Give either --user or --team.")
    with db.writing(engine) as conn:
        known = conn.execute(
            select(Record.entity_id).where(
                Record.entity == "pupil", Record.entity_id == pupil_id, Record.deleted.is_(False)
            )
        ).first()
        if known is None:
            raise AdminError(f"This server holds no pupil with id {pupil_id}.")
        if user:
            user_id = _user_id(conn, user)
            role = conn.execute(select(User.role).where(User.id == user_id)).scalar_one()
            if role not in ("tutor", "tes"):
                raise AdminError(f"{user} is a {role} user; caseloads are for tutors and TES workers.")
            if _assigned(conn, pupil_id, Caseload.user_id == user_id):
                raise AdminError(f"Pupil {pupil_id} is already on {user}'s caseload.")
            conn.execute(insert(Caseload).values(pupil_id=pupil_id, user_id=user_id))
            conn.execute(update(User).where(User.id == user_id).values(scope_epoch=User.scope_epoch + 1))
        else:
            if _assigned(conn, pupil_id, Caseload.team == team):
                raise AdminError(f"Pupil {pupil_id} is already on team {team}'s caseload.")
            conn.execute(insert(Caseload).values(pupil_id=pupil_id, team=team))
            conn.execute(update(User).where(User.team == team).values(scope_epoch=User.scope_epoch + 1))


def _assigned(conn, pupil_id: str, where) -> bool:
    return conn.execute(select(Caseload.pupil_id).where(Caseload.pupil_id == pupil_id, where)).first() is not None


def _users(conn, where) -> list[User]:
    return [User.model_validate(dict(r)) for r in conn.execute(select(User.__table__).where(where)).mappings()]


def unassign(engine: Engine, pupil_id: str, *, user: str | None = None, team: str | None = None) -> int:
    """Take a pupil off a worker's (or a team's) caseload. Whoever no longer sees
    the pupil is told at their devices' next pull, which remove the pupil's records.
    Returns how many caseload entries went."""
    from sqlalchemy import delete

    if bool(user) == bool(team):
        raise AdminError("Give either --user or --team.")
    with db.writing(engine) as conn:
        if user:
            where = Caseload.user_id == _user_id(conn, user)
            affected = _users(conn, User.name == user)
        else:
            where = Caseload.team == team
            affected = _users(conn, User.team == team)
        before = scope.scopes(conn, affected)
        gone = conn.execute(delete(Caseload).where(where, Caseload.pupil_id == pupil_id)).rowcount
        if not gone:
            raise AdminError(f"Pupil {pupil_id} is not on {user or 'team ' + str(team)}'s caseload.")
        scope.note_changes(conn, affected, before)
    return gone


def change_user(
    engine: Engine, name: str, *, role: str | None = None, school_urn: str | None = None, team: str | None = None
) -> None:
    """Change a user's role, school or team. Pupils they no longer see are removed
    from their devices at the next pull; if they now see more, a fresh snapshot."""
    with db.writing(engine) as conn:
        (user,) = _users(conn, User.id == _user_id(conn, name))
        role = user.role if role is None else role
        school_urn = (user.school_urn if role == "school" else "") if school_urn is None else school_urn
        team = user.team if team is None else team
        if role not in ROLES:
            raise AdminError(f"'{role}' is not a role; choose one of: {', '.join(ROLES)}.")
        if role == "school" and not (school_urn.isdigit() and len(school_urn) == 6):
            raise AdminError("A school user needs --school with the school's 6-digit URN.")
        if role != "school" and school_urn:
            raise AdminError("Only school users belong to a school (--school).")
        before = scope.scopes(conn, [user])
        conn.execute(update(User).where(User.id == user.id).values(role=role, school_urn=school_urn, team=team))
        scope.note_changes(conn, _users(conn, User.id == user.id), before)


def mark_restored(engine: Engine) -> int:
    """After a backup is put back: move the feed to a new timeline, so every laptop's next pull
    gets 410 "restored" (feed.page), takes a fresh copy keeping its own newer work, and sends
    again what the backup lacks. Without it a laptop whose cursor the feed has grown back past
    would skip what lies below its cursor. Returns the new timeline: a random number, not
    one counted on from the restored row (the same backup put back twice would count to a
    timeline the laptops already hold)."""
    with db.writing(engine) as conn:  # the feed row's lock: after any push under way
        current = conn.execute(select(Feed.timeline).where(Feed.id == 1).with_for_update()).scalar_one()
        timeline = current
        while timeline in (current, 0):
            timeline = secrets.randbits(62)
        conn.execute(update(Feed).where(Feed.id == 1).values(timeline=timeline))
        return timeline


def prune_tombstones(engine: Engine, older_than_days: float) -> int:
    """Forget tombstones deleted more than `older_than_days` ago. Cursors from
    before the newest one forgotten get 410 and a fresh snapshot. Returns how many.

    The tombstones due are read first, outside the write transaction (so pushes are not held
    up while every tombstone is read); then, holding the feed row's lock (which every push
    takes before it writes a record), each is deleted only if it is still that tombstone
    (deleted, at the number read): one restored or changed meanwhile stays. Only the keys
    actually deleted are kept as forgotten. A push that merged before this and writes after
    it sees them forgotten when it checks its merge under the lock (merge.Merger._still_current)."""
    from datetime import UTC, timedelta

    from sync.protocol.clock import format_time

    cutoff = format_time(datetime.now(UTC) - timedelta(days=older_than_days))
    due = _tombstones_due(engine, cutoff)
    if not due:
        return 0
    return _forget(engine, due)


def _tombstones_due(engine: Engine, cutoff: str) -> list[tuple[str, str, int]]:
    """(entity, entity_id, seq) of each tombstone deleted before `cutoff`."""
    from sync.protocol.clock import parse_stamp

    records = Record.__table__
    with db.reading(engine) as conn:
        rows = conn.execute(
            select(records.c.entity, records.c.entity_id, records.c.seq, records.c.clocks).where(records.c.deleted)
        ).all()
    return [
        (e, i, seq) for e, i, seq, clocks in rows if parse_stamp(clocks.get("deleted") or clocks["*"]).time < cutoff
    ]


def _forget(engine: Engine, due: list[tuple[str, str, int]]) -> int:
    """Delete these tombstones, those still as read, under the feed lock; how many went."""
    from sqlalchemy import delete, true, tuple_

    from .tables import ForgottenRecord, RecordPupil

    records = Record.__table__
    forgotten = ForgottenRecord.__table__
    with db.writing(engine) as conn:
        # The feed lock first, as a push takes it before it writes: the prune and a push queue
        # for it rather than each holding a row the other waits for. (SQLite: BEGIN IMMEDIATE.)
        conn.execute(select(Feed.id).where(Feed.id == 1).with_for_update())
        upsert = _insert_or_ignore(conn)
        gone: list[tuple[str, str, int]] = []
        for start in range(0, len(due), 300):
            chunk = due[start : start + 300]
            deleted = conn.execute(
                delete(records)
                .where(
                    tuple_(records.c.entity, records.c.entity_id, records.c.seq).in_(chunk),
                    records.c.deleted == true(),
                )
                .returning(records.c.entity, records.c.entity_id, records.c.seq)
            ).all()
            if not deleted:
                continue
            gone += deleted
            keys = [(e, i) for e, i, _ in deleted]
            conn.execute(delete(RecordPupil).where(tuple_(RecordPupil.entity, RecordPupil.entity_id).in_(keys)))
            conn.execute(upsert(forgotten).on_conflict_do_nothing(), [{"entity": e, "entity_id": i} for e, i in keys])
        if gone:
            horizon = max(seq for _, _, seq in gone)
            conn.execute(update(Feed).where(Feed.id == 1, Feed.horizon < horizon).values(horizon=horizon))
    return len(gone)


def _insert_or_ignore(conn):
    """The dialect's INSERT, which has on_conflict_do_nothing."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert
