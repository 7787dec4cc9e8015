"""Pushes racing on PostgreSQL, where a push works out its merge before it
takes the feed lock and checks it under the lock (SQLite's writer holds its
lock from the start, so there is no race to have there).

Each test runs a second push to completion at the worst moment for the
first: after the first has read and merged, before it writes anything or
takes the lock. (Once it has written the operations it applies, a second
push of the same operations waits on their key until the first commits, then
is merged again: no single thread can stage that, so it is not staged here.)"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import bindparam, func, select

from sync.protocol import Op
from sync.server import db, merge
from sync.server.merge import Merger
from sync.server.tables import AppliedOp, Record, User
from tests.sync.conftest import _empty, add_user


@pytest.fixture
def pg(pg_database):
    engine = db.make_engine(pg_database, pool_size=2)
    add_user(engine, "lead", "la-lead")
    yield engine
    engine.dispose()
    _empty(pg_database)


def lead(engine) -> User:
    with engine.connect() as conn:
        return User.model_validate(dict(conn.execute(select(User.__table__)).mappings().one()))


def op(n: int, entity_id: str, clock_us: int, **fields) -> Op:
    return Op(
        op_id=f"op-{n}",
        entity="school",
        entity_id=entity_id,
        clock=f"2026-11-22T10:00:00.{clock_us:06d}Z-0000-dev{n}",
        fields=fields,
    )


class Interrupted(Merger):
    """A merger that lets `meanwhile` run (and commit) once it has merged, before it writes."""

    meanwhile = None
    merges = 0

    def _merge(self, ops, **kwargs):
        type(self).merges += 1
        return super()._merge(ops, **kwargs)

    def _write_applied(self, applied):
        if type(self).meanwhile:
            run, type(self).meanwhile = type(self).meanwhile, None
            run()
        return super()._write_applied(applied)


def push(engine, ops: list[Op], merger=Merger):
    with db.writing(engine) as conn:
        return merger(conn, lead(engine), "dev").apply(ops)


def stored(engine, entity_id: str) -> dict:
    with engine.connect() as conn:
        return conn.execute(select(Record.data).where(Record.entity_id == entity_id)).scalar_one()


def test_a_record_changed_while_a_push_merged_is_merged_again_and_loses_nothing(pg):
    push(pg, [op(1, "s1", 1, urn="100001", name="Old name", phone="")])
    Interrupted.merges = 0
    Interrupted.meanwhile = lambda: push(pg, [op(2, "s1", 2, name="New name")])
    push(pg, [op(3, "s1", 3, phone="01632 960000")], Interrupted)
    assert Interrupted.merges == 2  # the first merge read the old name: worked out again under the lock
    assert stored(pg, "s1") == {"urn": "100001", "name": "New name", "phone": "01632 960000"}


def test_a_push_on_other_records_meanwhile_leaves_the_merge_standing(pg):
    push(pg, [op(1, "s1", 1, urn="100001", name="One")])
    Interrupted.merges = 0
    Interrupted.meanwhile = lambda: push(pg, [op(2, "s2", 2, urn="100002", name="Two")])
    push(pg, [op(3, "s1", 3, name="Uno")], Interrupted)
    assert Interrupted.merges == 1  # nothing it read was written: merged once, outside the lock
    assert stored(pg, "s1")["name"] == "Uno" and stored(pg, "s2")["name"] == "Two"


def test_a_record_made_meanwhile_is_found_not_made_twice(pg):
    Interrupted.merges = 0
    Interrupted.meanwhile = lambda: push(pg, [op(1, "s9", 1, urn="100009", name="Made elsewhere")])
    results, _ = push(pg, [op(2, "s9", 2, phone="01632 960001")], Interrupted)
    assert Interrupted.merges == 2 and results == [("op-2", "applied", "")]
    assert stored(pg, "s9") == {"urn": "100009", "name": "Made elsewhere", "phone": "01632 960001"}


def test_the_same_operations_pushed_twice_at_once_are_applied_once(pg):
    ops = [op(1, "s1", 1, urn="100001", name="One")]
    Interrupted.merges = 0
    Interrupted.meanwhile = lambda: push(pg, ops)  # a retry on another connection lands first
    done = merge.push(pg, lead(pg), "dev", ops, merger=Interrupted)  # its key clashes: merged again
    assert Interrupted.merges == 2 and done.results == [("op-1", "duplicate", "")]
    with pg.connect() as conn:
        assert conn.execute(select(AppliedOp.op_id)).scalars().all() == ["op-1"]
        assert conn.execute(select(Record.seq)).scalars().all() == [1]  # written once, numbered once


def pupil_op(n: int, pupil_id: str, **fields) -> Op:
    return Op(
        op_id=f"p-{n}",
        entity="pupil",
        entity_id=pupil_id,
        clock=f"2026-11-22T10:00:01.{n:06d}Z-0000-dev{n}",
        fields=fields or {"forename": f"Pupil {n}", "surname": "Lee"},
    )


def progress_op(n: int, pupil_id: str) -> Op:
    return Op(
        op_id=f"g-{n}",
        entity="progress_entry",
        entity_id=f"g-{n}",
        clock=f"2026-11-22T10:00:02.{n:06d}Z-0000-dev{n}",
        fields={"pupil_id": pupil_id, "subject": "English", "evidence": f"Read page {n}"},
    )


def worker(engine, name: str) -> User:
    with engine.connect() as conn:
        return User.model_validate(dict(conn.execute(select(User.__table__).where(User.name == name)).mappings().one()))


def push_as(engine, name: str, ops: list[Op], merger=Merger):
    with db.writing(engine) as conn:
        return merger(conn, worker(engine, name), "dev").apply(ops)


def test_a_pupil_added_meanwhile_by_the_same_worker_leaves_the_merge_standing(pg):
    add_user(pg, "ann", "tutor")
    Interrupted.merges = 0
    Interrupted.meanwhile = lambda: push_as(pg, "ann", [pupil_op(1, "p1")])  # her other laptop
    results, _ = push_as(pg, "ann", [pupil_op(2, "p2"), progress_op(2, "p2")], Interrupted)
    assert Interrupted.merges == 1 and [status for _, status, _ in results] == ["applied", "applied"]


def test_a_push_refused_for_scope_is_merged_again_when_the_pupil_joined_the_caseload_meanwhile(pg):
    add_user(pg, "ann", "tutor")
    add_user(pg, "bob", "tutor")
    push_as(pg, "bob", [pupil_op(1, "p1")])
    Interrupted.merges = 0

    def assign() -> None:
        from sync.server import admin

        admin.assign(pg, "p1", user="ann")

    Interrupted.meanwhile = assign
    results, _ = push_as(pg, "ann", [progress_op(3, "p1")], Interrupted)
    assert Interrupted.merges == 2 and results == [("g-3", "applied", "")]


def test_a_refused_operation_pushed_twice_at_once_is_kept_once_and_answered_as_done(pg):
    """Nothing is written for a refused operation but its applied_ops row, so only that row's key
    tells the push it was applied meanwhile: writing it again breaks the key, and the push is
    merged afresh."""
    unknown = Op(
        op_id="op-x", entity="spaceship", entity_id="x1", clock="2026-11-22T10:00:00.000001Z-0000-dev", fields={}
    )
    Interrupted.merges = 0
    Interrupted.meanwhile = lambda: push(pg, [unknown])
    done = merge.push(pg, lead(pg), "dev", [unknown], merger=Interrupted)
    assert Interrupted.merges == 2  # the first try met the key, the second found it applied
    assert done.results == [("op-x", "duplicate", "The server does not know 'spaceship' records; update the server.")]
    with pg.connect() as conn:
        assert conn.execute(select(AppliedOp.op_id)).scalars().all() == ["op-x"]


@pytest.mark.parametrize(
    "values",
    [
        ["a", "b"],
        ['quo"te', "back\\slash", "com,ma", "{brace}", " space ", "NULL", "", "ü"],
        ["new\nline", "tab\there", "back\\n", '\\"'],
        ['quo"te', "com,ma", "{b}", '\\"', "NULL", "", "ü"],  # written by orjson (below)
    ],
)
def test_keys_go_to_postgresql_as_one_array_exactly_as_given(pg, values):
    from sqlalchemy import cast
    from sqlalchemy.dialects.postgresql import ARRAY
    from sqlalchemy.types import NullType, Text

    with pg.connect() as conn:
        param = cast(bindparam("keys", db.text_array(values), type_=NullType()), ARRAY(Text))
        got = conn.execute(select(func.unnest(param))).scalars().all()
    assert got == values
    if values[0] == 'quo"te':  # no control character: the quick way, a JSON list, was taken
        assert db.text_array(values) == "{" + json.dumps(values, ensure_ascii=False)[1:-1].replace(", ", ",") + "}"


def test_a_record_goes_through_copy_text_exactly_as_given(pg):
    """New rows go to PostgreSQL as COPY text written here (db.copy_line): every awkward
    character comes back as it went."""
    from sync.server.merge.writing import RECORD_COLUMNS, SEQ_AT

    awkward = 'tab\there, new\nline, cr\r, back\\slash \\N, 100% "quoted", ü, {brace}'
    values = {
        "entity": "school",
        "entity_id": "id\twith\\odd%s",
        "data": {"name": awkward, "n": 3, "none": None, "list": [1, "\\"]},
        "clocks": {"*": "2026-11-22T10:00:00.000000Z-0000-dev"},
        "authors": {"*": "ann"},
        "deleted": False,
        "seq": None,
        "owner_pupil": None,
        "parent_id": "p%d",
        "restricted": "",
        "created_by": None,
        "withdrawn_seq": None,
        "withdrawn_clock": "",
    }
    line = db.copy_line(values, RECORD_COLUMNS, SEQ_AT)
    with db.writing(pg) as conn:
        db.copy_lines(conn, Record.__table__, RECORD_COLUMNS, [line % 41])
    with pg.connect() as conn:
        row = conn.execute(select(Record.__table__)).one()
    assert row.entity_id == "id\twith\\odd%s" and row.seq == 41 and row.parent_id == "p%d"
    assert row.data == values["data"] and row.deleted is False and row.owner_pupil is None


def test_a_conflict_about_a_family_note_is_kept_from_roles_not_sent_professional_notes(pg):
    """A conflict's restriction is fixed when it is written, and a family note may be made
    professional-only later: so a conflict about a note's words is professional-only."""

    def note(n: int, device: str, text: str, **more) -> Op:
        fields = {"visit_id": "v1", "text": text, "visibility": "family", **more}
        return Op(op_id=f"n-{n}", entity="visit_note", entity_id="note-1", fields=fields,
                  clock=f"2026-11-22T10:00:0{n}.000000Z-0000-{device}")  # fmt: skip

    push(pg, [note(1, "laptop1", "Levi read to his gran")])
    push(pg, [note(2, "laptop2", "Levi read to his grandmother")])  # concurrent: base not seen
    push(pg, [note(3, "laptop1", "Levi read aloud", visibility="family")])
    with pg.connect() as conn:
        restricted = conn.execute(select(Record.restricted).where(Record.entity == "sync_conflict")).scalars().all()
        note_row = conn.execute(select(Record.restricted).where(Record.entity_id == "note-1")).scalar_one()
    assert restricted and set(restricted) == {"professional"}
    assert note_row == ""  # the note itself, for the family, is still served as before


