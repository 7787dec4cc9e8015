"""The push itself: Merger, one operation at a time (its refusals in refusals.py, the
values it cannot keep in checks.py, its waiting for the batch before it in ordering.py)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import BigInteger, Connection, bindparam, delete, select, update

from sync.protocol import Op, OpResult, PushResponse, clamp, stamp_device, successor
from sync.protocol.clock import format_time
from sync.protocol.values import unkeepable

from .. import db, shapes
from ..auth import now as utc_now
from ..scope import push_refusal, visible_pupils
from ..shapes import CONFLICT_ENTITY, SHAPES
from ..tables import AppliedOp, Feed, User
from . import queries
from .checks import NOT_A_FLAG, UNKEEPABLE, odd_link
from .loading import Loading
from .membership import Membership
from .ordering import OutOfOrder, is_applied, wait_until
from .refusals import JOINS, Refusals, conflict_refusal
from .rows import CLOCK_ALLOWANCE, RESERVED_FIELDS, Key, Row, _text
from .writing import Writing

FORGOTTEN = (
    "This record was deleted on the LA's server long ago, while this laptop was away; the change is kept on the laptop."
)

# The feed row: read, locked (until commit), and moved on; built once (each runs on every push).
_FEED = select(Feed.last, Feed.horizon).where(Feed.id == 1)
_TAKEN = bindparam("n", type_=BigInteger)
_LOCK = (
    update(Feed)
    .where(Feed.id == 1)
    .values(last=Feed.last + _TAKEN)
    .returning((Feed.last - _TAKEN).label("last"), Feed.horizon, Feed.last.label("taken"))
)
_FEED_LAST = update(Feed).where(Feed.id == 1).values(last=bindparam("last"))


class Merger(Loading, Membership, Refusals, Writing):
    """One push, for one user and device."""

    def __init__(self, conn: Connection, user: User, device_id: str, moment: datetime | None = None) -> None:
        self.conn, self.user, self.device_id = conn, user, device_id
        self.moment = moment or datetime.now(UTC)
        self.clamp_limit = format_time(self.moment + CLOCK_ALLOWANCE)
        self.rows: dict[Key, Row] = {}
        self.missing: set[Key] = set()  # looked up, not in the database
        self.forgotten: set[Key] = set()  # of those, records whose tombstones were pruned
        self.tombstones: set[Key] = set()  # rows read that were deleted (a prune may forget them)
        self.link_cache: dict[str, dict[Key, Row]] = {}  # gathered row id -> its link rows
        self.pupils: set[str] | None = None
        self.new_caseload: list[str] = []
        self.conflicts = 0
        self.pupils_read: set[str] | None = None  # the user's pupils as read, before this push added any
        self.done: dict[str, tuple[str, str]] = {}  # operations already applied, as read
        self.asked_children: set[str] = set()  # ids whose children were looked up
        self.refused = False  # whether the merge refused any operation
        self.written: dict[str, int] = {}  # rows inserted per table (stats.note_written)
        # Read once a push, when first needed (refusals.py); again on a redo (_reset).
        self._school_users: set[int] | None = None  # the ids of this school's users
        self._writers: dict[int, frozenset[str] | set[str] | None] = {}  # a part's writer -> their pupils

    # --- the push -------------------------------------------------------------

    def push(self, ops: list[Op]) -> PushResponse:
        results, conflicts = self.apply(ops)
        return PushResponse(results=[OpResult(op_id=i, status=s, reason=r) for i, s, r in results], conflicts=conflicts)

    def apply(self, ops: list[Op], after: str | None = None) -> tuple[list[tuple[str, str, str]], int]:
        """Merge and write the operations: (op id, status, reason) for each, and the conflicts raised.
        (Plain tuples: building a model per operation was a tenth of a large push's time.)
        `after`: an operation that must be applied first (PushRequest.after).

        On PostgreSQL the merge is worked out before the feed lock is taken, and checked
        under it: if nothing it read was written meanwhile (every write moves a row to a
        new sequence number), it stands; else it is worked out again under the lock. So
        the lock, which every push queues for, is held for the writes and the commit,
        not for the merge. (SQLite's writer holds its lock from BEGIN IMMEDIATE.)"""
        if self.conn.dialect.name == "postgresql":
            start = self.conn.execute(_FEED).one()
            results, applied = self._merge(ops, pruned=start.horizon > 0)
            # Before the lock too: the rows' COPY text but for their numbers (worked out while the
            # batch before this one is written), and the operations applied (a key written meanwhile
            # by another request redoes the push, merge.push).
            prepared = self._prepare()
            if after:  # the batch sent before this one, merged meanwhile; then the check below sees its rows
                wait_until(lambda: is_applied(self.conn, after))  # before writing: a waiter holds no row
            self._write_applied(applied)
            feed = self._lock(len(prepared.dirty))  # the numbers this push gives, taken with the lock
            if not self._still_current(start, feed, ops):
                self._unwrite_applied(applied)  # first, or the merge would take them as done
                self._reset()
                results, applied = self._merge(ops, pruned=feed.horizon > 0)
                self._write_applied(applied)
                prepared = self._prepare()
        else:
            feed = self._lock()
            if after and not is_applied(self.conn, after):  # no waiting while holding SQLite's one write lock
                raise OutOfOrder()  # (merge.push waits for it before it begins)
            results, applied = self._merge(ops, pruned=feed.horizon > 0)
            self._write_applied(applied)
            prepared = self._prepare()
        last = self._write(feed.last, prepared)
        if last != feed.taken:  # a merge worked out again under the lock wrote more or fewer rows
            self.conn.execute(_FEED_LAST, {"last": last})
        return results, self.conflicts

    def _write_applied(self, applied: list[dict]) -> None:
        """Keep the operations applied, with their answers."""
        db.bulk_insert(self.conn, AppliedOp.__table__, applied)
        self.written["applied_ops"] = len(applied)

    def _unwrite_applied(self, applied: list[dict]) -> None:
        """Take back what _write_applied kept, for a merge worked out again."""
        for chunk in self._batches([row["op_id"] for row in applied]):
            self.conn.execute(delete(AppliedOp).where(self._in(AppliedOp.op_id, chunk)))

    def _lock(self, numbers: int = 0):
        """Take the feed lock until commit, and the next `numbers` feed numbers:
        (last before them, horizon, last of them)."""
        return self.conn.execute(_LOCK, {"n": numbers}).one()

    def _reset(self) -> None:
        self.__init__(self.conn, self.user, self.device_id, self.moment)

    def _still_current(self, start, feed, ops: list[Op]) -> bool:
        """Whether what the merge read is still what the database holds, now that we hold the lock."""
        if feed.horizon != start.horizon:  # tombstones were forgotten
            return False
        # Rows written since: any the merge read (or looked for and did not find), or any whose
        # parent is one the merge asked the children of, and the merge must be done again.
        # (Asked of the database by id alone: a match of id only is rare and merely costs a redo.)
        # And the user's pupils now: asked together, as the lock is held until commit.
        ids = sorted(self.asked_children | {entity_id for _entity, entity_id in set(self.rows) | self.missing})
        # A prune meanwhile (admin.prune_tombstones) writes no row and may not move the horizon, so
        # the tombstones the merge read are asked after too: any forgotten now means a redo. (Only
        # they: a prune deletes nothing else, and a row written since `start` and pruned meanwhile
        # moved the horizon above start.last, checked above.)
        gone = sorted({entity_id for _entity, entity_id in self.tombstones})
        written, forgotten, listed = self.conn.execute(*queries.recheck(self.user, start.last, ids, gone)).one()
        if forgotten:
            return False
        pupils = None if self.pupils_read is None else set(listed or ())
        grew = pupils is not None and self.pupils_read is not None and pupils >= self.pupils_read
        if pupils != self.pupils_read and not (grew and not self.refused):
            # More pupils only make more records visible: a merge that refused nothing stands.
            # (Another device of the same worker adding a pupil meanwhile is the common case.)
            return False
        # The same operations applied meanwhile by another request (a retry racing its first
        # try) are not asked about again here: writing them again breaks applied_ops' key, and
        # the push is then merged afresh (merge.push), answering them as done.
        return not written

    def _merge(self, ops: list[Op], pruned: bool = False) -> tuple[list[tuple[str, str, str]], list[dict]]:
        """`pruned`: whether tombstones were ever pruned (the feed's horizon): only then are
        records not found looked for among the forgotten."""
        self.pupils = visible_pupils(self.conn, self.user)
        self.pupils_read = None if self.pupils is None else set(self.pupils)
        done = self.done = self._applied([op.op_id for op in ops])
        fresh = [op for op in ops if op.op_id not in done]
        # Only operations whose links are ids are looked up (the others are refused in _apply).
        sound = [op for op in fresh if op.entity in SHAPES and not odd_link(op.entity, op.fields)]
        self._load((op.entity, op.entity_id) for op in sound)
        parents = [self.rows[k].parent for k in list(self.rows)]
        parents += [shapes.parent_of(op.entity, op.fields) for op in sound]
        if self.user.role == "school":  # the visit a note about one child names (refusals.py), all at once
            parents += [(JOINS[op.entity][0], op.fields.get(JOINS[op.entity][1])) for op in sound if op.entity in JOINS]
        schools = [("school", op.fields["base_school_id"]) for op in sound if op.fields.get("base_school_id")]
        self._load([p for p in parents if p] + schools)
        if pruned:
            self._find_forgotten([(op.entity, op.entity_id) for op in fresh])

        results: list[tuple[str, str, str]] = []
        applied: list[dict] = []
        seen: set[str] = set()
        moment = utc_now()
        for op in ops:
            if op.op_id in done or op.op_id in seen:
                status, reason = done.get(op.op_id, ("applied", ""))
                results.append((op.op_id, "duplicate", reason if status == "refused" else ""))
                continue
            seen.add(op.op_id)
            reason = self._apply(op)
            status = "refused" if reason else "applied"
            self.refused = self.refused or bool(reason)
            results.append((op.op_id, status, reason))
            applied.append(
                {
                    "op_id": op.op_id,
                    "device_id": self.device_id,
                    "status": status,
                    "reason": reason,
                    "applied_at": moment,
                }
            )
        self._settle_members()
        return results, applied

    def _find_forgotten(self, keys: list[Key]) -> None:
        wanted = sorted({k for k in keys if k in self.missing})
        for chunk in self._batches(wanted):
            self.forgotten.update((e, i) for e, i in self.conn.execute(*queries.forgotten(self._pg, chunk)))

    def _applied(self, op_ids: list[str]) -> dict[str, tuple[str, str]]:
        done = {}
        for chunk in self._batches(list(set(op_ids))):
            for op_id, status, reason in self.conn.execute(*queries.applied(self._pg, chunk)):
                done[op_id] = (status, reason)
        return done

    # --- one operation --------------------------------------------------------

    def _apply(self, op: Op) -> str:
        """Merge one operation; the reason it was refused, or ''."""
        if op.entity not in SHAPES:
            return f"The server does not know '{op.entity}' records; update the server."
        fields = op.fields
        if not RESERVED_FIELDS.isdisjoint(fields):
            fields = {k: v for k, v in fields.items() if k not in RESERVED_FIELDS}
        if not all(map(str.isidentifier, fields)):
            return "A field name is not valid."
        if type(fields.get("deleted", False)) is not bool:  # before anything reads it
            return NOT_A_FLAG
        odd = unkeepable(fields)  # a NUL (PostgreSQL keeps none), a number past 64 bits (SQLite none), deep nesting
        if odd:
            return UNKEEPABLE[odd]
        odd = odd_link(op.entity, fields)  # before anything looks a record up by it
        if odd:
            return odd
        before = self.rows.get((op.entity, op.entity_id))
        stored = before.data if before else {}
        fields, reason = push_refusal(self.user.role, op.entity, fields, stored)  # what this role is served
        if reason:
            return reason
        after_data = before.data | fields if before else fields  # read only, by the scope checks
        reason = self._refusal(op, before, after_data)
        if not reason and op.entity == CONFLICT_ENTITY:
            reason = conflict_refusal(before, fields)
        if reason:
            return reason
        # Only now, the role and scope checked: that a record was here once is not for every role to learn.
        if before is None and (op.entity, op.entity_id) in self.forgotten:
            if fields.get("deleted") is True:
                return ""  # deleted here long ago: nothing to do
            return FORGOTTEN
        if before is None:
            row = Row(op.entity, op.entity_id, {}, {}, {}, self.user.id)
            self.rows[row.key] = row
            self.missing.discard(row.key)
            if op.entity == "pupil" and self.pupils is not None and op.entity_id not in self.pupils:
                self.pupils.add(op.entity_id)  # a worker's new pupil joins their caseload
                self.new_caseload.append(op.entity_id)
        else:
            row = before
            # (not visible to this user: no pupils, made by another; as _visible, cheaply, per op)
            if (
                self.user.role != "school"
                and not row.members
                and row.created_by != self.user.id
                and self._fills_shell(op, row)
            ):
                # The part another laptop sent first is this worker's (or lead's) record, filled in
                # (after a restore): theirs now, so the part's writer (a school) may not remove it as
                # its own. A school filling a part never takes a record over.
                row.created_by = self.user.id
        clock = clamp(op.clock, self.moment, limit=self.clamp_limit)
        author = stamp_device(op.clock)
        if self._merge_fields(row, op, fields, clock, author):
            row.dirty = True  # re-sent in the feed, so the pusher learns the value that won
        return ""

    def _merge_fields(self, row: Row, op: Op, fields: dict, clock: str, author: str) -> bool:
        if not row.clocks:  # a new record: every field at once
            row.data.update(fields)
            row.changed()
            row.clocks = dict.fromkeys(fields, clock)
            row.authors = dict.fromkeys(fields, self.user.name)
            row.one_write = (clock, self.user.name)
            row.dirty = True
            return False
        lost = False
        was_deleted = row.deleted
        deleting = fields.get("deleted") is True and not was_deleted
        if deleting:
            self._deleted_under_edits(row, op, author)
        for name, value in fields.items():
            current = row.clocks.get(name)
            if current is None:
                self._set(row, name, value, clock)
                continue
            concurrent = op.base.get(name) != current and stamp_device(current) != author
            if not concurrent:
                # The device saw what is stored, so its write comes after it even if its clock is behind.
                self._set(row, name, value, clock if clock > current else successor(current, author))
                continue
            if clock > current:
                loser, loser_clock, loser_by = row.data.get(name), current, row.authors.get(name, "")
                self._set(row, name, value, clock)
            else:
                loser, loser_clock, loser_by = value, clock, self.user.name
                lost = lost or value != row.data.get(name)
            if shapes.is_free_text(row.entity, name) and _text(loser) and loser != row.data.get(name):
                self._conflict(row, name, "edit", loser, loser_clock, loser_by)
        if was_deleted and "deleted" not in fields:
            self._edited_after_delete(row, op, fields, clock, author)
        return lost

    def _set(self, row: Row, name: str, value: object, clock: str) -> None:
        if row.data.get(name) != value or row.clocks.get(name) != clock:
            row.dirty = True
        row.data[name] = value
        row.changed()
        row.one_write = None
        row.clocks[name] = clock
        row.authors[name] = self.user.name

    def _deleted_under_edits(self, row: Row, op: Op, author: str) -> None:
        """A delete arrives for a record someone else edited meanwhile: keep their words."""
        for name in shapes.FREE_TEXT.get(row.entity, ()):
            current = row.clocks.get(name)
            if (
                current
                and op.base.get(name) != current
                and stamp_device(current) != author
                and _text(row.data.get(name))
            ):
                self._conflict(row, name, "deleted", row.data.get(name), current, row.authors.get(name, ""))

    def _edited_after_delete(self, row: Row, op: Op, fields: dict, clock: str, author: str) -> None:
        """An edit arrives for a record deleted elsewhere meanwhile: the record stays deleted, the words are kept."""
        removed = row.clocks.get("deleted")
        if not removed or op.base.get("deleted") == removed or stamp_device(removed) == author:
            return
        for name, value in fields.items():
            if shapes.is_free_text(row.entity, name) and _text(value):
                self._conflict(row, name, "deleted", value, clock, self.user.name)

    def _conflict(self, row: Row, name: str, kind: str, loser: object, loser_clock: str, loser_by: str) -> None:
        stamp = successor(max(row.clocks.values()), "server")
        data = {
            "entity": row.entity,
            "entity_id": row.entity_id,
            "field": name,
            "kind": kind,
            "kept_value": _text(row.data.get(name)) if kind == "edit" else "",
            "kept_by": row.authors.get(name, "") if kind == "edit" else "",
            "kept_clock": row.clocks.get(name, "") if kind == "edit" else "",
            "other_value": _text(loser),
            "other_by": loser_by,
            "other_clock": loser_clock,
            "raised_at": format_time(self.moment),
            "resolved": False,
            "resolution": "",
            "deleted": False,
        }
        conflict = Row(CONFLICT_ENTITY, str(uuid.uuid4()), data, dict.fromkeys(data, stamp), {}, self.user.id)
        conflict.authors = dict.fromkeys(data, "server")
        conflict.dirty = True
        self.rows[conflict.key] = conflict
        self.conflicts += 1
