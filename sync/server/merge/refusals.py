"""Whether an operation may be applied: a role's limits and the user's scope, per
operation (a part of Merger, merger.py, which holds the state these methods use)."""

from __future__ import annotations

from sqlalchemy import select

from sync.protocol import Op
from sync.protocol.serving import RESTRICTABLE

from .. import shapes
from ..scope import visible_pupils
from ..shapes import CONFLICT_ENTITY, LINKS, SHAPES, Gathered, Owner, OwnerElseParent, Parent, Shared
from ..tables import User
from .rows import Row


class Refusals:
    # Read when first needed, once a push (set in Merger.__init__, so again on its redo):
    _school_users: set[int] | None  # the ids of this school's users
    _writers: dict[int, frozenset[str] | set[str] | None]  # a part's writer -> the pupils they see

    def _visible(self, row: Row) -> bool:
        if self.pupils is None or isinstance(SHAPES[row.entity], Shared):
            return True
        if row.members:
            return bool(row.members & self.pupils)
        return row.created_by == self.user.id

    def _refusal(self, op: Op, before: Row | None, after: dict) -> str:
        role = self.user.role
        shape = SHAPES[op.entity]
        if role == "school":
            restricted = {self._restriction(op.entity, after)} | (
                {self._restriction(before.entity, before.data)} if before else set()
            )
            if "concern" in restricted:
                return "Schools cannot record or change safeguarding concerns here."
            if "professional" in restricted:
                return "Schools cannot record or change professional-only notes."
            if isinstance(shape, Shared):
                return "Schools cannot change schools, sites or work packs."
            if op.entity == "pupil" and before is None:
                return "Schools cannot add pupils to the LA's record."
        if op.entity == "school" and before is not None and role != "la-lead" and _changes(before, after, "urn"):
            return (
                "Only your LA lead can change a school's URN, as it decides which school is sent which "
                "pupils; ask them to correct it."
            )
        reason = self._scope_refusal(op, before, after)
        if reason or role != "school" or op.entity == CONFLICT_ENTITY:
            return reason
        # Only now, the pupil known to be the school's: what became of one it may not see is not
        # for it to learn from the reason (removed, or not).
        if op.entity == "pupil" and op.fields.get("deleted") is True:
            return "Schools cannot remove a pupil from the LA's record."
        if op.entity == "pupil" and _brings_back(op, before):
            return "Schools cannot bring a pupil back to the LA's record; their worker or the LA does that."
        if op.entity == "pupil" and _moves_school(op, before):
            return "Schools cannot move a pupil to another school; their worker or the LA does that."
        return self._school_refusal(op, before, after)

    def _scope_refusal(self, op: Op, before: Row | None, after: dict) -> str:
        """Whether the record, and the pupil or parent it names, are on the user's caseload."""
        role, shape = self.user.role, SHAPES[op.entity]
        if self.pupils is None:
            return ""
        outside = "This record is not on your caseload."
        if before is not None and not self._visible(before) and not self._fills_shell(op, before):
            return outside
        if isinstance(shape, (Owner, OwnerElseParent)):
            pupil = op.entity_id if shape.column == "id" else after.get(shape.column)
            if op.entity == "pupil" and before is None and role in ("tutor", "tes"):
                return ""
            if pupil and pupil not in self.pupils:
                return "That pupil is not on your caseload."
        parent = shapes.parent_of(op.entity, after)
        if isinstance(shape, OwnerElseParent) and after.get(shape.parent_column):
            parent = (shape.entity, after[shape.parent_column])  # a note about one child is still on its visit
        if parent and parent in self.rows and not self._visible(self.rows[parent]):
            return outside
        return ""

    def _school_refusal(self, op: Op, before: Row | None, after: dict) -> str:
        """What a school may not do even to its own pupils' records. A school sees the pupils of
        every worker whose pupils attend it, so a record moved from one of its pupils to another,
        or a child joined to a visit someone else logged, would hand one family's records to
        another family's worker. And a visit may record another school's pupil: a school removes,
        or brings back, only what a user of this school recorded."""
        placing = PLACING[op.entity]
        placed = before is not None and any(before.data.get(c) for c in placing)  # not a part sent first
        if placed and any(_changes(before, after, c) for c in placing):
            return "Schools cannot move a record to another pupil, visit, folder or plan; ask the pupil's worker."
        joins = JOINS.get(op.entity)
        if joins and after.get(joins[1]) and (before is None or _changes(before, after, joins[1])):
            key = (joins[0], after[joins[1]])
            if key not in self.rows and key not in self.missing:
                self._load([key])  # a note naming its child does not name its visit as its parent
            visit = self.rows.get(key)
            if visit is not None and not self._by_this_school(visit):
                what = joins[0].replace("_", " ")
                return f"Schools can add a child or a note only to a {what} your school logged; ask whoever logged it."
        deleting = op.fields.get("deleted") is True and before is not None and not before.deleted
        if deleting and not self._by_this_school(before):
            return "Schools can remove only what your school recorded; ask the pupil's worker to remove it."
        if _brings_back(op, before) and not self._by_this_school(before):
            return "Schools can bring back only what your school recorded; ask the pupil's worker to restore it."
        return ""

    def _by_this_school(self, row: Row) -> bool:
        """Whether a user of this school made the record (any of its users, not only this one)."""
        if row.created_by is None:
            return False
        if row.created_by == self.user.id:
            return True
        if self._school_users is None:
            query = select(User.id).where(User.role == "school", User.school_urn == self.user.school_urn)
            self._school_users = set(self.conn.execute(query).scalars())
        return row.created_by in self._school_users

    def _fills_shell(self, op: Op, before: Row) -> bool:
        """Whether `op` names the pupil of a record the server holds only a part of, naming no
        pupil: after a restore, a laptop that wrote one field of it (a school's target on a
        worker's entry) sent that field again first. The laptop that wrote the rest may then send
        it, if the pupil it names is one the part's writer may see too (the pupil is checked
        against this user's own caseload after). Each writer's pupils are read once a push."""
        shape = SHAPES[op.entity]
        if not isinstance(shape, (Owner, OwnerElseParent)) or shape.column == "id" or before.members:
            return False
        parent_column = shape.parent_column if isinstance(shape, OwnerElseParent) else ""
        pupil = op.fields.get(shape.column)
        if not pupil or before.data.get(shape.column) or (parent_column and before.data.get(parent_column)):
            return False
        if before.created_by is None:
            return False
        if before.created_by not in self._writers:
            writer = self.conn.execute(select(User.__table__).where(User.id == before.created_by)).first()
            self._writers[before.created_by] = frozenset() if writer is None else visible_pupils(self.conn, writer)
        theirs = self._writers[before.created_by]
        return theirs is None or pupil in theirs

    def _restriction(self, entity: str, data: dict) -> str:
        """A conflict record is as restricted as the record it is about (it holds its words).
        One about a note is professional-only whatever the note is now: its restriction is
        fixed when it is written, and the note may be made professional-only later."""
        if entity == CONFLICT_ENTITY:
            target = self.rows.get(shapes.parent_of(entity, data) or ("", ""))
            if target is None:  # gone (its tombstone forgotten): as restricted as its kind of note
                about = data.get("entity") or ""
                return "concern" if about == "concern" else "professional" if about in RESTRICTABLE else ""
            return self._restriction(target.entity, target.data) or (
                "professional" if target.entity in RESTRICTABLE else ""
            )
        return shapes.restriction(entity, data)


