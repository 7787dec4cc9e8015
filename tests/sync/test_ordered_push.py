"""Batches sent without waiting for each answer (PushRequest.after): the server
applies a batch only after the one its device sent before it, whichever
arrives first; one that never comes is a 409 and nothing is written; the
client sends ahead only to a server that says it keeps the order."""

from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict

import httpx
import pytest
from sqlalchemy import select

from sync.client import SyncClient
from sync.client.pushing import PIPELINE
from sync.protocol import Op
from sync.server import merge
from sync.server.merge import ordering
from sync.server.tables import AppliedOp, Record, User
from tests.sync.conftest import PASSWORD, SERVER, add_user


def school_op(n: int, **fields) -> Op:
    """Changes to one school from one device, in the order made (n)."""
    return Op(
        op_id=f"op-{n}",
        entity="school",
        entity_id="s1",
        clock=f"2026-11-22T10:00:00.{n:06d}Z-0000-laptop",
        fields=fields,
    )


def user(engine, name: str) -> User:
    with engine.connect() as conn:
        return User.model_validate(dict(conn.execute(select(User.__table__).where(User.name == name)).mappings().one()))


def stored(engine) -> list[dict]:
    with engine.connect() as conn:
        return conn.execute(select(Record.data).where(Record.entity_id == "s1")).scalars().all()


class Waiting:
    """Stands in for the merge module's `time`: says when a push first waits for the batch before it."""

    def __init__(self) -> None:
        self.started = threading.Event()

    def sleep(self, seconds: float) -> None:
        self.started.set()
        time.sleep(seconds)

    monotonic = staticmethod(time.monotonic)


def test_a_batch_that_arrives_before_the_one_sent_ahead_of_it_waits_for_it(engine, monkeypatch):
    add_user(engine, "lead", "la-lead")
    lead = user(engine, "lead")
    waiting = Waiting()
    monkeypatch.setattr(ordering, "time", waiting)
    first = [school_op(1, urn="100001", name="First name")]
    second = [school_op(2, name="Second name")]  # the same field, changed again later on the same laptop
    answers = {}
    late = threading.Thread(target=lambda: answers.update(second=merge.push(engine, lead, "laptop", second, "op-1")))
    late.start()
    assert waiting.started.wait(30)  # the second batch is waiting for the first...
    assert stored(engine) == []  # ...having written nothing
    answers["first"] = merge.push(engine, lead, "laptop", first)
    late.join(30)
    assert answers["second"].results == [("op-2", "applied", "")]
    # Applied in the order made: the later name stands (the other way round the earlier would win).
    assert stored(engine) == [{"urn": "100001", "name": "Second name"}]


def test_a_batch_whose_batch_before_never_comes_is_refused_whole(engine, in_process, monkeypatch):
    add_user(engine, "lead", "la-lead")
    monkeypatch.setattr(ordering, "ORDER_WAIT", 0.05)
    with pytest.raises(merge.OutOfOrder):
        merge.push(engine, user(engine, "lead"), "laptop", [school_op(2, name="Second")], "op-1")
    with engine.connect() as conn:
        assert conn.execute(select(AppliedOp.op_id)).all() == []
    assert stored(engine) == []
    # Over HTTP: a 409 a teacher could read.
    token = _token(in_process)
    body = {"ops": [school_op(3, name="Third").model_dump()], "after": "op-1"}
    response = httpx.Client(transport=in_process, base_url=SERVER).post(
        "/v1/push", json=body, headers={"Authorization": f"Bearer {token}", "Waymark-Protocol": "1"}
    )
    assert response.status_code == 409
    assert "nothing is lost" in response.json()["detail"]
    assert stored(engine) == []


class ListPort:
    """The sync port over a list (what a laptop's outbox gives the client)."""

    def __init__(self, ops: list[Op]) -> None:
        self.outbox = OrderedDict((op.op_id, op) for op in ops)

    def pending(self, limit: int) -> list[Op]:
        return list(self.outbox.values())[:limit]

    def acknowledge(self, op_ids) -> None:
        for op_id in op_ids:
            self.outbox.pop(op_id)

    def reject(self, refused) -> None:
        self.acknowledge(list(refused))


