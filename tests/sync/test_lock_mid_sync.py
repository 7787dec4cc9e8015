"""The profile locks (Ctrl+L, the idle lock, closing the app) while a background sync
runs: the sync stops between requests, nothing reads or writes the store after the
lock's audit row, and after the next unlock a sync finishes with nothing lost and
nothing pushed twice: the outbox and the records are those of a sync never stopped."""

from __future__ import annotations

import json
import threading

import pytest

from desktop.services import Waymark
from desktop.services import sync_runs as runs
from desktop.services.sync import SyncError, SyncService, SyncStopped
from sync.client import Stopped
from tests.conftest import PASSPHRASE
from tests.sync import helpers as h
from tests.sync.asgi import Faulty
from tests.sync.conftest import add_user


class Answers(Faulty):
    """A device's connection that also notes each push answer's statuses."""

    def __init__(self, inner) -> None:
        super().__init__(inner)
        self.statuses: list[str] = []

    def handle_request(self, request):
        response = super().handle_request(request)
        if request.url.path == "/v1/push":
            response.read()
            self.statuses += [r["status"] for r in json.loads(response.content)["results"]]
        return response


@pytest.fixture
def ann(engine):
    add_user(engine, "ann", "tutor")


def _reopen(tmp_path, name: str) -> Waymark:
    return Waymark.open_profile(tmp_path / name, PASSPHRASE)


def _service(app, transport, **options) -> SyncService:
    service = SyncService(app, transport=transport)
    service.client_options = options
    return service


def _after_lock(app: Waymark) -> list[str]:
    """The audit trail's actions from the lock on, oldest first (the reopened profile's sign-in last)."""
    actions = [e.action for e in reversed(app.audit_trail(limit=5))]
    return actions[actions.index("lock") :]


def _caseload(make_device, pupils: int):
    """`a` with `pupils` children sent to the server; `b`, the same user's other laptop, not yet synced."""
    a = make_device("a", "ann")
    for n in range(pupils):
        h.pupil(a.app, f"Child{n}")
    a.sync()
    b = make_device("b", "ann")
    return a, b


def test_a_lock_from_inside_a_pull_stops_it_and_nothing_is_written_after_the_lock(ann, make_device, tmp_path):
    """The reviewer's case: the lock comes while the sync is running on the same thread
    (so it cannot wait for it). The store is closed at once and the sync ends quietly."""
    a, b = _caseload(make_device, 5)
    b.sync_service.client_options = {"page_size": 2}
    at_lock = {}

    def progress(stage: str, n: int) -> None:
        if stage == "pull" and not at_lock:
            at_lock.update(cursor=b.port.cursor(), requests=b.net.sent, pulled=n)
            b.app.lock("auto-lock")

    with pytest.raises(SyncStopped, match="the profile was locked"):
        b.sync_service.sync(progress)
    assert at_lock["pulled"] == 2 and b.net.sent == at_lock["requests"]  # no request after the lock
    app = _reopen(tmp_path, "b")
    try:
        assert _after_lock(app) == ["lock", "sign-in"]
        assert app.audit_trail(limit=2)[1].summary == "locked (auto-lock)"
        assert app.store.get_setting("last_sync") is None  # not written after the lock
        assert app.store.get_setting("last_sync_error") is None  # no scary words for next time
        assert app.store.get_setting("sync_cursor") == at_lock["cursor"]  # the first page, with its cursor
        assert len(app.list_pupils()) == 1  # the first page: the school and the first child
        resumed = _service(app, b.net).sync()
        assert resumed.pulled >= 4
        assert h.dump(app) == h.dump(a.app)
        assert SyncService(app).port.unsent() == 0
    finally:
        app.close()


def test_the_lock_waits_for_the_sync_to_stop_between_pages(ann, make_device, tmp_path):
    """As in the app: the sync on a network thread, the lock on another (the store thread).
    The lock tells the sync to stop and waits for it; the sync ends cleanly before the next
    page is asked for, and only then is the lock written and the store closed."""
    a, b = _caseload(make_device, 5)
    b.sync_service.client_options = {"page_size": 2}
    at_lock: dict = {}
    locker_failed: list[BaseException] = []

    def lock() -> None:
        try:
            b.app.lock("idle")
        except BaseException as exc:
            locker_failed.append(exc)

    def progress(stage: str, n: int) -> None:
        if stage == "pull" and not at_lock:
            at_lock.update(cursor=b.port.cursor(), requests=b.net.sent)
            at_lock["thread"] = threading.Thread(target=lock)
            at_lock["thread"].start()
            assert b.app.sync_runs.stopping.wait(10)  # the lock has told the sync to stop
            assert not b.app.store.closed  # ... and waits for it, the store still open

    with pytest.raises(SyncStopped) as stopped:
        b.sync_service.sync(progress)
    at_lock["thread"].join()
    assert not locker_failed
    assert isinstance(stopped.value.__cause__, Stopped)  # stopped between pages, not cut off by the close
    assert b.net.sent == at_lock["requests"] and b.app.store.closed
    app = _reopen(tmp_path, "b")
    try:
        assert _after_lock(app) == ["lock", "sign-in"]
        assert app.store.get_setting("sync_cursor") == at_lock["cursor"]
        assert app.store.get_setting("last_sync") is None
        _service(app, b.net).sync()
        assert h.dump(app) == h.dump(a.app)
    finally:
        app.close()