# What a device may send of a conflict record: its answer. The rest is the server's account of
# what was lost, which no laptop may rewrite.
CONFLICT_ANSWER = frozenset({"resolved", "resolution"})
RESOLUTIONS = frozenset({"", "mine", "theirs", "merged"})


def conflict_refusal(before: Row | None, fields: dict) -> str:
    if before is None:
        return "Conflict records are made by the LA's server, not sent to it."
    rewritten = sorted(name for name in fields if name not in CONFLICT_ANSWER and fields[name] != before.data.get(name))
    if rewritten:
        return f"A conflict can be resolved, not rewritten ({', '.join(rewritten)})."
    if type(fields.get("resolved", False)) is not bool or fields.get("resolution", "") not in RESOLUTIONS:
        return "A conflict is resolved by keeping mine, theirs or merged words."
    return ""


def _changes(before: Row, after: dict, column: str) -> bool:
    """Whether the operation gives the column another value (empty and missing alike)."""
    return (after.get(column) or None) != (before.data.get(column) or None)


def _placing(entity: str) -> tuple[str, ...]:
    """The columns that say which pupil, or which parent record, a row belongs to."""
    shape = SHAPES[entity]
    columns: list[str] = []
    if isinstance(shape, Owner) and shape.column != "id":
        columns.append(shape.column)
    if isinstance(shape, OwnerElseParent):
        columns += [shape.column, shape.parent_column]
    if isinstance(shape, Parent):
        columns.append(shape.column)
    if entity in LINKS:
        columns.append(LINKS[entity][1])
    return tuple(dict.fromkeys(columns))


def _joins(entity: str) -> tuple[str, str] | None:
    """(gathered entity, column) for a row that joins a child, or a note, to a record gathering
    several pupils (a visit): its link rows, and notes that may be about one child on it."""
    shape = SHAPES[entity]
    if entity in LINKS:
        return LINKS[entity]
    if isinstance(shape, OwnerElseParent) and isinstance(SHAPES[shape.entity], Gathered):
        return (shape.entity, shape.parent_column)
    return None


PLACING = {entity: _placing(entity) for entity in SHAPES}
JOINS = {entity: joined for entity in SHAPES if (joined := _joins(entity))}


def _brings_back(op: Op, before: Row | None) -> bool:
    """Whether the operation undoes a record's removal (`deleted` is a true or false by now: merger.py)."""
    return op.fields.get("deleted") is False and before is not None and before.deleted


def _moves_school(op: Op, before: Row) -> bool:
    """A pupil op that names a base school other than the one the pupil has."""
    return "base_school_id" in op.fields and op.fields["base_school_id"] != before.data.get("base_school_id")