class Watching(httpx.BaseTransport):
    """Counts the pushes on their way at once, and keeps each push's answer back until the
    next push arrives (at most `hold` seconds), so a client that sends ahead is seen doing it.
    `old`: answers as a server from before `after` (no `ordered`)."""

    def __init__(self, inner: httpx.BaseTransport, *, old: bool = False, hold: float = 5.0) -> None:
        self.inner, self.old, self.hold = inner, old, hold
        self.lock = threading.Lock()
        self.flying = self.most = 0
        self.arrived = threading.Condition(self.lock)
        self.afters: list[str | None] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path != "/v1/push":
            return self.inner.handle_request(request)
        with self.lock:
            self.flying += 1
            self.most = max(self.most, self.flying)
            self.afters.append(json.loads(request.read()).get("after"))
            mine = len(self.afters)
            self.arrived.notify_all()
        response = self.inner.handle_request(request)
        with self.lock:
            self.arrived.wait_for(lambda: len(self.afters) > mine, timeout=self.hold)
            self.flying -= 1
        if self.old:
            answer = json.loads(response.content)
            answer.pop("ordered", None)
            return httpx.Response(response.status_code, headers={"Content-Type": "application/json"}, json=answer)
        return response


def _token(in_process) -> str:
    from sync.client import login

    return login(SERVER, "lead", PASSWORD, "laptop", transport=in_process).token


@pytest.mark.parametrize("old", [False, True], ids=["server keeps the order", "older server"])
def test_the_client_sends_ahead_only_to_a_server_that_keeps_the_order(engine, in_process, old):
    add_user(engine, "lead", "la-lead")
    ops = [school_op(n, urn="100001", name=f"Name {n}") for n in range(1, 10)]
    watching = Watching(in_process, old=old, hold=0.2 if old else 1.0)
    port = ListPort(ops)
    with SyncClient(port, SERVER, _token(in_process), transport=watching, push_batch=2) as client:
        result = client.push()
    assert result.pushed == 9 and not port.outbox and result.round_trips == 5
    assert stored(engine) == [{"urn": "100001", "name": "Name 9"}]  # the last change made stands
    if old:
        assert watching.most == 1 and watching.afters == [None] * 5
    else:
        assert watching.most == PIPELINE  # as many on their way at once as the client keeps
        # The first batch alone (its answer says the server keeps the order), then several at a
        # time, each naming the one still on its way before it (sent together, their threads
        # may reach the server in any order).
        assert watching.afters[0] is None
        assert sorted(watching.afters[1:], key=lambda after: after or "") == [None, "op-4", "op-6", "op-8"]


class RefusingOnce(httpx.BaseTransport):
    """Answers the first push that names a batch before it with the server's 409 (as if that
    batch had not arrived in time), without passing it on."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner, self.refused, self.bodies = inner, 0, []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/push":
            body = json.loads(request.read())
            self.bodies.append(body.get("after"))
            if body.get("after") and not self.refused:
                self.refused += 1
                return httpx.Response(409, json={"detail": "The changes sent just before these have not arrived."})
        return self.inner.handle_request(request)


def test_a_batch_refused_for_its_order_is_sent_again_once_those_before_are_answered(engine, in_process):
    add_user(engine, "lead", "la-lead")
    ops = [school_op(n, urn="100001", name=f"Name {n}") for n in range(1, 8)]
    refusing = RefusingOnce(in_process)
    port = ListPort(ops)
    with SyncClient(port, SERVER, _token(in_process), transport=refusing, push_batch=2) as client:
        result = client.push()
    assert refusing.refused == 1
    assert result.pushed == 7 and not port.outbox and not result.refused
    assert result.round_trips == len(refusing.bodies) == 5  # the 409 is a round trip too
    assert None in refusing.bodies[2:]  # the refused batch went again, naming nothing before it
    assert stored(engine) == [{"urn": "100001", "name": "Name 7"}]
    with engine.connect() as conn:
        assert sorted(conn.execute(select(AppliedOp.op_id)).scalars()) == [f"op-{n}" for n in range(1, 8)]


class Recording(httpx.BaseTransport):
    """Passes requests on, keeping the `after` of each push that came through it."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner, self.afters, self.closed = inner, [], False

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/push":
            self.afters.append(json.loads(request.read()).get("after"))
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.closed = True


