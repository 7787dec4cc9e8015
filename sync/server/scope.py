"""Who may see and change what, enforced in the server's queries.

- a tutor or TES worker: the pupils on their caseload (added by them, or
  assigned to them or their team) and everything about them;
- a base school: its own pupils (by URN), and of them only the tables and
  fields shapes.SERVED allows it: their learning, never where a family lives,
  stays or was seen, never concerns, never professional-only notes;
- an LA lead: everything.

When a pupil leaves a user's scope a `ScopeExit` row says so at a place in
the change feed; the user's devices are told on their next pull (`left`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any, NamedTuple

from sqlalchemy import Connection, Select, and_, bindparam, exists, false, insert, or_, select, union_all, update

from .shapes import CONFLICT_ENTITY, SHAPES, Shared, conflict_served, served_fields, serves, serving
from .tables import Caseload, Feed, PupilSchool, Record, RecordPupil, ScopeExit, User

SHARED = tuple(entity for entity, shape in SHAPES.items() if isinstance(shape, Shared))
WORKERS = ("tutor", "tes")


class Scope(NamedTuple):
    """Whose rows a query is written for: a user's values, or bind parameters (template), so a
    statement run on every sync is built once per kind of user and run with scope_params(user).
    (Building a statement and its cache key anew was most of SQLAlchemy's time in a small sync.)"""

    role: str
    user_id: Any
    team: Any  # None: no team
    urn: Any
    has_id: bool


def scope_of(user: User) -> Scope:
    return Scope(user.role, user.id, user.team or None, user.school_urn, bool(user.id))


def template(role: str, team: bool, has_id: bool = True) -> Scope:
    """A Scope of bind parameters, for users of this role, with a team or not (and an id or not)."""
    return Scope(
        role, bindparam("scope_user"), bindparam("scope_team") if team else None, bindparam("scope_urn"), has_id
    )


def scope_params(user: User) -> dict[str, Any]:
    """The values of a template's parameters for `user`."""
    return {"scope_user": user.id, "scope_team": user.team, "scope_urn": user.school_urn}


def visible_pupils_query(user: User | Scope) -> Select | None:
    """The ids of the pupils `user` may see, as a subquery; None for everyone."""
    who = user if isinstance(user, Scope) else scope_of(user)
    if who.role == "la-lead":
        return None
    if who.role == "school":
        return select(PupilSchool.pupil_id).where(PupilSchool.urn == who.urn)
    if who.role not in WORKERS:
        return select(PupilSchool.pupil_id).where(false())
    mine = Caseload.user_id == who.user_id
    if who.team is not None:
        mine = or_(mine, Caseload.team == who.team)
    return select(Caseload.pupil_id).where(mine)


@functools.cache
def pupils_statement(role: str, team: bool) -> Select | None:
    """visible_pupils_query for users of this kind, built once: run with scope_params(user)."""
    return visible_pupils_query(template(role, team))


def visible_pupils(conn: Connection, user: User) -> set[str] | None:
    query = pupils_statement(user.role, bool(user.team))
    return None if query is None else set(conn.execute(query, scope_params(user)).scalars())


def allowed_restrictions(role: str) -> set[str]:
    return {""} | set(serving(role).restricted)


def visible_records(user: User | Scope, *, by_pupil: bool = True):
    """A WHERE clause over `records` for the rows `user` may pull; without
    `by_pupil`, only its tests of table and restriction (visible_seqs then
    says which pupils' rows)."""
    who = user if isinstance(user, Scope) else scope_of(user)
    clauses = []
    tables = serving(who.role).tables
    if tables is not None:
        clauses.append(Record.entity.in_(sorted(tables)))
    restrictions = allowed_restrictions(who.role)
    if restrictions != allowed_restrictions("la-lead"):
        # A row withdrawn from view since the cursor is found too, and sent as its withdrawal
        # (feed._served); once, at the number it was withdrawn at, not at each later write.
        # Only to a device that may hold it: withdrawn after the device first pulled from
        # nothing (`withheld_after`: the greater of that and the cursor, feed.page), or made
        # by its user (the device may have pushed it before its first pull).
        withdrawn = Record.withdrawn_seq > bindparam("withheld_after")
        if who.has_id:
            withdrawn = or_(
                withdrawn, and_(Record.withdrawn_seq > bindparam("after"), Record.created_by == who.user_id)
            )
        clauses.append(or_(Record.restricted.in_(sorted(restrictions)), withdrawn))
    pupils = visible_pupils_query(who)
    if pupils is not None and by_pupil:
        belongs = (RecordPupil.entity == Record.entity) & (RecordPupil.entity_id == Record.entity_id)
        member = exists().where(belongs, RecordPupil.pupil_id.in_(pupils))
        # A row nobody's pupil yet (a visit pushed before its children's entries) is its author's.
        orphan = (
            and_(Record.created_by == who.user_id, Record.owner_pupil.is_(None), ~exists().where(belongs))
            if who.has_id
            else false()
        )
        owned = Record.owner_pupil.in_(pupils)  # most rows name their pupil (merge.py keeps no membership row)
        clauses.append(or_(Record.entity.in_(SHARED), owned, member, orphan))
    return and_(*clauses) if clauses else None


def visible_seqs(user: User | Scope, after, last, limit):
    """The first `limit` feed numbers in (after, last] of the rows `visible_records(user)`
    lets through, found through indexes: by pupil (ix_records_owner_pupil_seq,
    record_pupils' pupil index), by author for rows naming no pupil, by entity for
    shared ones. None for everyone. A first pull then reads the user's own rows,
    not every row in the feed. Each branch keeps only its first `limit` (the
    page's rows are among them), so a long catch-up does not gather all that is
    left for every page. (after, last and limit: values, or bind parameters.)"""
    who = user if isinstance(user, Scope) else scope_of(user)
    pupils = visible_pupils_query(who)
    if pupils is None:
        return None
    r = Record.__table__.c
    kept = visible_records(who, by_pupil=False)
    where = (r.seq > after, r.seq <= last, *(() if kept is None else (kept,)))
    belongs = (RecordPupil.entity == r.entity) & (RecordPupil.entity_id == r.entity_id)
    branches = [
        select(r.seq).where(r.entity.in_(SHARED), *where),
        select(r.seq).where(r.owner_pupil.in_(pupils), *where),
        select(r.seq)
        .select_from(RecordPupil.__table__.join(Record.__table__, belongs))
        .where(RecordPupil.pupil_id.in_(pupils), *where),
    ]
    if who.has_id:
        branches.append(
            select(r.seq).where(r.created_by == who.user_id, r.owner_pupil.is_(None), ~exists().where(belongs), *where)
        )
    # SQLite takes no ORDER BY or LIMIT on a member of a UNION: each goes in a subquery.
    firsts = [select(b.c.seq) for b in (q.order_by(r.seq).limit(limit).subquery() for q in branches)]
    return union_all(*firsts)


def served(role: str, entity: str, data: dict) -> dict | None:
    """A row the query found, as `role` may receive it (withheld fields left out), or
    None when it must not go at all (a conflict about a field the role is not served)."""
    if entity == CONFLICT_ENTITY and not conflict_served(role, data):
        return None
    return served_fields(role, entity, data)


def may_see_restricted(role: str, restricted: str) -> bool:
    return restricted in allowed_restrictions(role)


EMPTY = (None, "", [], {})


def push_refusal(role: str, entity: str, fields: dict, stored: dict | None = None) -> tuple[dict, str]:
    """The fields a push may write for `role`, and the reason to refuse it ('' if none).
    A field the role is not served (withheld, or not on its allow-list) sent empty is
    dropped (a school's copy of the row never held it, so an empty value must not blank
    the LA's); sent with a value, the op is refused.
    `stored`: the record as the server holds it (a conflict names its field there)."""
    if not serves(role, entity):
        return fields, f"Your role ({role}) does not hold {entity.replace('_', ' ')} records on the LA's server."
    policy = serving(role)
    withheld = policy.withheld.get(entity) or frozenset()
    allowed = None if policy.fields is None else policy.fields.get(entity, frozenset())
    if not withheld and allowed is None and entity != CONFLICT_ENTITY:
        return fields, ""  # the common case: nothing to check or leave out
    if entity == CONFLICT_ENTITY and not conflict_served(role, (stored or {}) | fields):
        return fields, "That conflict is about words your role is not sent."
    given = [k for k in withheld if k in fields and fields[k] not in EMPTY]
    if given:
        return fields, (
            "Schools are not sent where a family lives, stays or was seen, so cannot change it "
            f"({', '.join(sorted(given))})."
        )
    unnamed = [k for k in fields if allowed is not None and k not in allowed and fields[k] not in EMPTY]
    if unnamed:
        return fields, (
            f"The LA's server does not send your role ({role}) the {', '.join(sorted(unnamed))} of "
            f"{entity.replace('_', ' ')} records, so cannot take them from it."
        )
    return {k: v for k, v in fields.items() if k not in withheld and (allowed is None or k in allowed)}, ""


# --- pupils leaving a user's scope ---------------------------------------------------


def next_seq(conn: Connection) -> int:
    """A new place in the change feed, under the feed lock (as a push takes it)."""
    return conn.execute(update(Feed).where(Feed.id == 1).values(last=Feed.last + 1).returning(Feed.last)).scalar_one()


def all_pupils(conn: Connection) -> set[str]:
    return set(conn.execute(select(Record.entity_id).where(Record.entity == "pupil")).scalars())


def scopes(conn: Connection, users: Iterable[User]) -> dict[int, set[str]]:
    """Each user's visible pupils now (every pupil for an LA lead)."""
    everyone: set[str] | None = None
    found = {}
    for user in users:
        pupils = visible_pupils(conn, user)
        if pupils is None:
            everyone = all_pupils(conn) if everyone is None else everyone
            pupils = everyone
        found[user.id] = pupils
    return found


def note_changes(conn: Connection, users: list[User], before: dict[int, set[str]]) -> None:
    """After a change to who sees what: record the pupils each user lost (their
    devices remove them at the next pull) and move on the scope epoch of each
    user who gained any (their devices take a fresh snapshot)."""
    after = scopes(conn, users)
    exits = [(u.id, p) for u in users for p in sorted(before[u.id] - after[u.id])]
    record_exits(conn, exits)
    grew = [u.id for u in users if after[u.id] - before[u.id]]
    if grew:
        conn.execute(update(User).where(User.id.in_(grew)).values(scope_epoch=User.scope_epoch + 1))


def record_exits(conn: Connection, exits: list[tuple[int, str]], seq: int | None = None) -> None:
    """(user id, pupil id) pairs, at `seq` (a new place in the feed if not given)."""
    if not exits:
        return
    seq = next_seq(conn) if seq is None else seq
    conn.execute(insert(ScopeExit), [{"seq": seq, "user_id": u, "pupil_id": p} for u, p in exits])


@functools.cache
def _left_statement(role: str, team: bool) -> Select | None:
    pupils = pupils_statement(role, team)
    if pupils is None:
        return None
    return select(ScopeExit.pupil_id).where(
        ScopeExit.user_id == bindparam("scope_user"),
        ScopeExit.seq > bindparam("after"),
        ScopeExit.seq <= bindparam("upto"),
        ScopeExit.pupil_id.not_in(pupils),
    )


def left_pupils(conn: Connection, user: User, after: int, upto: int) -> list[str]:
    """Pupils who left the user's scope in (after, upto] and have not come back."""
    query = _left_statement(user.role, bool(user.team))
    if query is None:
        return []
    return sorted(set(conn.execute(query, scope_params(user) | {"after": after, "upto": upto}).scalars()))
