"""The server on its own, on SQLite and PostgreSQL: schema, passwords and
tokens, throttling, the feed's ordering under concurrent transactions,
paging, caseload changes, and the waymark-server command."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import httpx
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import select, text, update
from sqlmodel import SQLModel

from sync.protocol import GONE_HEADER, PROTOCOL_HEADER, Op, PushRequest
from sync.server import admin, auth, cli, db
from sync.server.merge import Merger
from sync.server.tables import Device, Feed, Record, User
from tests.sync import helpers as h
from tests.sync.conftest import PASSWORD, SERVER, _empty, add_user


@pytest.fixture
def http(in_process):
    with httpx.Client(transport=in_process, base_url=SERVER, headers={PROTOCOL_HEADER: "1"}) as client:
        yield client


def login(http, user: str, password: str = PASSWORD) -> httpx.Response:
    return http.post("/v1/login", json={"user": user, "password": password, "device_name": "test"})


def test_the_migrated_schema_matches_the_models(engine):
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert diffs == []
    assert db.is_current(engine)


def test_passwords_are_argon2id_and_tokens_are_kept_only_as_hashes(engine, http):
    add_user(engine, "ann", "tutor")
    token = login(http, "ann").json()["token"]
    with engine.connect() as conn:
        stored = conn.execute(select(User.password_hash)).scalar_one()
        hashed = conn.execute(select(Device.token_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert hashed == auth.token_hash(token) and token not in hashed


def test_wrong_passwords_are_slowed_down_then_let_through_after_the_wait(engine, http):
    add_user(engine, "ann", "tutor")
    for _ in range(auth.FREE_TRIES):
        assert login(http, "ann", "wrong password").status_code == 401
    locked = login(http, "ann")  # even the right password waits now
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) >= 1
    assert "Try again in" in locked.json()["detail"]
    with db.writing(engine) as conn:  # the wait has passed
        conn.execute(update(User).values(locked_until=auth.now() - timedelta(seconds=1)))
    assert login(http, "ann").status_code == 200
    with engine.connect() as conn:
        assert conn.execute(select(User.failed_logins, User.locked_until)).one() == (0, None)


def test_an_unknown_user_gets_the_same_answer_as_a_wrong_password(engine, http):
    add_user(engine, "ann", "tutor")
    unknown, wrong = login(http, "nobody", "x"), login(http, "ann", "x")
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.json() == wrong.json()


def _op(n: int, entity: str = "school", **fields) -> Op:
    return Op(
        op_id=f"op-{n}",
        entity=entity,
        entity_id=f"rec-{n}",
        clock=f"2026-11-22T10:00:00.{n:06d}Z-0000-dev",
        fields=fields or {"urn": f"{100000 + n}", "name": f"School {n}"},
    )


def test_a_transaction_that_commits_late_never_lands_below_a_cursor(engine, http):
    """While one push holds the feed, a second cannot take a number; a reader in
    between stops at the last committed number, and then sees both in order."""
    add_user(engine, "lead", "la-lead")
    token = login(http, "lead").json()["token"]
    auth_header = {"Authorization": f"Bearer {token}"}
    with engine.connect() as conn:
        lead = User.model_validate(dict(conn.execute(select(User.__table__)).mappings().one()))
    # The device pulls once first: a device's first pull records where its holdings begin in a
    # short write (auth.first_pull), which on SQLite waits for the writer held below.
    assert http.get("/v1/pull", headers=auth_header).json()["changes"] == []

    first = db.make_engine(str(engine.url.render_as_string(hide_password=False)), pool_size=1)
    held = first.connect()
    held.info["write"] = True
    transaction = held.begin()
    Merger(held, lead, "dev-1").push([_op(1)])  # numbered, not committed

    page = http.get("/v1/pull", headers=auth_header).json()
    assert page["changes"] == [] and page["cursor"].startswith("0.")  # nothing committed, nothing skipped

    # A second writer cannot even take a number while the first holds the feed.
    second = db.make_engine(str(engine.url.render_as_string(hide_password=False)), pool_size=1)
    with second.connect() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("SET lock_timeout = '100ms'"))
            with pytest.raises(Exception, match="lock"):
                conn.execute(update(Feed).values(last=Feed.last))
        else:
            conn.exec_driver_sql("PRAGMA busy_timeout = 0")
            with pytest.raises(Exception, match="locked"):
                conn.exec_driver_sql("BEGIN IMMEDIATE")
    second.dispose()

    done = threading.Event()

    def later_push() -> None:
        with db.writing(engine) as conn:
            Merger(conn, lead, "dev-2").push([_op(2)])
        done.set()

    writer = threading.Thread(target=later_push)
    writer.start()
    transaction.commit()  # the first commits; only now can the second number and commit
    held.close()
    first.dispose()
    writer.join()
    assert done.is_set()
    later = http.get("/v1/pull", params={"cursor": page["cursor"]}, headers=auth_header).json()
    assert [(c["entity_id"], c["seq"]) for c in later["changes"]] == [("rec-1", 1), ("rec-2", 2)]


def test_pages_respect_the_limit_and_say_when_more_wait(engine, http):
    add_user(engine, "lead", "la-lead")
    token = login(http, "lead").json()["token"]
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    ops = [_op(n) for n in range(1, 8)]
    assert http.post("/v1/push", content=PushRequest(ops=ops).model_dump_json(), headers=headers).status_code == 200
    seen, cursor, pages = [], "", 0
    while True:
        page = http.get("/v1/pull", params={"cursor": cursor, "limit": 3}, headers=headers).json()
        pages += 1
        assert len(page["changes"]) <= 3
        seen += [c["entity_id"] for c in page["changes"]]
        cursor = page["cursor"]
        if not page["more"]:
            break
    assert seen == [f"rec-{n}" for n in range(1, 8)] and pages == 3
    assert http.get("/v1/pull", params={"cursor": "nonsense"}, headers=headers).status_code == 400


def test_bad_operations_are_refused_one_by_one(engine, http):
    add_user(engine, "lead", "la-lead")
    token = login(http, "lead").json()["token"]
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    ops = [_op(1), _op(2, entity="no_such_thing"), _op(3, **{"not a name": 1}), _op(4)]
    results = http.post("/v1/push", content=PushRequest(ops=ops).model_dump_json(), headers=headers).json()["results"]
    assert [r["status"] for r in results] == ["applied", "refused", "refused", "applied"]
    too_many = {"ops": [json.loads(_op(n).model_dump_json()) for n in range(1001)]}
    assert http.post("/v1/push", json=too_many, headers=headers).status_code == 422


def test_a_push_too_big_is_refused_in_a_sentence_and_a_stranger_is_refused_first(engine, http, monkeypatch):
    from sync.server import app as app_module

    add_user(engine, "lead", "la-lead")
    token = login(http, "lead").json()["token"]
    monkeypatch.setattr(app_module, "MAX_BODY", 2000)
    body = PushRequest(ops=[_op(n) for n in range(1, 30)]).model_dump_json()
    assert len(body) > 2000
    headers = {"Content-Type": "application/json"}
    big = http.post("/v1/push", content=body, headers=headers | {"Authorization": f"Bearer {token}"})
    assert big.status_code == 413 and "too big" in big.json()["detail"]
    streamed = http.post(
        "/v1/push", content=iter([body.encode()]), headers=headers | {"Authorization": f"Bearer {token}"}
    )
    assert streamed.status_code == 413  # sent without saying its length: counted as it comes
    # Who is asking is checked before the body: a stranger is refused as such, a big body or not;
    # and before the pull's own parameters.
    for authorization in ("", "Bearer not-a-token"):
        stranger = http.post("/v1/push", content=body, headers=headers | {"Authorization": authorization})
        assert stranger.status_code == 401
        odd = http.get("/v1/pull", params={"tables": "NOT A TABLE"}, headers={"Authorization": authorization})
        assert odd.status_code == 401
    with engine.connect() as conn:
        assert conn.execute(select(Record.entity_id)).all() == []


def test_a_pupil_assigned_to_a_worker_brings_their_history_in_a_fresh_snapshot(engine, make_device):
    add_user(engine, "ann", "tutor")
    add_user(engine, "tess", "tes")
    ann, tess = make_device("ann", "ann"), make_device("tess", "tess")
    pupil_id = h.pupil(ann.app)
    h.progress(ann.app, pupil_id)
    ann.sync()
    tess.sync()
    assert tess.app.list_pupils() == []
    admin.assign(engine, pupil_id, user="tess")
    result = tess.sync()
    assert result.snapshot  # her cursor is past the pupil's history: 410, then a fresh copy
    assert [p.id for p in tess.app.list_pupils()] == [pupil_id]
    assert len(tess.app.list_progress(pupil_id)) == 1
    assert not tess.sync().snapshot


def test_a_pupil_joining_a_school_brings_their_history_to_the_school(engine, make_device, in_process):
    add_user(engine, "ann", "tutor")
    add_user(engine, "school_b", "school", school_urn=h.URN_B)
    ann = make_device("ann", "ann")
    pupil_id = h.pupil(ann.app, urn=h.URN_A)
    h.progress(ann.app, pupil_id)
    school_b = h.school(ann.app, h.URN_B)
    ann.sync()
    with httpx.Client(transport=in_process, base_url=SERVER, headers={PROTOCOL_HEADER: "1"}) as http:
        token = login(http, "school_b").json()["token"]
        auth_header = {"Authorization": f"Bearer {token}"}
        before = http.get("/v1/pull", headers=auth_header).json()
        assert {c["entity"] for c in before["changes"]} == {"school"}
        ann.app.edit_pupil(pupil_id, base_school_id=school_b)
        ann.sync()
        assert http.get("/v1/pull", params={"cursor": before["cursor"]}, headers=auth_header).status_code == 410
        fresh = http.get("/v1/pull", headers=auth_header).json()
        assert {c["entity"] for c in fresh["changes"]} == {"school", "pupil", "progress_entry"}


# --- the console script ----------------------------------------------------------------------


def run_cli(server_url: str, *args: str, capsys) -> tuple[int, str, str]:
    code = cli.main(["--database", server_url, *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_console_script_manages_users_and_devices(server_url, engine, http, capsys, monkeypatch):
    monkeypatch.setenv("WAYMARK_SERVER_PASSWORD", PASSWORD)
    assert run_cli(server_url, "db", "upgrade", capsys=capsys)[0] == 0
    code, out, _ = run_cli(server_url, "user", "add", "ann", "--role", "tutor", "--team", "north", capsys=capsys)
    assert code == 0 and "Added tutor user ann" in out
    run_cli(server_url, "user", "add", "st-annes", "--role", "school", "--school", h.URN_A, capsys=capsys)
    code, out, _ = run_cli(server_url, "user", "list", "--json", capsys=capsys)
    users = {u["name"]: u for u in json.loads(out)}
    assert users["ann"]["team"] == "north" and users["st-annes"]["school_urn"] == h.URN_A
    assert not any(u["disabled"] for u in users.values())

    device_id = login(http, "ann").json()["device_id"]
    code, out, _ = run_cli(server_url, "device", "list", "--json", capsys=capsys)
    [device] = json.loads(out)
    assert (device["id"], device["user"], device["revoked"]) == (device_id, "ann", False)
    assert device["last_seen"]
    assert run_cli(server_url, "device", "revoke", device_id, capsys=capsys)[0] == 0
    assert json.loads(run_cli(server_url, "device", "list", "--json", capsys=capsys)[1])[0]["revoked"] is True
    assert run_cli(server_url, "user", "disable", "ann", capsys=capsys)[0] == 0
    assert login(http, "ann").status_code == 401


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["user", "add", "x", "--role", "school"], "needs --school"),
        (["user", "add", "x", "--role", "tutor", "--school", "119234"], "Only school users"),
        (["user", "disable", "nobody"], "no user called nobody"),
        (["device", "revoke", "nope"], "no device with id nope"),
        (["caseload", "assign", "p1", "--user", "nobody"], "holds no pupil with id p1"),
        (["caseload", "assign", "p1", "--team", "north"], "holds no pupil with id p1"),
    ],
)
def test_the_console_script_refuses_bad_input_in_one_line(server_url, capsys, monkeypatch, args, message):
    monkeypatch.setenv("WAYMARK_SERVER_PASSWORD", PASSWORD)
    code, _out, err = run_cli(server_url, *args, capsys=capsys)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1


def test_the_console_script_wants_a_long_password_and_the_same_one_twice(server_url, capsys, monkeypatch):
    monkeypatch.setenv("WAYMARK_SERVER_PASSWORD", "short")
    code, _, err = run_cli(server_url, "user", "add", "x", "--role", "tutor", capsys=capsys)
    assert code == 2 and "at least 10 characters" in err
    monkeypatch.delenv("WAYMARK_SERVER_PASSWORD")
    answers = iter(["first password!", "second password"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    code, _, err = run_cli(server_url, "user", "add", "x", "--role", "tutor", capsys=capsys)
    assert code == 2 and "differ" in err
    assert admin.list_users(db.make_engine(db.database_url(server_url))) == []


def test_an_unreachable_database_is_one_line(capsys):
    code = cli.main(["--database", "postgresql://nobody@127.0.0.1:1/none", "user", "list"])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("waymark-server: ") and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["serve", "--port", "99999"], "'99999' is not a port"),
        (["serve", "--ssl-certfile", "/no/such.pem", "--ssl-keyfile", "/no/such.key"], "cannot read '/no/such.pem'"),
        (["db", "prune", "--days", "inf"], "'inf' is not a number of days"),
        (["db", "prune", "--days", "nan"], "'nan' is not a number of days"),
        (["db", "prune", "--days", "-1"], "'-1' is not a number of days"),  # would forget every tombstone
    ],
)
def test_bad_server_options_are_one_clear_error_before_anything_runs(tmp_path, capsys, args, message):
    from sync.server import cli

    with pytest.raises(SystemExit) as stopped:
        cli.main(["--data-dir", str(tmp_path / "server"), *args])
    err = capsys.readouterr().err
    assert stopped.value.code == 2 and message in err and "Traceback" not in err
    assert not (tmp_path / "server").exists()  # nothing was made


def test_odd_input_is_a_sentence_never_a_server_error(engine, http):
    """Values no laptop sends, each answered in words (the in-process transport would raise
    a server error): a cursor beyond a bigint or below zero, the last day there is, and a
    NUL (which PostgreSQL's text cannot hold) in an id, in `after`, in a value, in a query."""
    add_user(engine, "lead", "la-lead")
    token = login(http, "lead").json()["token"]
    auth_header = {"Authorization": f"Bearer {token}"}
    for cursor in ("-1.0.0", f"{2**63}.0.0", "-99999999999999999999999.0.0"):
        answer = http.get("/v1/pull", params={"cursor": cursor}, headers=auth_header)
        assert answer.status_code == 400 and "not a cursor" in answer.json()["detail"]
    assert http.get("/v1/audit", params={"to": "9999-12-31"}, headers=auth_header).status_code == 200
    odd = http.get("/v1/audit", params={"user": "a\x00b"}, headers=auth_header)
    assert odd.status_code == 400 and "NUL" in odd.json()["detail"]
    headers = auth_header | {"Content-Type": "application/json"}
    for spoilt in ({"op_id": "o\x001"}, {"entity_id": "s\x001"}):
        body = {"ops": [json.loads(_op(1).model_dump_json()) | spoilt]}
        assert http.post("/v1/push", json=body, headers=headers).status_code == 422
    body = {"ops": [json.loads(_op(1).model_dump_json())], "after": "o\x00"}
    assert http.post("/v1/push", json=body, headers=headers).status_code == 422
    nul = json.loads(_op(2).model_dump_json())
    nul["fields"] = {"name": "St\x00Anne's", "urn": "100002"}
    [result] = http.post("/v1/push", json={"ops": [nul]}, headers=headers).json()["results"]
    assert result["status"] == "refused" and "NUL" in result["reason"]
    with engine.connect() as conn:
        assert conn.execute(select(Record.entity_id)).all() == []
    # In a log-in and an audit push too: each refused in words, the password never echoed.
    for odd_login in ({"user": "lead\x00"}, {"device_name": "Ann's\x00laptop"}):
        answer = http.post("/v1/login", json={"user": "lead", "password": PASSWORD} | odd_login)
        assert answer.status_code == 422 and "NUL" in answer.text and PASSWORD not in answer.text
    row = {"id": "r1", "seq": 1, "at": "2026-11-30T10:00:00", "action": "read", "content_hash": "c"}
    row |= {"prev_hash": "", "hash": "h"}
    for odd_audit in ({"trail": "t\x00", "rows": []}, {"trail": "t", "rows": [row | {"summary": "Read\x00"}]}):
        answer = http.post("/v1/audit", json=odd_audit, headers=headers)
        assert answer.status_code == 422 and "NUL" in answer.text
    deep: object = "x"
    for _ in range(500):  # a recursion error (a 500) before; a depth any reader takes
        deep = [deep]
    answer = http.post("/v1/audit", json={"trail": "t", "rows": [row | {"changes": {"a": deep}}]}, headers=headers)
    assert answer.status_code == 422 and "nested too deeply" in answer.text
    assert http.post("/v1/audit", json={"trail": "t", "rows": [row]}, headers=headers).status_code == 200


def test_a_served_process_keeps_a_few_connections_under_a_burst(pg_database, monkeypatch):
    """`serve`'s processes open no connection beyond their few (under a burst, each one more
    was a new PostgreSQL backend per request, closed after it), run no more request threads
    than connections, and let at most half of those wait for a batch sent before."""
    from fastapi.testclient import TestClient
    from sqlalchemy import event

    from sync.server.merge import ordering

    setup = db.make_engine(pg_database, pool_size=1)
    add_user(setup, "lead", "la-lead")
    real, made = db.make_engine, []

    def making(*args, **kwargs):
        made.append(real(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(db, "make_engine", making)
    monkeypatch.setenv(cli.APP_URL, pg_database)
    monkeypatch.setattr(ordering, "_waiting", ordering._waiting)  # put back after: the app's start sets it
    app = cli.app_from_environment()
    served = made[-1]
    opened = []
    event.listen(served.pool, "connect", lambda *_: opened.append(1))
    answers = []
    try:
        with TestClient(app, base_url=SERVER, headers={PROTOCOL_HEADER: "1"}) as http:
            assert ordering._waiting._value == cli.CONNECTIONS // 2
            tokens = [login(http, "lead").json()["token"] for _ in range(4)]

            def sync(n: int) -> None:
                op = Op(
                    op_id=f"op-{n}",
                    entity="school",
                    entity_id=f"s{n}",
                    clock=f"2026-11-22T10:00:00.{n:06d}Z-0000-d{n}",
                    fields={"name": f"School {n}"},
                )
                headers = {"Authorization": f"Bearer {tokens[n % 4]}", "Content-Type": "application/json"}
                pushed = http.post("/v1/push", content=PushRequest(ops=[op]).model_dump_json(), headers=headers)
                answers.append((pushed.status_code, http.get("/v1/pull", headers=headers).status_code))

            threads = [threading.Thread(target=sync, args=(n,)) for n in range(24)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        assert answers == [(200, 200)] * 24
        assert 0 < len(opened) <= cli.CONNECTIONS
        with setup.connect() as conn:
            assert len(conn.execute(select(Record.entity_id).where(Record.entity == "school")).all()) == 24
    finally:
        served.dispose()
        setup.dispose()
        _empty(pg_database)


def test_a_pull_marks_its_device_seen_with_one_connection_to_spare(server_url):
    """A sync with nothing to send is a pull alone: it writes the device's last-seen time (what
    `device list` shows), after its reading is done, so a process whose every connection is
    taken by pulls never waits on itself for one more (a pool of one on PostgreSQL; SQLite's
    engine keeps its own pool, so there this shows only the last-seen time written)."""
    from sync.server.app import create_app
    from tests.sync.asgi import InProcess

    engine = db.make_engine(server_url, pool_size=1, max_overflow=0)
    if engine.dialect.name == "postgresql":
        assert (engine.pool.size(), engine.pool._max_overflow) == (1, 0)
    engine.pool._timeout = 5  # waiting on itself would fail in seconds, not the default half-minute
    transport = InProcess(create_app(engine))
    try:
        add_user(engine, "ann", "tutor")
        with httpx.Client(transport=transport, base_url=SERVER, headers={PROTOCOL_HEADER: "1"}) as http:
            token = login(http, "ann").json()["token"]
            with db.writing(engine) as conn:
                conn.execute(update(Device).values(last_seen=None))
            pulled = http.get("/v1/pull", headers={"Authorization": f"Bearer {token}"})
        assert pulled.status_code == 200, pulled.text
        with engine.connect() as conn:
            assert conn.execute(select(Device.last_seen)).scalar_one() is not None
    finally:
        transport.shutdown()
        engine.dispose()


def test_a_port_in_use_is_one_line_before_anything_is_made(tmp_path, capsys):
    """A server left running on the port: said plainly, not announced as started."""
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code = cli.main(["--data-dir", str(tmp_path / "server"), "serve", "--host", "127.0.0.1", "--port", str(port)])
    out, err = capsys.readouterr()
    assert code == 2 and "Waymark server on" not in out
    assert (
        err
        == f"waymark-server: Cannot listen on 127.0.0.1:{port}: that port is in use (is a server already running there?); choose another with --port.\n"
    )
    assert not (tmp_path / "server").exists()  # nothing was made


def test_a_410_says_why_so_a_laptop_knows_whether_it_may_remove_anything(engine, http):
    """Only tombstones forgotten or a changed scope let a laptop remove what a fresh snapshot does
    not bring; a cursor from beyond the feed (a server restored from a backup) must not."""
    add_user(engine, "ann", "tutor")
    token = login(http, "ann").json()["token"]
    auth_header = {"Authorization": f"Bearer {token}"}
    with db.writing(engine) as conn:
        conn.execute(update(Feed).values(last=10, horizon=5))

    def gone(cursor: str) -> str | None:
        answer = http.get("/v1/pull", params={"cursor": cursor}, headers=auth_header)
        assert answer.status_code == 410, answer.text
        return answer.headers.get(GONE_HEADER)

    assert gone("11.0.5") == "restored"  # beyond the feed
    assert gone("3.0.0") == "pruned"  # below tombstones forgotten since it was given
    assert gone("8.1.5") == "scope"  # given under another scope
    assert http.get("/v1/pull", params={"cursor": "8.0.5"}, headers=auth_header).status_code == 200
    assert http.get("/v1/pull", params={"cursor": "8.0.5.0"}, headers=auth_header).json()["cursor"] == "10.0.5.0"
    timeline = admin.mark_restored(engine)  # a backup was put back: every cursor given before is from another timeline
    assert gone("8.0.5.0") == "restored"
    assert gone("8.0.5") == "restored"  # one given before timelines: timeline 0
    assert gone("0.0.0.0") == "restored"  # a snapshot under way: it starts again
    assert http.get("/v1/pull", params={"cursor": f"8.0.5.{timeline}"}, headers=auth_header).status_code == 200
    for bad in ("8.0.5.1.1", "8.0", "8.0.5.x", "8.0.5.-1"):
        assert http.get("/v1/pull", params={"cursor": bad}, headers=auth_header).status_code == 400


def test_db_restored_moves_the_feed_to_a_new_timeline_each_time(server_url, engine, capsys):
    """Never one counted on from the restored row: the same backup put back twice would reach a
    timeline the laptops hold already (tests/sync/test_pull_over_local.py has the whole story)."""
    seen = set()
    for _ in range(3):
        code, out, _err = run_cli(server_url, "db", "restored", capsys=capsys)
        assert code == 0 and "each laptop takes a fresh copy" in out
        with db.writing(engine) as conn:
            seen.add(conn.execute(select(Feed.timeline)).scalar_one())
            conn.execute(update(Feed).values(timeline=0))  # the same backup put back again
    assert len(seen) == 3 and 0 not in seen


def test_wrong_passwords_lock_a_name_no_user_has_as_they_lock_a_users_name(engine, http):
    """Before: a name that exists was locked after five wrong passwords (429) and an unknown one
    never was (401 for ever), so anyone could tell which user names exist."""
    add_user(engine, "ann", "tutor")
    answers = {}
    for name in ("ann", "no.such.user"):
        answers[name] = [login(http, name, "wrong password") for _ in range(auth.FREE_TRIES + 1)]
    codes = {name: [a.status_code for a in got] for name, got in answers.items()}
    assert codes["ann"] == codes["no.such.user"] == [401] * auth.FREE_TRIES + [429]
    assert [a.json() for a in answers["ann"][:-1]] == [a.json() for a in answers["no.such.user"][:-1]]
    assert "Try again in" in answers["no.such.user"][-1].json()["detail"]
    assert "Retry-After" in answers["no.such.user"][-1].headers
    with engine.connect() as conn:  # nothing kept in the database of a name no user has
        assert conn.execute(select(User.name)).scalars().all() == ["ann"]


def test_the_names_no_user_has_are_kept_in_a_bounded_record():
    """The oldest tried name is forgotten first: no one can fill the server's memory with names."""
    names = auth._UnknownNames(size=3)
    moment = auth.now()
    for name in ("a", "b", "c", "d"):
        names.failed(name, moment)
    assert list(names.tries) == ["b", "c", "d"]
    for _ in range(auth.FREE_TRIES - 1):
        names.failed("b", moment)
    with pytest.raises(auth.AuthError) as locked:
        names.check("b", moment)
    assert locked.value.status == 429 and list(names.tries) == ["c", "d", "b"]
    names.check("c", moment)  # one wrong try: not locked
