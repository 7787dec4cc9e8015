"""Writing the batch: rows under new sequence numbers, memberships, caseloads and schools."""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import bindparam, delete, insert, select, update

from sync.protocol.clock import DEFAULT, compress, successor

from .. import db
from ..scope import record_exits
from ..shapes import CONFLICT_ENTITY, SHAPES, OwnerElseParent
from ..tables import Caseload, PupilSchool, RecordPupil, User
from .rows import RECORDS, Row, _chunks, _listed

RECORD_COLUMNS = (
    "entity", "entity_id", "data", "clocks", "authors", "deleted", "seq", "owner_pupil", "parent_id",
    "restricted", "created_by", "withdrawn_seq", "withdrawn_clock",
)  # fmt: skip
SEQ_AT = RECORD_COLUMNS.index("seq")
WITHDRAWN_NOW = -1  # in withdrawn_seq until the row's new number is given (_write)


class Prepared(NamedTuple):
    dirty: list[Row]
    values: list[dict]  # each row's columns (its number, "seq", given under the lock)
    lines: list[str | None]  # a new row's COPY line with "%d" for its number (PostgreSQL), else None


class Writing:
    """A part of Merger (merger.py), which holds the state these methods use."""

    # --- writing ------------------------------------------------------------------

    def _prepare(self) -> Prepared:
        """The rows to write, worked out before the feed lock: all but their new numbers.
        On PostgreSQL a new row's COPY line is written out here but for its number."""
        dirty = sorted(
            (r for r in self.rows.values() if r.dirty), key=lambda r: r.entity == CONFLICT_ENTITY
        )  # conflicts after their records
        values, lines = [], []
        pg = self._pg
        for row in dirty:
            if row.one_write:
                clocks, authors = {DEFAULT: row.one_write[0]}, {DEFAULT: row.one_write[1]}
            else:
                clocks, authors = compress(row.clocks), compress(row.authors)
            restricted = self._restriction(row.entity, row.data)
            row_values = {
                "entity": row.entity,
                "entity_id": row.entity_id,
                "data": row.data,
                "clocks": clocks,
                "authors": authors,
                "deleted": row.deleted,
                "seq": None,  # given under the lock (_write)
                "owner_pupil": row.owner,
                "parent_id": row.parent[1] if row.parent else None,
                "restricted": restricted,
                "created_by": row.created_by,
                "withdrawn_seq": row.withdrawn[0],
                "withdrawn_clock": row.withdrawn[1],
            }
            if row.seq is not None and not row.restricted and restricted:
                # Restricted now after it was not: those it was sent to are told, at this write's
                # number (Record.withdrawn_seq), stamped just after its newest clock.
                row_values["withdrawn_seq"] = WITHDRAWN_NOW
                # The server's stamp just after it: when it went, not from which laptop.
                row_values["withdrawn_clock"] = successor(max(row.clocks.values()), "server")
            values.append(row_values)
            if pg and row.seq is None:
                lines.append(db.copy_line(row_values, RECORD_COLUMNS, SEQ_AT))
            else:
                lines.append(None)
        return Prepared(dirty, values, lines)

    def _write(self, last: int, prepared: Prepared) -> int:
        """Write the prepared rows under new numbers after `last` (under the feed lock)."""
        dirty = prepared.dirty
        new, old, copy = [], [], []
        for row, values, line in zip(dirty, prepared.values, prepared.lines, strict=True):
            last += 1
            values["seq"] = last
            if values["withdrawn_seq"] == WITHDRAWN_NOW:
                values["withdrawn_seq"] = last
            if row.seq is not None:
                old.append(values)
            elif line is not None:
                copy.append(line % last)
            else:
                new.append(values)
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
                    withdrawn_seq=bindparam("withdrawn_seq"),
                    withdrawn_clock=bindparam("withdrawn_clock"),
                    created_by=bindparam("created_by"),  # a part filled in becomes its filler's (merger.py)
                ),
                [
                    {k: v for k, v in values.items() if k not in ("entity", "entity_id")}
                    | {"b_entity": values["entity"], "b_id": values["entity_id"]}
                    for values in old
                ],
            )
        db.bulk_insert(self.conn, RECORDS, new)
        db.copy_lines(self.conn, RECORDS, RECORD_COLUMNS, copy)
        self.written["records"] = len(new) + len(copy)
        self._write_members(dirty)
        self.last = last  # where scope exits of this push go in the feed
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
        self.written["record_pupils"] = len(rows)
        for r in changed:
            r.stored_members = set(r.members)

    def _left_school(self, old_urns: dict[str, str]) -> None:
        """Pupils who moved school leave their old school's users' scope: their devices are told."""
        if not old_urns:
            return
        users = self.conn.execute(
            select(User.id, User.school_urn).where(User.role == "school", User.school_urn.in_(set(old_urns.values())))
        ).all()
        record_exits(
            self.conn, [(u, p) for p, urn in old_urns.items() for u, u_urn in users if u_urn == urn], self.last
        )

    def _write_caseload_and_schools(self, dirty: list[Row]) -> None:
        if self.new_caseload:
            self.conn.execute(insert(Caseload), [{"pupil_id": p, "user_id": self.user.id} for p in self.new_caseload])
        # A school that arrives after its pupils (or whose URN was corrected) fills in their URN now.
        joined = self._relink_school_pupils([r for r in dirty if r.entity == "school" and not r.deleted])
        pupils = [r for r in dirty if r.entity == "pupil"]
        if pupils:
            joined |= self._link_pupils(pupils)
        if joined:
            self.conn.execute(
                update(User)
                .where(User.role == "school", User.school_urn.in_(sorted(joined)))
                .values(scope_epoch=User.scope_epoch + 1)
            )

    def _relink_school_pupils(self, schools: list[Row]) -> set[str]:
        joined = set()
        for row in schools:
            urn = row.data.get("urn") or ""
            self._left_school(
                dict(
                    self.conn.execute(
                        select(PupilSchool.pupil_id, PupilSchool.urn).where(
                            PupilSchool.school_id == row.entity_id, PupilSchool.urn != urn
                        )
                    ).all()
                )
            )  # a corrected URN: the pupils leave the old URN's users
            moved = self.conn.execute(
                update(PupilSchool)
                .where(PupilSchool.school_id == row.entity_id, PupilSchool.urn != urn)
                .values(urn=urn)
            ).rowcount
            if moved and urn:
                joined.add(urn)  # pupils already held joined this school: it needs their history
        return joined

    def _link_pupils(self, pupils: list[Row]) -> set[str]:
        self._load(("school", r.data["base_school_id"]) for r in pupils if r.data.get("base_school_id"))
        current = {}
        for chunk in _chunks([r.entity_id for r in pupils]):
            current.update(
                (pupil_id, (urn, school_id))
                for pupil_id, urn, school_id in self.conn.execute(
                    select(PupilSchool.pupil_id, PupilSchool.urn, PupilSchool.school_id).where(
                        PupilSchool.pupil_id.in_(chunk)
                    )
                )
            )
        gone, came, joined, left = [], [], set(), {}
        for row in pupils:
            school_id = row.data.get("base_school_id") or None
            school = self.rows.get(("school", school_id or ""))
            urn = (school.data.get("urn") or "") if school else ""  # "" until the school arrives
            held = current.get(row.entity_id)
            if held == (urn, school_id):
                continue
            if held is not None:
                gone.append(row.entity_id)
                if held[0] and held[0] != urn:
                    left[row.entity_id] = held[0]  # the old school's users no longer see them
                if urn and held[0] != urn:
                    joined.add(urn)  # an existing pupil moved school: the new school needs their history
            if urn or school_id:
                came.append({"pupil_id": row.entity_id, "urn": urn, "school_id": school_id})
        for chunk in _chunks(gone):
            self.conn.execute(delete(PupilSchool).where(PupilSchool.pupil_id.in_(chunk)))
        self._left_school(left)
        if came:
            self.conn.execute(insert(PupilSchool), came)
        return joined