def site_op(n: int, clock_us: int, notes: str, base: str | None = None) -> Op:
    return Op(
        op_id=f"site-{n}",
        entity="site",
        entity_id="site1",
        clock=f"2026-11-22T10:00:00.{clock_us:06d}Z-0000-dev{n}",
        fields={"name": "Riverside", "notes": notes} if base is None else {"notes": notes},
        base={} if base is None else {"notes": base},
    )


def test_a_merge_worked_out_again_that_writes_more_rows_numbers_them_all_and_moves_the_feed_on(pg):
    """The push takes its rows' numbers with the lock, as many as its first merge wrote; worked
    out again, it may write more (here a conflict): the feed's last number follows what it wrote."""
    from sync.server.tables import Feed

    first = site_op(1, 1, "Gate by the bridge")
    push(pg, [first])
    Interrupted.merges = 0
    Interrupted.meanwhile = lambda: push(pg, [site_op(2, 2, "Gate moved to the lane", base=first.clock)])
    push(pg, [site_op(3, 3, "Gate by the school", base=first.clock)], Interrupted)
    assert Interrupted.merges == 2  # worked out again, and now both sides changed the notes: a conflict
    with pg.connect() as conn:
        seqs = sorted(conn.execute(select(Record.seq)).scalars())
        entities = sorted(conn.execute(select(Record.entity)).scalars())
        last = conn.execute(select(Feed.last)).scalar_one()
    assert entities == ["site", "sync_conflict"]
    assert last == seqs[-1] and len(set(seqs)) == len(seqs)  # a reader's cursor reaches every row
    assert stored(pg, "site1")["notes"] == "Gate by the school"


