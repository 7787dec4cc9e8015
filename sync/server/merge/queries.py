"""The lookups a push makes by many keys at once, as (statement, parameters).

On PostgreSQL each is built once, here: the keys go as text[] parameters
(db.text_array), read as rows with unnest, so the statement never changes
shape with the keys (SQLAlchemy builds, keys and compiles it once; built per
push it was a tenth of a small push's time) and the planner looks the keys up
by index whatever its statistics say (`= ANY(...)` on a table not yet analysed
was a scan of every row). SQLite takes the keys as placeholders, a chunk at a
time (rows.CHUNK).
"""

from __future__ import annotations

import functools
from collections.abc import Collection

from sqlalchemy import Executable, Text, and_, bindparam, cast, func, null, or_, select, tuple_
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.types import NullType

from ..db import text_array
from ..scope import pupils_statement, scope_params
from ..tables import AppliedOp, ForgottenRecord, RecordPupil, User
from .rows import RECORDS, Key

# A statement and its parameters, for Connection.execute(*query).
Query = tuple[Executable, dict[str, object]]

MEMBERS = RecordPupil.__table__
FORGOTTEN = ForgottenRecord.__table__


def _array(name: str | None, values: list[str] | None = None):
    """A text[] parameter (named, for a statement built once; or holding `values`). Untyped, so
    PostgreSQL reads it as text[] once (typed as text and then cast, the cast was made again
    for every row a scan passed)."""
    value = None if values is None else text_array(values)
    return cast(bindparam(name, value, type_=NullType()), ARRAY(Text))


def _keys() -> object:
    return select(func.unnest(_array("entities")), func.unnest(_array("ids")))


def _ids() -> object:
    return select(func.unnest(_array("ids")))


_PG = {
    "records": select(RECORDS).where(tuple_(RECORDS.c.entity, RECORDS.c.entity_id).in_(_keys())),
    "members": select(MEMBERS.c.entity, MEMBERS.c.entity_id, MEMBERS.c.pupil_id).where(
        tuple_(MEMBERS.c.entity, MEMBERS.c.entity_id).in_(_keys())
    ),
    "children": select(RECORDS).where(RECORDS.c.parent_id.in_(_ids())),
    "applied": select(AppliedOp.op_id, AppliedOp.status, AppliedOp.reason).where(AppliedOp.op_id.in_(_ids())),
    "written_since": select(RECORDS.c.seq)
    .where(RECORDS.c.seq > bindparam("after"), or_(RECORDS.c.entity_id.in_(_ids()), RECORDS.c.parent_id.in_(_ids())))
    .limit(1),
}


def _key_params(keys: Collection[Key]) -> dict[str, str]:
    return {"entities": text_array([e for e, _ in keys]), "ids": text_array([i for _, i in keys])}


def in_ids(pg: bool, column, ids: list[str]):
    """column IN ids, as a clause."""
    return column.in_(select(func.unnest(_array(None, ids)))) if pg else column.in_(ids)


def in_keys(pg: bool, columns, keys: list[Key]):
    """(entity, entity_id) IN keys, as a clause."""
    if pg:
        pairs = select(func.unnest(_array(None, [e for e, _ in keys])), func.unnest(_array(None, [i for _, i in keys])))
        return tuple_(columns.entity, columns.entity_id).in_(pairs)
    by_entity: dict[str, list[str]] = {}
    for entity, entity_id in keys:
        by_entity.setdefault(entity, []).append(entity_id)
    return or_(*(and_(columns.entity == e, columns.entity_id.in_(ids)) for e, ids in by_entity.items()))


def records(pg: bool, keys: list[Key]) -> Query:
    if pg:
        return _PG["records"], _key_params(keys)
    return select(RECORDS).where(in_keys(False, RECORDS.c, keys)), {}


def forgotten(pg: bool, keys: list[Key]) -> Query:
    """Which of these keys are of records whose tombstones were pruned."""
    return select(FORGOTTEN.c.entity, FORGOTTEN.c.entity_id).where(in_keys(pg, FORGOTTEN.c, keys)), {}


def members(pg: bool, keys: list[Key]) -> Query:
    if pg:
        return _PG["members"], _key_params(keys)
    m = MEMBERS.c
    return select(m.entity, m.entity_id, m.pupil_id).where(in_keys(False, m, keys)), {}


def children(pg: bool, parent_ids: list[str]) -> Query:
    if pg:
        return _PG["children"], {"ids": text_array(parent_ids)}
    return select(RECORDS).where(RECORDS.c.parent_id.in_(parent_ids)), {}


def applied(pg: bool, op_ids: list[str]) -> Query:
    if pg:
        return _PG["applied"], {"ids": text_array(op_ids)}
    return select(AppliedOp.op_id, AppliedOp.status, AppliedOp.reason).where(AppliedOp.op_id.in_(op_ids)), {}


# Whether any of these ids is of a forgotten record (by entity_id alone, forgotten_records' key's
# first column: a match of id only is rare and merely costs a redo).
_FORGOTTEN_SINCE = (
    select(FORGOTTEN.c.entity_id)
    .where(FORGOTTEN.c.entity_id.in_(select(func.unnest(_array("gone")))))
    .limit(1)
    .exists()
    .label("forgotten")
)


@functools.cache
def _recheck_statement(role: str, team: bool):
    written = _PG["written_since"].exists().label("written")
    pupils = pupils_statement(role, team)
    if pupils is None:
        return select(written, _FORGOTTEN_SINCE, null().label("pupils"))
    listed = pupils.subquery()
    return select(
        written, _FORGOTTEN_SINCE, select(func.array_agg(listed.c.pupil_id)).scalar_subquery().label("pupils")
    )


def recheck(user: User, after: int, ids: list[str], tombstones: list[str]) -> Query:
    """In one query (under the feed lock, so in one round trip): whether a row numbered above
    `after` has an id or parent's id among `ids`; whether a record with an id among `tombstones`
    (the ids of deleted rows the merge read) is forgotten now (its tombstone pruned meanwhile,
    which writes no row: only this tells); and the pupils `user` may see now (None: all).
    PostgreSQL only: SQLite's writer holds its lock from the start, so nothing changes meanwhile."""
    params = scope_params(user) | {"after": after, "ids": text_array(ids), "gone": text_array(tombstones)}
    return _recheck_statement(user.role, bool(user.team)), params
