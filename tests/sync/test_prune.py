"""Pruning tombstones (admin.prune_tombstones) while pushes run, on PostgreSQL and SQLite.

The prune reads the tombstones due, then takes the feed lock (as a push does before it
writes) and deletes each only if it is still that tombstone, keeping as forgotten only the
keys it deleted. A push that merged before a prune and writes after it sees the keys it read
forgotten under the lock, and is merged again (and refused, its words kept on the laptop).
Threads stage the interleavings; events, not sleeps, order them."""

from __future__ import annotations

import contextlib
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.sql.dml import Update
from sqlalchemy.sql.selectable import Select

from sync.protocol import Op
from sync.protocol.clock import format_time
from sync.server import admin, auth, db, merge
from sync.server.merge import Merger
from sync.server.merge.merger import FORGOTTEN
from sync.server.tables import Feed, ForgottenRecord, Record, User
from tests.sync.conftest import PASSWORD, _empty, add_user

WAIT = 30  # seconds: a guard against a hung test, never a pause


def stamp(days_ago: float, n: int) -> str:
    return f"{format_time(datetime.now(UTC) - timedelta(days=days_ago))}-{n:04d}-devX"


def lead(engine) -> tuple[User, str]:
    add_user(engine, "lead", "la-lead")
    with db.writing(engine) as conn:
        _, device, _ = auth.login(conn, "lead", PASSWORD, "laptop")
    with engine.connect() as conn:
        user = User.model_validate(dict(conn.execute(select(User.__table__)).mappings().one()))
    return user, device.id


def tombstone(engine, user, device, entity_id: str, days_ago: float) -> None:
    """A site made and deleted `days_ago` days ago."""
    merge.push(
        engine,
        user,
        device,
        [
            Op(
                op_id=f"{entity_id}-a",
                entity="site",
                entity_id=entity_id,
                clock=stamp(days_ago, 1),
                fields={"name": entity_id},
            ),
            Op(
                op_id=f"{entity_id}-b",
                entity="site",
                entity_id=entity_id,
                clock=stamp(days_ago, 2),
                fields={"deleted": True},
            ),
        ],
    )


def restore(entity_id: str, days_ago: float, op_id: str = "back") -> Op:
    """Bring back the site `tombstone` deleted, from a laptop that saw the delete."""
    return Op(
        op_id=op_id,
        entity="site",
        entity_id=entity_id,
        clock=stamp(0, 1),
        fields={"deleted": False, "name": f"{entity_id}, brought back"},
        base={"deleted": stamp(days_ago, 2), "name": stamp(days_ago, 1)},
    )


def row(engine, entity_id: str):
    with engine.connect() as conn:
        return conn.execute(
            select(Record.data, Record.deleted).where(Record.entity == "site", Record.entity_id == entity_id)
        ).one_or_none()


def forgotten(engine) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        return sorted(tuple(r) for r in conn.execute(select(ForgottenRecord.entity, ForgottenRecord.entity_id)))


def horizon(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(Feed.horizon)).scalar_one()


class Runner(threading.Thread):
    """A call in a thread, its answer or exception kept."""

    def __init__(self, call, name: str = "runner") -> None:
        super().__init__(name=name, daemon=True)
        self.call, self.answer, self.error = call, None, None

    def run(self) -> None:
        try:
            self.answer = self.call()
        except Exception as exc:
            self.error = exc

    def result(self):
        self.join(WAIT)
        assert not self.is_alive(), "still running"
        if self.error is not None:
            raise self.error
        return self.answer