def test_a_conflict_whose_note_is_gone_stays_restricted_when_resolved(pg):
    """Resolving a conflict rewrites its row; with the note it is about forgotten (a pruned
    tombstone), its restriction comes from the kind of note it was about, not from nothing."""
    from sqlalchemy import delete

    def note(n: int, device: str, text: str) -> Op:
        fields = {"visit_id": "v1", "text": text, "visibility": "family"}
        return Op(op_id=f"n-{n}", entity="visit_note", entity_id="note-1", fields=fields,
                  clock=f"2026-11-22T10:00:0{n}.000000Z-0000-{device}")  # fmt: skip

    push(pg, [note(1, "laptop1", "Levi read to his gran")])
    push(pg, [note(2, "laptop2", "Levi read to his grandmother")])
    with db.writing(pg) as conn:
        conflict_id = conn.execute(select(Record.entity_id).where(Record.entity == "sync_conflict")).scalar_one()
        conn.execute(delete(Record).where(Record.entity_id == "note-1"))
    resolve = Op(op_id="r-1", entity="sync_conflict", entity_id=conflict_id, clock="2026-11-22T10:00:09.000000Z-0000-laptop1",
                 fields={"resolved": True, "resolution": "mine"})  # fmt: skip
    assert push(pg, [resolve])[0] == [("r-1", "applied", "")]
    with pg.connect() as conn:
        assert conn.execute(select(Record.restricted).where(Record.entity_id == conflict_id)).scalar_one() == (
            "professional"
        )