def test_batches_sent_ahead_go_on_a_client_of_their_own_closed_when_the_push_ends(engine, in_process):
    from sync.client.connection import _http

    add_user(engine, "lead", "la-lead")
    kept, made, token = Recording(in_process), [], _token(in_process)

    def connect() -> httpx.Client:
        made.append(Recording(in_process))
        return _http(SERVER, made[-1], 30, token)

    port = ListPort([school_op(n, urn="100001", name=f"Name {n}") for n in range(1, 10)])
    with SyncClient(port, SERVER, token, transport=kept, push_batch=2) as client:
        client._connect = connect
        assert client.push().pushed == 9
        # One client for the batches sent ahead, whatever their number, and closed once the push ended
        # (a failed push leaves none waiting); the first batches went on the kept-alive connection.
        assert len(made) == 1 and made[0].closed and not kept.closed
        assert kept.afters[:2] == [None, None] and None not in made[0].afters and len(made[0].afters) >= 2
        assert len(kept.afters) + len(made[0].afters) == 5
        port.outbox.update((op.op_id, op) for op in [school_op(10, urn="100001", name="Name 10")])
        assert client.push().pushed == 1 and len(made) == 1  # a push of one batch makes no client


def test_a_batch_that_would_wait_when_enough_wait_already_is_refused_at_once(engine, monkeypatch):
    """A waiting batch holds a request thread and a database connection: with every waiting
    place taken, the next is answered 409 at once (the client sends it again in order)."""
    add_user(engine, "lead", "la-lead")
    lead = user(engine, "lead")
    waiting = Waiting()
    monkeypatch.setattr(ordering, "time", waiting)
    full = threading.BoundedSemaphore(1)
    monkeypatch.setattr(ordering, "_waiting", full)
    assert full.acquire(blocking=False)  # another batch is waiting in the one place
    with pytest.raises(merge.OutOfOrder):
        merge.push(engine, lead, "laptop", [school_op(2, name="Second")], "op-1")
    assert not waiting.started.is_set()  # refused without waiting ORDER_WAIT
    assert stored(engine) == []
    with engine.connect() as conn:
        assert conn.execute(select(AppliedOp.op_id)).all() == []
    # Once the batch before has arrived, no place is needed: nothing waits.
    merge.push(engine, lead, "laptop", [school_op(1, urn="100001", name="First")])
    assert merge.push(engine, lead, "laptop", [school_op(2, name="Second")], "op-1").results == [
        ("op-2", "applied", "")
    ]
    full.release()


class Holding(httpx.BaseTransport):
    """Holds back the batch holding `held` (one sent ahead of another) until the server has
    answered the one after it, which was waiting for it: a real 409 from the server's own
    wait, as when a slow batch is overtaken on the network. Batches are known by what they
    carry, not by when they reach the transport (their threads race)."""

    def __init__(self, inner: httpx.BaseTransport, held: str) -> None:
        self.inner, self.held, self.statuses = inner, held, []
        self.overtaken = threading.Event()
        self.lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path != "/v1/push":
            return self.inner.handle_request(request)
        first = json.loads(request.read())["ops"][0]["op_id"]
        if first == self.held and not self.overtaken.is_set():
            assert self.overtaken.wait(30)
        response = self.inner.handle_request(request)
        with self.lock:
            self.statuses.append((first, response.status_code))
        if response.status_code == 409:
            self.overtaken.set()
        return response


def test_a_batch_overtaken_on_the_way_gets_the_servers_409_and_is_sent_again(engine, in_process, monkeypatch):
    add_user(engine, "lead", "la-lead")
    monkeypatch.setattr(ordering, "ORDER_WAIT", 0.2)
    holding = Holding(in_process, held="op-3")  # the second batch (op-3, op-4)
    port = ListPort([school_op(n, urn="100001", name=f"Name {n}") for n in range(1, 10)])
    with SyncClient(port, SERVER, _token(in_process), transport=holding, push_batch=2) as client:
        result = client.push()
    assert ("op-5", 409) in holding.statuses  # the server's own answer after its wait, not a stand-in's
    assert result.pushed == 9 and not port.outbox and not result.refused
    assert stored(engine) == [{"urn": "100001", "name": "Name 9"}]  # applied in the order made
    with engine.connect() as conn:
        assert sorted(conn.execute(select(AppliedOp.op_id)).scalars()) == [f"op-{n}" for n in range(1, 10)]
