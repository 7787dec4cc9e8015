"""Applying a push: each operation once, per-field last-writer-wins on the
hybrid logical clock, free-text conflicts kept, scope checked per operation.

A push runs in one transaction that first takes the feed row's lock, so
sequence numbers are handed out in commit order: a reader that has seen
number N has seen every number below it. The whole batch is worked in memory
(rows loaded a few queries at a time), then written with executemany.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, String, and_, any_, bindparam, delete, insert, or_, select, update
from sqlalchemy.dialects.postgresql import ARRAY

from sync.protocol import Op, OpResult, PushResponse, clamp, stamp_device, successor
from sync.protocol.clock import compress, expand, format_time

from . import db, shapes
from .auth import now as utc_now
from .scope import visible_pupils
from .shapes import CONFLICT_ENTITY, LINKS, SHAPES, Conflict, Gathered, Owner, OwnerElseParent, Parent, Shared
from .tables import AppliedOp, Caseload, Feed, PupilSchool, Record, RecordPupil, User

RESERVED_FIELDS = frozenset({"id", "updated_at"})
GATHERED = tuple(entity for entity, _column in LINKS.values())
CLOCK_ALLOWANCE = timedelta(seconds=60)  # a device clock this far ahead is believed
CHUNK = 400
RECORDS = Record.__table__

Key = tuple[str, str]


@dataclass
class Row:
    entity: str
    entity_id: str
    data: dict
    clocks: dict
    authors: dict
    created_by: int | None
    seq: int | None = None  # None: not in the database yet
    members: set[str] = field(default_factory=set)
    stored_members: set[str] | None = None  # as in record_pupils (None: not loaded / new)
    dirty: bool = False

    @property
    def key(self) -> Key:
        return (self.entity, self.entity_id)

    @property
    def deleted(self) -> bool:
        return bool(self.data.get("deleted"))

    @property
    def parent(self) -> Key | None:
        return shapes.parent_of(self.entity, self.data)

    @property
    def owner(self) -> str | None:
        return shapes.owner_pupil(self.entity, self.entity_id, self.data)


def _chunks(items: list, size: int = CHUNK) -> Iterable[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


class Merger:
    """One push, for one user and device."""

    def __init__(self, conn: Connection, user: User, device_id: str, moment: datetime | None = None) -> None:
        self.conn, self.user, self.device_id = conn, user, device_id
        self.moment = moment or datetime.now(UTC)
        self.clamp_limit = format_time(self.moment + CLOCK_ALLOWANCE)
        self.rows: dict[Key, Row] = {}
        self.missing: set[Key] = set()  # looked up, not in the database
        self.link_cache: dict[str, dict[Key, Row]] = {}  # gathered row id -> its link rows
        self.pupils: set[str] | None = None
        self.new_caseload: list[str] = []
        self.conflicts = 0

    # --- loading --------------------------------------------------------------

    def _in(self, column, values: list[str]):
        """column IN values; on PostgreSQL one array parameter (= ANY), so a long list
        is neither parsed as hundreds of placeholders nor planned anew each time."""
        if self.conn.dialect.name == "postgresql":
            return column == any_(bindparam(None, list(values), type_=ARRAY(String)))
        return column.in_(values)

    def _keys_in(self, columns, keys: list[Key]):
        """(entity, entity_id) IN keys, as one array test per entity (the primary key's order)."""
        by_entity: dict[str, list[str]] = {}
        for entity, entity_id in keys:
            by_entity.setdefault(entity, []).append(entity_id)
        return or_(*(and_(columns.entity == e, self._in(columns.entity_id, ids)) for e, ids in by_entity.items()))

    def _load(self, keys: Iterable[Key]) -> None:
        wanted = [k for k in set(keys) if k not in self.rows and k not in self.missing and k[1]]
        for chunk in _chunks(wanted):
            found = self.conn.execute(select(RECORDS).where(self._keys_in(RECORDS.c, chunk))).all()
            for rec in found:
                self._adopt(rec)
            got = {(rec.entity, rec.entity_id) for rec in found}
            self.missing.update(k for k in chunk if k not in got)
            self._load_members([k for k in chunk if k in got])

    def _adopt(self, rec) -> Row:
        data = dict(rec.data)  # stored clocks and authors are compressed ("*": the commonest)
        row = Row(
            rec.entity,
            rec.entity_id,
            data,
            expand(rec.clocks, data),
            expand(rec.authors, data),
            rec.created_by,
            rec.seq,
        )
        self.rows[row.key] = row
        return row

    def _load_members(self, keys: list[Key]) -> None:
        listed = []
        for key in keys:
            row = self.rows[key]
            if _listed(row):
                row.members, row.stored_members = set(), set()
                listed.append(key)
            else:  # its one pupil is on the row itself
                row.members = {row.owner} if row.owner else set()
                row.stored_members = set(row.members)
        for chunk in _chunks(listed):
            for entity, entity_id, pupil in self.conn.execute(
                select(RecordPupil.entity, RecordPupil.entity_id, RecordPupil.pupil_id).where(
                    self._keys_in(RecordPupil.__table__.c, chunk)
                )
            ):
                self.rows[(entity, entity_id)].members.add(pupil)
                self.rows[(entity, entity_id)].stored_members.add(pupil)

    def _load_children(self, parent_ids: list[str], stored: list[str] | None = None) -> list[Row]:
        """Rows whose parent_id is one of these (stored ones, and ones made in this push).
        Only `stored` parents (default: all) are looked up in the database: a row
        made in this push has no stored children."""
        wanted = set(parent_ids)
        found: dict[Key, Row] = {}
        fresh = []
        for chunk in _chunks(sorted(wanted if stored is None else set(stored))):
            for rec in self.conn.execute(select(RECORDS).where(self._in(RECORDS.c.parent_id, chunk))):
                key = (rec.entity, rec.entity_id)
                if key not in self.rows:
                    fresh.append(key)
                    self._adopt(rec)
                found[key] = self.rows[key]
        self._load_members(fresh)
        for row in self.rows.values():
            parent = row.parent
            if parent and parent[1] in wanted:
                found[row.key] = row
        # A stored child may have been re-parented in this push: trust the row as it is now.
        return [row for row in found.values() if row.parent and row.parent[1] in wanted]

    # --- the push -------------------------------------------------------------

    def push(self, ops: list[Op]) -> PushResponse:
        feed = self.conn.execute(
            update(Feed).where(Feed.id == 1).values(last=Feed.last).returning(Feed.last)
        ).scalar_one()  # takes the feed lock until commit
        self.pupils = visible_pupils(self.conn, self.user)
        done = self._applied([op.op_id for op in ops])
        fresh = [op for op in ops if op.op_id not in done]
        self._load((op.entity, op.entity_id) for op in fresh if op.entity in SHAPES)
        parents = [self.rows[k].parent for k in list(self.rows)]
        parents += [shapes.parent_of(op.entity, op.fields) for op in fresh if op.entity in SHAPES]
        schools = [("school", op.fields["base_school_id"]) for op in fresh if op.fields.get("base_school_id")]
        self._load([p for p in parents if p] + schools)

        results: list[OpResult] = []
        applied: list[dict] = []
        seen: set[str] = set()
        for op in ops:
            if op.op_id in done or op.op_id in seen:
                status, reason = done.get(op.op_id, ("applied", ""))
                results.append(
                    OpResult(op_id=op.op_id, status="duplicate", reason=reason if status == "refused" else "")
                )
                continue
            seen.add(op.op_id)
            reason = self._apply(op)
            status = "refused" if reason else "applied"
            results.append(OpResult(op_id=op.op_id, status=status, reason=reason))
            applied.append(
                {
                    "op_id": op.op_id,
                    "device_id": self.device_id,
                    "status": status,
                    "reason": reason,
                    "applied_at": utc_now(),
                }
            )

        self._settle_members()
        last = self._write(feed)
        db.bulk_insert(self.conn, AppliedOp.__table__, applied)
        self.conn.execute(update(Feed).where(Feed.id == 1).values(last=last))
        return PushResponse(results=results, conflicts=self.conflicts)

    def _applied(self, op_ids: list[str]) -> dict[str, tuple[str, str]]:
        done = {}
        for chunk in _chunks(list(set(op_ids))):
            for op_id, status, reason in self.conn.execute(
                select(AppliedOp.op_id, AppliedOp.status, AppliedOp.reason).where(self._in(AppliedOp.op_id, chunk))
            ):
                done[op_id] = (status, reason)
        return done

    # --- one operation --------------------------------------------------------

    def _apply(self, op: Op) -> str:
        """Merge one operation; the reason it was refused, or ''."""
        if op.entity not in SHAPES:
            return f"The server does not know '{op.entity}' records; update the server."
        fields = {k: v for k, v in op.fields.items() if k not in RESERVED_FIELDS}
        if any(not k.isidentifier() for k in fields):
            return "A field name is not valid."
        before = self.rows.get((op.entity, op.entity_id))
        after_data = dict(before.data if before else {}) | fields
        reason = self._refusal(op, before, after_data)
        if reason:
            return reason
        if before is None:
            row = Row(op.entity, op.entity_id, {}, {}, {}, self.user.id)
            self.rows[row.key] = row
            self.missing.discard(row.key)
            if op.entity == "pupil" and self.pupils is not None:
                self.pupils.add(op.entity_id)  # a worker's new pupil joins their caseload
                self.new_caseload.append(op.entity_id)
        else:
            row = before
        clock = clamp(op.clock, self.moment, limit=self.clamp_limit)
        author = stamp_device(op.clock)
        if self._merge_fields(row, op, fields, clock, author):
            row.dirty = True  # re-sent in the feed, so the pusher learns the value that won
        return ""

    def _merge_fields(self, row: Row, op: Op, fields: dict, clock: str, author: str) -> bool:
        if not row.clocks:  # a new record: every field at once
            row.data.update(fields)
            row.clocks = dict.fromkeys(fields, clock)
            row.authors = dict.fromkeys(fields, self.user.name)
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

    # --- scope ----------------------------------------------------------------

    def _visible(self, row: Row) -> bool:
        if self.pupils is None or isinstance(SHAPES[row.entity], Shared):
            return True
        if row.members:
            return bool(row.members & self.pupils)
        return row.created_by == self.user.id

    def _refusal(self, op: Op, before: Row | None, after: dict) -> str:
        role = self.user.role
        shape = SHAPES[op.entity]
        restricted = {self._restriction(op.entity, after)} | (
            {self._restriction(before.entity, before.data)} if before else set()
        )
        if role == "school":
            if "concern" in restricted:
                return "Schools cannot record or change safeguarding concerns here."
            if "professional" in restricted:
                return "Schools cannot record or change professional-only notes."
            if isinstance(shape, Shared):
                return "Schools cannot change schools, sites or work packs."
            if op.entity == "pupil" and before is None:
                return "Schools cannot add pupils to the LA's record."
        if self.pupils is None:
            return ""
        outside = "This record is not on your caseload."
        if before is not None and not self._visible(before):
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

    def _restriction(self, entity: str, data: dict) -> str:
        """A conflict record is as restricted as the record it is about (it holds its words)."""
        if entity == CONFLICT_ENTITY:
            target = self.rows.get(shapes.parent_of(entity, data) or ("", ""))
            return self._restriction(target.entity, target.data) if target else ""
        return shapes.restriction(entity, data)

    # --- membership ---------------------------------------------------------------

    def _links_of(self, ids: list[str]) -> None:
        """Load the link rows of these gathered rows (visit -> visit_pupil rows)."""
        need = [i for i in ids if i not in self.link_cache]
        for i in need:
            self.link_cache[i] = {}
        stored = [i for i in need if any(r.seq is not None for r in self._gathered(i))]
        for row in self._load_children(need, stored):
            if row.entity in LINKS:
                self.link_cache[row.parent[1]][row.key] = row

    def _gathered(self, entity_id: str) -> list[Row]:
        return [self.rows[(entity, entity_id)] for entity in GATHERED if (entity, entity_id) in self.rows]

    def _members(self, row: Row) -> set[str]:
        shape = SHAPES[row.entity]
        if isinstance(shape, Owner) or (isinstance(shape, OwnerElseParent) and row.owner):
            return {row.owner} if row.owner else set()
        if isinstance(shape, (Parent, Conflict, OwnerElseParent)):
            parent = self.rows.get(row.parent) if row.parent else None
            return set(parent.members) if parent else set()
        if isinstance(shape, Gathered):
            links = self.link_cache.get(row.entity_id, {})
            return {link.owner for link in links.values() if link.owner and not link.deleted}
        return set()

    def _settle_members(self) -> None:
        """Recompute which pupils each touched row belongs to, and follow the
        change to rows that take their pupils from it; a row whose pupils
        changed gets a new sequence number, so newly entitled users receive it."""
        pending: set[Key] = set()
        for row in list(self.rows.values()):
            if not row.dirty:
                continue
            pending.add(row.key)
            if row.entity in LINKS and row.parent:
                pending.add(row.parent)
        for _round in range(50):  # parent chains are short; the cap only stops a malicious cycle
            if not pending:
                break
            batch = [k for k in pending if k in self.rows or k not in self.missing]
            pending = set()
            self._load(batch)
            rows = [self.rows[k] for k in batch if k in self.rows]
            self._load([r.parent for r in rows if r.parent])
            gathered = [r for r in rows if isinstance(SHAPES.get(r.entity), Gathered)]
            self._links_of([r.entity_id for r in gathered])
            for row in self.rows.values():  # links made or changed in this push
                if row.entity in LINKS and row.parent and row.parent[1] in self.link_cache:
                    self.link_cache[row.parent[1]][row.key] = row
            changed, existing = [], []
            for row in rows:
                if isinstance(SHAPES.get(row.entity), Shared):
                    continue
                members = self._members(row)
                if members != row.members or row.stored_members is None:
                    if members != row.members:
                        changed.append(row.entity_id)
                        if row.seq is not None:
                            existing.append(row.entity_id)
                    row.members = members
                    row.dirty = True
            if changed:
                pending.update(child.key for child in self._load_children(changed, existing))

    # --- writing ------------------------------------------------------------------

    def _write(self, last: int) -> int:
        dirty = sorted(
            (r for r in self.rows.values() if r.dirty), key=lambda r: r.entity == CONFLICT_ENTITY
        )  # conflicts after their records
        new, old = [], []
        for row in dirty:
            last += 1
            values = {
                "entity": row.entity,
                "entity_id": row.entity_id,
                "data": row.data,
                "clocks": compress(row.clocks),
                "authors": compress(row.authors),
                "deleted": row.deleted,
                "seq": last,
                "owner_pupil": row.owner,
                "parent_id": row.parent[1] if row.parent else None,
                "restricted": self._restriction(row.entity, row.data),
                "created_by": row.created_by,
            }
            (old if row.seq is not None else new).append(values)
            row.seq = last
        if old:
            # New numbers are all above the old `last`, so none clashes with a stored one.
            table = RECORDS
            self.conn.execute(
                update(table)
                .where(table.c.entity == bindparam("b_entity"), table.c.entity_id == bindparam("b_id"))
                .values(
                    data=bindparam("data"),
                    clocks=bindparam("clocks"),
                    authors=bindparam("authors"),
                    deleted=bindparam("deleted"),
                    seq=bindparam("seq"),
                    owner_pupil=bindparam("owner_pupil"),
                    parent_id=bindparam("parent_id"),
                    restricted=bindparam("restricted"),
                ),
                [
                    {k: v for k, v in values.items() if k not in ("entity", "entity_id", "created_by")}
                    | {"b_entity": values["entity"], "b_id": values["entity_id"]}
                    for values in old
                ],
            )
        db.bulk_insert(self.conn, RECORDS, new)
        self._write_members(dirty)
        self._write_caseload_and_schools(dirty)
        return last

    def _write_members(self, dirty: list[Row]) -> None:
        # A row that names its pupil needs no membership row: the pull reads owner_pupil.
        changed = [r for r in dirty if r.stored_members != r.members and _listed(r)]
        stored = [r.key for r in changed if r.stored_members]
        # A note that now names its child no longer needs the rows it had.
        stored += [r.key for r in dirty if isinstance(SHAPES[r.entity], OwnerElseParent) and not _listed(r)]
        for chunk in _chunks(stored):
            self.conn.execute(delete(RecordPupil).where(self._keys_in(RecordPupil.__table__.c, chunk)))
        rows = [
            {"entity": r.entity, "entity_id": r.entity_id, "pupil_id": p} for r in changed for p in sorted(r.members)
        ]
        if rows:
            self.conn.execute(insert(RecordPupil), rows)
        for r in changed:
            r.stored_members = set(r.members)

    def _write_caseload_and_schools(self, dirty: list[Row]) -> None:
        if self.new_caseload:
            self.conn.execute(insert(Caseload), [{"pupil_id": p, "user_id": self.user.id} for p in self.new_caseload])
        pupils = [r for r in dirty if r.entity == "pupil"]
        if not pupils:
            return
        self._load(("school", r.data["base_school_id"]) for r in pupils if r.data.get("base_school_id"))
        current = {}
        for chunk in _chunks([r.entity_id for r in pupils]):
            current.update(
                self.conn.execute(
                    select(PupilSchool.pupil_id, PupilSchool.urn).where(PupilSchool.pupil_id.in_(chunk))
                ).all()
            )
        gone, came, joined = [], [], set()
        for row in pupils:
            school = self.rows.get(("school", row.data.get("base_school_id") or ""))
            urn = (school.data.get("urn") or "") if school else ""
            if current.get(row.entity_id) == urn:
                continue
            if row.entity_id in current:
                gone.append(row.entity_id)
                if urn:
                    joined.add(urn)  # an existing pupil moved school: the new school needs their history
            if urn:
                came.append({"pupil_id": row.entity_id, "urn": urn})
        for chunk in _chunks(gone):
            self.conn.execute(delete(PupilSchool).where(PupilSchool.pupil_id.in_(chunk)))
        if came:
            self.conn.execute(insert(PupilSchool), came)
        if joined:
            self.conn.execute(
                update(User)
                .where(User.role == "school", User.school_urn.in_(sorted(joined)))
                .values(scope_epoch=User.scope_epoch + 1)
            )


def _listed(row: Row) -> bool:
    """Whether the row's pupils are kept in record_pupils (rows that do not name their one pupil)."""
    shape = SHAPES[row.entity]
    if isinstance(shape, Shared | Owner):
        return False
    return not (isinstance(shape, OwnerElseParent) and row.owner)


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ("" if value is None else str(value))