def test_batches_the_server_answered_leave_the_outbox_before_the_sync_stops(ann, make_device, engine, tmp_path):
    """A lock during a push: batches already sent (the server applies them) are waited for
    and taken from the outbox before the sync stops, so none is sent twice; the rest wait."""
    b = make_device("b", "ann")
    for n in range(10):
        h.pupil(b.app, f"Child{n}")
    total = b.port.unsent()
    net = b.sync_service.transport = Answers(b.net.inner)
    b.sync_service.client_options = {"push_batch": 2}
    at_lock: dict = {}
    calls = []

    def progress(stage: str, n: int) -> None:
        calls.append(stage)
        if stage == "push" and len(calls) == 2:  # the server now takes batches sent ahead: some are on their way
            at_lock["pushed"] = n
            at_lock["thread"] = threading.Thread(target=b.app.lock, args=("idle",))
            at_lock["thread"].start()
            assert b.app.sync_runs.stopping.wait(10)

    with pytest.raises(SyncStopped):
        b.sync_service.sync(progress)
    at_lock["thread"].join()
    applied = len(net.statuses)
    assert applied > at_lock["pushed"]  # batches on their way at the lock were answered ...
    app = _reopen(tmp_path, "b")
    try:
        port = SyncService(app).port
        assert port.unsent() == total - applied  # ... and left the outbox before the sync stopped
        assert port.unsent() > 0  # the rest waited for the next sync
        resumed = Answers(b.net.inner)
        _service(app, resumed, push_batch=2).sync()
        assert resumed.statuses and set(resumed.statuses) == {"applied"}  # nothing sent twice
        assert port.unsent() == 0
        other = make_device("c", "ann")
        other.sync()
        assert h.dump(other.app) == h.dump(app)  # nothing lost
    finally:
        app.close()


def test_a_lock_that_cannot_wait_leaves_answered_batches_to_be_answered_again(ann, make_device, tmp_path):
    """The worst case: the lock closes the store before the answers of batches on their way
    are taken in (a lock from inside the sync, which cannot wait for itself; or a sync slower
    than the lock's wait). Those changes stay in the outbox, go again, and the server answers
    them as duplicates: nothing lost, nothing applied twice."""
    b = make_device("b", "ann")
    for n in range(10):
        h.pupil(b.app, f"Child{n}")
    net = b.sync_service.transport = Answers(b.net.inner)
    b.sync_service.client_options = {"push_batch": 2}
    calls = []

    def progress(stage: str, n: int) -> None:
        calls.append(stage)
        if stage == "push" and len(calls) == 2:
            b.app.lock("idle")

    with pytest.raises(SyncStopped):
        b.sync_service.sync(progress)
    answered = len(net.statuses)
    app = _reopen(tmp_path, "b")
    try:
        resumed = Answers(b.net.inner)
        _service(app, resumed, push_batch=2).sync()
        assert "duplicate" in resumed.statuses  # answered before the lock, not taken in: sent again
        assert resumed.statuses.count("duplicate") <= answered
        assert SyncService(app).port.unsent() == 0
        other = make_device("c", "ann")
        other.sync()
        assert h.dump(other.app) == h.dump(app)
        assert len(app.list_pupils()) == 10
    finally:
        app.close()


