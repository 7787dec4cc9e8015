"""Whether an operation may be applied: a role's limits and the user's scope, per
operation (a part of Merger, merger.py, which holds the state these methods use)."""

from __future__ import annotations

from sqlalchemy import select

from sync.protocol import Op
from sync.protocol.serving import RESTRICTABLE

from .. import shapes
from ..scope import visible_pupils
from ..shapes import CONFLICT_ENTITY, SHAPES, Owner, OwnerElseParent, Shared
from ..tables import User
from .rows import Row


class Refusals:
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
            if op.entity == "pupil" and op.fields.get("deleted") is True:
                return "Schools cannot remove a pupil from the LA's record."
            if op.entity == "pupil" and _moves_school(op, before):
                return "Schools cannot move a pupil to another school; their worker or the LA does that."
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

    def _fills_shell(self, op: Op, before: Row) -> bool:
        """Whether `op` names the pupil of a record the server holds only a part of, naming no
        pupil: after a restore, a laptop that wrote one field of it (a school's target on a
        worker's entry) sent that field again first. The laptop that wrote the rest may then send
        it, if the pupil it names is one the part's writer may see too (the pupil is checked
        against this user's own caseload after)."""
        shape = SHAPES[op.entity]
        if not isinstance(shape, (Owner, OwnerElseParent)) or shape.column == "id" or before.members:
            return False
        parent_column = shape.parent_column if isinstance(shape, OwnerElseParent) else ""
        pupil = op.fields.get(shape.column)
        if not pupil or before.data.get(shape.column) or (parent_column and before.data.get(parent_column)):
            return False
        writer = self.conn.execute(select(User.__table__).where(User.id == before.created_by)).first()
        if writer is None:
            return False
        theirs = visible_pupils(self.conn, writer)
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


def _moves_school(op: Op, before: Row) -> bool:
    """A pupil op that names a base school other than the one the pupil has."""
    return "base_school_id" in op.fields and op.fields["base_school_id"] != before.data.get("base_school_id")