def test_a_push_that_merged_before_a_prune_is_refused_not_acknowledged_and_lost(engine, server_url):
    """The reviewer's race: the push reads a tombstone and merges; a prune forgets it and commits
    without moving the horizon (an earlier prune set it higher); the push then writes. Before
    the fix its UPDATE hit no row and the op was answered "applied" and lost."""
    user, device = lead(engine)
    tombstone(engine, user, device, "R2", days_ago=50)
    tombstone(engine, user, device, "R1", days_ago=100)  # pushed late: a higher number than R2's
    assert admin.prune_tombstones(engine, older_than_days=80) == 1  # R1: the horizon is its number
    high = horizon(engine)
    pg = server_url.startswith("postgresql")
    pruning: list[Runner] = []

    class PrunedMeanwhile(Merger):
        def _prepare(self):
            if not pruning:
                pruning.append(Runner(lambda: admin.prune_tombstones(engine, older_than_days=40)))
                pruning[0].start()
                if pg:  # merged, not yet holding the feed lock: the prune runs to its commit
                    pruning[0].result()
            return super()._prepare()

    done = merge.push(engine, user, device, [restore("R2", 50)], merger=PrunedMeanwhile)
    pruned = pruning[0].result()
    assert horizon(engine) == high  # R2's number is below R1's: the horizon did not move
    if pg:
        # The prune won: the push saw R2 forgotten under the lock, merged again and was refused.
        assert pruned == 1
        assert done.results == [("back", "refused", FORGOTTEN)]
        assert row(engine, "R2") is None
        assert forgotten(engine) == [("site", "R1"), ("site", "R2")]
        again = merge.push(engine, user, device, [restore("R2", 50)])  # the laptop sends it again
        assert again.results == [("back", "duplicate", FORGOTTEN)]
    else:
        # SQLite's writer held its lock from the start: the prune waited, then found R2 restored.
        assert pruned == 0
        assert done.results == [("back", "applied", "")]
        assert row(engine, "R2") == ({"name": "R2, brought back", "deleted": False}, False)
        assert forgotten(engine) == [("site", "R1")]


def test_a_record_restored_between_the_prunes_read_and_its_delete_is_kept(engine, monkeypatch):
    user, device = lead(engine)
    tombstone(engine, user, device, "R2", days_ago=50)
    tombstone(engine, user, device, "R3", days_ago=50)
    read = admin._tombstones_due

    def then_restored(*args):
        due = read(*args)
        assert sorted(i for _e, i, _seq in due) == ["R2", "R3"]
        assert merge.push(engine, user, device, [restore("R2", 50)]).results == [("back", "applied", "")]
        return due

    monkeypatch.setattr(admin, "_tombstones_due", then_restored)
    assert admin.prune_tombstones(engine, older_than_days=40) == 1  # R3 alone
    assert row(engine, "R2") == ({"name": "R2, brought back", "deleted": False}, False)
    assert row(engine, "R3") is None
    assert forgotten(engine) == [("site", "R3")]


def test_a_push_and_a_prune_interleaved_do_not_deadlock(engine, server_url, monkeypatch):
    """The push holds the feed lock; the prune then goes for it. (Before the fix the prune held
    the tombstone's row, deleted, while it waited for the feed row, and the push, holding the
    feed row, waited for the tombstone's: PostgreSQL killed one.)"""
    user, device = lead(engine)
    tombstone(engine, user, device, "R2", days_ago=50)
    pg = server_url.startswith("postgresql")
    at_feed = threading.Event()
    real_writing = db.writing

    class Watched:
        """The prune's connection: tells when it goes for the feed row."""

        def __init__(self, conn) -> None:
            self._conn = conn

        def execute(self, statement, *args, **kwargs):
            if _touches_feed(statement):
                at_feed.set()
            return self._conn.execute(statement, *args, **kwargs)

        def __getattr__(self, name):
            return getattr(self._conn, name)

    @contextlib.contextmanager
    def writing(e):
        if threading.current_thread().name != "prune":
            with real_writing(e) as conn:
                yield conn
            return
        if not pg:  # SQLite: it waits at BEGIN IMMEDIATE for the push's commit
            at_feed.set()
        with real_writing(e) as conn:
            yield Watched(conn) if pg else conn

    monkeypatch.setattr(db, "writing", writing)
    pruning: list[Runner] = []

    class Locked(Merger):
        def _lock(self, numbers: int = 0):
            feed = super()._lock(numbers)
            if not pruning:
                pruning.append(Runner(lambda: admin.prune_tombstones(engine, older_than_days=40), name="prune"))
                pruning[0].start()
                assert at_feed.wait(WAIT)  # the prune goes for the feed row this push holds
            return feed

    done = merge.push(engine, user, device, [restore("R2", 50)], merger=Locked)
    assert pruning[0].result() == 0  # after the push: R2 is no longer a tombstone
    assert done.results == [("back", "applied", "")]
    assert row(engine, "R2") == ({"name": "R2, brought back", "deleted": False}, False)
    assert forgotten(engine) == []


