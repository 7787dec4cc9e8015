"""Who may see and change what, enforced in the server's queries.

- a tutor or TES worker: the pupils on their caseload (added by them, or
  assigned to them or their team) and everything about them;
- a base school: its own pupils (by URN), never concerns, never
  professional-only notes;
- an LA lead: everything.
Schools, sites and work packs are shared reference data every role reads.
"""

from __future__ import annotations

from sqlalchemy import Connection, Select, and_, exists, false, or_, select

from .shapes import RESTRICTED_ROLES, SHAPES, Shared
from .tables import Caseload, PupilSchool, Record, RecordPupil, User

SHARED = tuple(entity for entity, shape in SHAPES.items() if isinstance(shape, Shared))
WORKERS = ("tutor", "tes")


def visible_pupils_query(user: User) -> Select | None:
    """The ids of the pupils `user` may see, as a subquery; None for everyone."""
    if user.role == "la-lead":
        return None
    if user.role == "school":
        return select(PupilSchool.pupil_id).where(PupilSchool.urn == user.school_urn)
    mine = Caseload.user_id == user.id
    if user.team:
        mine = or_(mine, Caseload.team == user.team)
    return select(Caseload.pupil_id).where(mine)


def visible_pupils(conn: Connection, user: User) -> set[str] | None:
    query = visible_pupils_query(user)
    return None if query is None else set(conn.execute(query).scalars())


def allowed_restrictions(role: str) -> set[str]:
    return {""} | {kind for kind, roles in RESTRICTED_ROLES.items() if role in roles}


def visible_records(user: User):
    """A WHERE clause over `records` for the rows `user` may pull."""
    clauses = []
    restrictions = allowed_restrictions(user.role)
    if restrictions != allowed_restrictions("la-lead"):
        clauses.append(Record.restricted.in_(sorted(restrictions)))
    pupils = visible_pupils_query(user)
    if pupils is not None:
        belongs = (RecordPupil.entity == Record.entity) & (RecordPupil.entity_id == Record.entity_id)
        member = exists().where(belongs, RecordPupil.pupil_id.in_(pupils))
        # A row nobody's pupil yet (a visit pushed before its children's entries) is its author's.
        orphan = (
            and_(Record.created_by == user.id, Record.owner_pupil.is_(None), ~exists().where(belongs))
            if user.id
            else false()
        )
        owned = Record.owner_pupil.in_(pupils)  # most rows name their pupil (merge.py keeps no membership row)
        clauses.append(or_(Record.entity.in_(SHARED), owned, member, orphan))
    return and_(*clauses) if clauses else None


def may_see_restricted(role: str, restricted: str) -> bool:
    return restricted in allowed_restrictions(role)