def test_after_the_unlock_a_sync_waits_for_one_from_before_the_lock(ann, make_device, tmp_path, monkeypatch):
    """One sync at a time on a profile, across a lock and unlock: a sync still ending
    (its lock gave up waiting) holds the profile, and the next unlock's sync waits for it."""
    a, b = _caseload(make_device, 3)
    release, inside = threading.Event(), threading.Event()
    ended: list[BaseException] = []

    def slow(stage: str, n: int) -> None:
        inside.set()
        release.wait(10)

    def old_sync() -> None:
        try:
            b.sync_service.sync(slow)
        except BaseException as exc:
            ended.append(exc)

    old = threading.Thread(target=old_sync)
    old.start()
    assert inside.wait(10)
    monkeypatch.setattr(runs, "LOCK_WAIT", 0)  # the lock gives up waiting at once
    b.app.lock("idle")
    assert b.app.store.closed
    app = _reopen(tmp_path, "b")
    try:
        monkeypatch.setattr(runs, "EARLIER_WAIT", 0)
        with pytest.raises(SyncError, match="earlier sync is still finishing"):
            _service(app, b.net).sync()
        release.set()
        old.join()
        assert len(ended) == 1 and isinstance(ended[0], SyncStopped)
        _service(app, b.net).sync()  # the profile is free again
        assert h.dump(app) == h.dump(a.app)
    finally:
        release.set()
        app.close()


def test_a_locked_profile_refuses_a_new_sync(ann, make_device):
    a = make_device("a", "ann")
    h.pupil(a.app)
    service = a.sync_service
    a.app.lock("by the user")
    before = a.net.sent
    with pytest.raises(SyncStopped):
        service.sync()
    assert a.net.sent == before  # nothing went to the server


def test_a_lock_during_a_long_page_interrupts_it_quietly_and_the_page_comes_again(
    ann, make_device, tmp_path, monkeypatch
):
    """The reviewer's crash: a page being applied for longer than the lock waits (a slow
    laptop, a big first pull). The lock does not close the connection under the running
    statement (SQLite would crash the process): it interrupts it, the page and its cursor
    roll back together, the sync ends with the quiet "locked" words, the lock is the last
    row written, and after the unlock the page comes again with nothing lost."""
    from sqlalchemy import event

    a, b = _caseload(make_device, 4)
    b.sync_service.client_options = {"page_size": 2}
    store = b.app.store
    inside = threading.Event()

    def mark() -> int:
        inside.set()
        return 1

    # Every insert of a pupil on the sync's connections runs a statement that would go on for
    # many seconds: the second page is applied for as long as the lock lets it.
    @event.listens_for(store.engine, "connect")
    def _slow(dbapi_connection, _record) -> None:
        dbapi_connection.create_function("mark", 0, mark)
        dbapi_connection.execute(
            "CREATE TEMP VIEW slow AS WITH RECURSIVE c(x) AS "
            "(SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 50000000) SELECT count(*) FROM c"
        )
        dbapi_connection.execute(
            "CREATE TEMP TRIGGER slow_pupil AFTER INSERT ON main.pupil "
            "WHEN (SELECT count(*) FROM main.pupil) > 1 BEGIN SELECT mark(); SELECT * FROM slow; END"
        )

    store.engine.dispose()  # the pool's connections are made again, with the trigger
    at_lock: dict = {}
    ended: list[BaseException] = []

    def progress(stage: str, n: int) -> None:
        if stage == "pull" and not at_lock:
            at_lock.update(cursor=b.port.cursor(), pupils=len(b.app.list_pupils()), requests=b.net.sent)

    def background_sync() -> None:
        try:
            b.sync_service.sync(progress)
        except BaseException as exc:
            ended.append(exc)

    sync = threading.Thread(target=background_sync)
    sync.start()
    assert inside.wait(60)  # the second page is being applied, inside the slow statement
    monkeypatch.setattr(runs, "LOCK_WAIT", 0)  # a sync slower than the lock's wait
    b.app.lock("idle")
    sync.join()
    assert len(ended) == 1 and isinstance(ended[0], SyncStopped)  # the quiet words, not a failure
    assert str(ended[0]) == runs.STOPPED_WORDS
    causes, exc = [], ended[0]
    while exc is not None:
        causes.append(str(exc))
        exc = exc.__cause__ or exc.__context__
    assert any("interrupted" in c for c in causes)  # cut off mid-statement, not stopped between pages
    assert b.net.sent == at_lock["requests"] + 1  # the second page was asked for, and nothing after
    app = _reopen(tmp_path, "b")
    try:
        assert _after_lock(app) == ["lock", "sign-in"]  # nothing written after the lock's row
        assert app.store.get_setting("last_sync_error") is None  # no scary words for next time
        assert app.store.get_setting("last_sync") is None
        # Nothing half-written: the interrupted page and its cursor rolled back together.
        assert app.store.get_setting("sync_cursor") == at_lock["cursor"]
        assert len(app.list_pupils()) == at_lock["pupils"]
        _service(app, b.net).sync()
        assert h.dump(app) == h.dump(a.app)  # nothing lost
        assert len(app.list_pupils()) == 4
        assert SyncService(app).port.unsent() == 0
    finally:
        app.close()