def _touches_feed(statement) -> bool:
    if isinstance(statement, Update):
        return statement.table.name == "feed"
    if isinstance(statement, Select):
        return any(getattr(f, "name", "") == "feed" for f in statement.get_final_froms())
    return False


def test_a_forgotten_record_is_named_only_to_a_role_that_may_hold_it(engine):
    """A school pushing the id of a site deleted and forgotten long ago is told what it would be
    told of any id: its role holds no site records. That one was here once is not its to learn."""
    user, device = lead(engine)
    tombstone(engine, user, device, "S1", days_ago=50)
    assert admin.prune_tombstones(engine, older_than_days=40) == 1
    add_user(engine, "st-annes", "school", school_urn="100001")
    with db.writing(engine) as conn:
        _, school_device, _ = auth.login(conn, "st-annes", PASSWORD, "office")
    with engine.connect() as conn:
        school = User.model_validate(
            dict(conn.execute(select(User.__table__).where(User.name == "st-annes")).mappings().one())
        )

    def answer(entity_id: str, fields: dict) -> tuple[str, str]:
        op = Op(
            op_id=f"{entity_id}-{len(fields)}-{fields.get('deleted')}",
            entity="site",
            entity_id=entity_id,
            clock=stamp(0, 1),
            fields=fields,
        )
        [(_, status, reason)] = merge.push(engine, school, school_device.id, [op]).results
        return status, reason

    for fields in ({"name": "Lay-by"}, {"deleted": True}):
        forgotten_one, never_here = answer("S1", fields), answer("S9", fields)
        assert forgotten_one == never_here and forgotten_one[0] == "refused" and FORGOTTEN not in forgotten_one[1]
    assert merge.push(engine, user, device, [restore("S1", 0)]).results[0][2] == FORGOTTEN  # the lead is told


def test_two_prunes_at_once_forget_each_record_once(engine, monkeypatch):
    """The first prune has read the tombstones; the second reads, forgets and commits; the
    first then deletes none (each is gone) and keeps none twice (before: a unique violation)."""
    user, device = lead(engine)
    for entity_id in ("R1", "R2", "R3"):
        tombstone(engine, user, device, entity_id, days_ago=50)
    read = admin._tombstones_due
    second: list[int] = []

    def then_another_prune(*args):
        due = read(*args)
        if not second:
            second.append(0)
            second[0] = admin.prune_tombstones(engine, older_than_days=40)
        return due

    monkeypatch.setattr(admin, "_tombstones_due", then_another_prune)
    assert admin.prune_tombstones(engine, older_than_days=40) == 0
    assert second == [3]
    assert forgotten(engine) == [("site", "R1"), ("site", "R2"), ("site", "R3")]
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Record)).scalar_one() == 0


def test_two_prunes_in_threads_forget_each_record_once(engine):
    user, device = lead(engine)
    for n in range(20):
        tombstone(engine, user, device, f"R{n}", days_ago=50)
    prunes = [Runner(lambda: admin.prune_tombstones(engine, older_than_days=40)) for _ in range(2)]
    for prune in prunes:
        prune.start()
    assert sorted(prune.result() for prune in prunes) == [0, 20]
    assert len(forgotten(engine)) == 20


# --- a push rolled back by a deadlock (PostgreSQL) ------------------------------------------


@pytest.fixture
def pg(pg_database):
    engine = db.make_engine(pg_database, pool_size=4)
    yield engine
    engine.dispose()
    _empty(pg_database)


class Deadlocking:
    """Once a push holds the feed lock, another transaction takes a record's row and then asks
    for the feed row. The push, writing that record, waits for it: a real deadlock, and the
    push is the one PostgreSQL rolls back (the other waits longer before it looks)."""

    def __init__(self, engine, entity_id: str, times: int) -> None:
        self.engine, self.entity_id, self.times = engine, entity_id, times
        self.others: list[Runner] = []

    def __call__(self, push) -> None:
        if len(self.others) >= self.times:
            return
        push.execute(text("SET LOCAL deadlock_timeout = '50ms'"))  # the push looks first (and soon)
        conn = self.engine.connect()
        conn.begin()
        conn.execute(text("SET LOCAL deadlock_timeout = '5min'"))  # the push's is 50 ms
        conn.execute(select(Record.seq).where(Record.entity_id == self.entity_id).with_for_update())
        asking = threading.Event()

        def other() -> None:
            try:
                asking.set()
                conn.execute(select(Feed.id).where(Feed.id == 1).with_for_update())
                conn.commit()
            finally:
                conn.close()

        runner = Runner(other)
        self.others.append(runner)
        runner.start()
        assert asking.wait(WAIT)


def deadlocking_merger(deadlock: Deadlocking):
    class Deadlocked(Merger):
        merges = 0

        def _merge(self, ops, **kwargs):
            type(self).merges += 1
            return super()._merge(ops, **kwargs)

        def _lock(self, numbers: int = 0):
            feed = super()._lock(numbers)
            deadlock(self.conn)
            return feed

    return Deadlocked


def test_a_push_rolled_back_by_a_deadlock_is_merged_again(pg):
    user, device = lead(pg)
    merge.push(
        pg, user, device, [Op(op_id="a", entity="site", entity_id="S", clock=stamp(1, 1), fields={"name": "one"})]
    )
    deadlock = Deadlocking(pg, "S", times=1)
    merger = deadlocking_merger(deadlock)
    done = merge.push(
        pg,
        user,
        device,
        [Op(op_id="b", entity="site", entity_id="S", clock=stamp(0, 1), fields={"name": "two"})],
        merger=merger,
    )
    assert done.results == [("b", "applied", "")]
    assert merger.merges == 2  # rolled back once, merged again
    assert [other.result() for other in deadlock.others] == [None]
    assert row(pg, "S") == ({"name": "two"}, False)


def test_a_push_deadlocked_every_time_is_answered_busy_not_a_fault(pg, monkeypatch):
    """Over HTTP: 503 with Retry-After, so the laptop sends it again later (never a 500)."""
    import httpx

    from sync.protocol import PROTOCOL_HEADER, PushRequest
    from sync.server.app import create_app
    from tests.conftest import TODAY
    from tests.sync.asgi import InProcess
    from tests.sync.conftest import SERVER

    user, device = lead(pg)
    merge.push(
        pg, user, device, [Op(op_id="a", entity="site", entity_id="S", clock=stamp(1, 1), fields={"name": "one"})]
    )
    with db.writing(pg) as conn:
        _, _, token = auth.login(conn, "lead", PASSWORD, "another laptop")
    deadlock = Deadlocking(pg, "S", times=merge.ATTEMPTS)
    real_lock = Merger._lock

    def lock(self, numbers: int = 0):
        feed = real_lock(self, numbers)
        deadlock(self.conn)
        return feed

    monkeypatch.setattr(Merger, "_lock", lock)  # the app's own merger
    body = PushRequest(ops=[Op(op_id="b", entity="site", entity_id="S", clock=stamp(0, 1), fields={"name": "two"})])
    transport = InProcess(create_app(pg, today=lambda: TODAY))
    try:
        with httpx.Client(transport=transport, base_url=SERVER) as http:
            answer = http.post(
                "/v1/push",
                content=body.model_dump_json(),
                headers={PROTOCOL_HEADER: "1", "Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            )
    finally:
        transport.shutdown()
    assert answer.status_code == 503, answer.text
    assert answer.headers["Retry-After"] == "5"
    assert [other.result() for other in deadlock.others] == [None] * merge.ATTEMPTS
    assert row(pg, "S") == ({"name": "one"}, False)  # nothing half-written
