"""Records a client could not hold yet, and records that arrive before what
they point at: an older client says which tables it knows and, once upgraded,
back-fills the ones it skipped; a school that arrives after its pupils links
them at once, on the server and on every laptop. On SQLite and PostgreSQL."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select

from desktop.store.sync_port import StoreSyncPort
from sync.client import SyncClient
from sync.protocol import PROTOCOL_HEADER, PushRequest
from sync.server import admin
from sync.server.tables import PupilSchool
from tests.sync import helpers as h
from tests.sync.conftest import PASSWORD, SERVER, add_user


def _client(device, port=None, **kw) -> SyncClient:
    account = device.app.store.get_setting("sync_account")
    return SyncClient(port or device.port, SERVER, account["token"], transport=device.net, **kw)


# --- tables an older client does not know ---------------------------------------------------


def test_an_upgraded_client_back_fills_the_tables_it_used_to_skip(engine, make_device):
    add_user(engine, "ann", "tutor")
    a, b = make_device("a", "ann"), make_device("b", "ann")
    pupil_id = h.pupil(a.app)
    entries = {h.progress(a.app, pupil_id, evidence=f"entry {i}") for i in range(5)}
    a.sync()

    older = StoreSyncPort(b.app.store, hidden=["progress_entry"])  # b runs a version without progress entries
    with _client(b, older, page_size=2) as client:
        first = client.sync()
    assert first.pulled and not first.snapshot
    assert [p.id for p in b.app.list_pupils()] == [pupil_id]
    assert b.app.list_progress(pupil_id) == []  # not sent: b said it does not know the table
    assert older.cursor_tables() == older.known_tables()

    # More arrive while b is still old; then b is upgraded, with an unsent change of its own.
    entries.add(h.progress(a.app, pupil_id, evidence="entry 5"))
    a.sync()
    with _client(b, older) as client:
        client.sync()
    cursor = b.port.cursor()
    b.app.edit_pupil(pupil_id, medical_needs="Asthma")
    with _client(b, page_size=2) as client:  # today's port: it knows progress_entry
        upgraded = client.sync()
    assert not upgraded.snapshot and upgraded.backfilled == len(entries)
    assert {e.id for e in b.app.list_progress(pupil_id)} == entries
    assert b.port.cursor_tables() == b.port.known_tables() and b.port.backfill_state() is None
    assert b.port.cursor() != cursor  # the main cursor went on from where it was, not from nothing
    a.sync()
    assert a.app.get_pupil(pupil_id).medical_needs == "Asthma"  # the unsent change was kept and sent
    with _client(b) as client:
        assert client.sync().backfilled == 0  # once only


def test_a_back_fill_cut_short_resumes_where_it_stopped(engine, make_device):
    from sync.client import Offline

    add_user(engine, "ann", "tutor")
    a, b = make_device("a", "ann"), make_device("b", "ann")
    pupil_id = h.pupil(a.app)
    entries = {h.progress(a.app, pupil_id, evidence=f"entry {i}") for i in range(5)}
    a.sync()
    with _client(b, StoreSyncPort(b.app.store, hidden=["progress_entry"])) as client:
        client.sync()
    b.net.drop(2, "response")  # the back-fill's second page is lost on the way
    with pytest.raises(Offline), _client(b, page_size=2) as client:
        client.sync()
    tables, cursor = b.port.backfill_state()
    assert tables == ["progress_entry"] and cursor
    with _client(b, page_size=2) as client:
        client.sync()
    assert {e.id for e in b.app.list_progress(pupil_id)} == entries
    assert b.port.backfill_state() is None


def test_the_server_sends_only_the_tables_a_client_asks_for(engine, in_process, make_device):
    add_user(engine, "ann", "tutor")
    a = make_device("a", "ann")
    h.progress(a.app, h.pupil(a.app))
    a.sync()
    with httpx.Client(transport=in_process, base_url=SERVER, headers={PROTOCOL_HEADER: "1"}) as http:
        token = http.post("/v1/login", json={"user": "ann", "password": PASSWORD}).json()["token"]
        auth = {"Authorization": f"Bearer {token}"}
        everything = http.get("/v1/pull", headers=auth).json()
        assert {c["entity"] for c in everything["changes"]} == {"school", "pupil", "progress_entry"}
        some = http.get("/v1/pull", params={"tables": "pupil,school"}, headers=auth).json()
        assert {c["entity"] for c in some["changes"]} == {"school", "pupil"}
        assert http.get("/v1/pull", params={"tables": "pupil,DROP TABLE"}, headers=auth).status_code == 400


# --- a school that arrives after its pupils ----------------------------------------------------


def _push(in_process, device, ops) -> None:
    token = device.app.store.get_setting("sync_account")["token"]
    headers = {PROTOCOL_HEADER: "1", "Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    with httpx.Client(transport=in_process, base_url=SERVER) as http:
        answer = http.post("/v1/push", content=PushRequest(ops=ops).model_dump_json(), headers=headers).json()
    assert {r["status"] for r in answer["results"]} == {"applied"}


def test_a_school_pushed_after_its_pupil_links_the_pupil_for_the_school(engine, make_device, in_process):
    add_user(engine, "ann", "tutor")
    add_user(engine, "st-annes", "school", school_urn=h.URN_A)
    ann, school = make_device("ann", "ann"), make_device("st-annes", "st-annes")
    pupil_id = h.pupil(ann.app)
    h.progress(ann.app, pupil_id)
    ops = ann.port.pending(100)
    _push(in_process, ann, [op for op in ops if op.entity != "school"])  # the pupil and its history first
    school.sync()
    assert school.app.list_pupils() == []  # its school is not known yet: nobody's pupil
    _push(in_process, ann, [op for op in ops if op.entity == "school"])
    with engine.connect() as conn:
        assert conn.execute(select(PupilSchool.urn).where(PupilSchool.pupil_id == pupil_id)).scalar_one() == h.URN_A
    school.sync()
    [seen] = school.app.list_pupils()
    assert seen.id == pupil_id and school.app.get_school(seen.base_school_id).urn == h.URN_A
    assert len(school.app.list_progress(pupil_id)) == 1  # the history pushed before the school came too


def test_a_pupil_naming_a_school_merged_away_here_is_linked_to_the_survivor(engine, make_device):
    """Ann adds school 119234 offline (the smaller id); Carl adds it too, with Quinn, and syncs.
    Ann pulls Quinn naming Carl's copy, which her laptop merges into hers: Quinn must
    point at the school she keeps, whichever page brings him."""
    add_user(engine, "ann", "tutor", team="north")
    add_user(engine, "carl", "tutor")
    ann, carl = make_device("ann", "ann"), make_device("carl", "carl")
    mine = h.school(ann.app)
    quinn = h.pupil(carl.app, "Quinn")
    assert h.school(carl.app) > mine
    carl.sync()
    admin.assign(engine, quinn, team="north")
    with _client(ann, page_size=1) as client:  # the school and Quinn on separate pages
        client.sync()
    assert [s.id for s in ann.app.list_schools()] == [mine]
    assert ann.app.get_pupil(quinn).base_school_id == mine
    assert ann.port.rejected() == []
    # Quinn's next pull is not needed: a later page or sync naming Carl's copy is repointed too.
    carl.sync()
    ann.sync()
    carl.sync()
    assert carl.app.get_pupil(quinn).base_school_id == mine
    assert ann.app.get_pupil(quinn).base_school_id == mine


def test_migration_0002_links_pupils_whose_school_arrived_after_them(engine):
    """A server at 0001 holding a pupil whose school came later (no link) and one
    linked by URN: after the upgrade both are linked, with their school's id."""
    import json

    from alembic import command
    from sqlalchemy import text

    from sync.server import db

    config = db.alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0001")
    add_user(engine, "st-annes", "school", school_urn=h.URN_A)
    rows = [
        ("school", "s1", {"urn": h.URN_A, "name": "St Anne's"}, 1),
        ("pupil", "p-late", {"forename": "Late", "base_school_id": "s1"}, 2),
        ("pupil", "p-linked", {"forename": "Linked", "base_school_id": "s1"}, 3),
        ("pupil", "p-none", {"forename": "None"}, 4),
    ]
    with engine.begin() as conn:
        for entity, entity_id, data, seq in rows:
            conn.execute(
                text(
                    "INSERT INTO records (entity, entity_id, data, clocks, authors, deleted, seq, restricted)"
                    " VALUES (:e, :i, :d, '{}', '{}', false, :s, '')"
                ),
                {"e": entity, "i": entity_id, "d": json.dumps(data), "s": seq},
            )
        conn.execute(text("INSERT INTO pupil_school (pupil_id, urn) VALUES ('p-linked', :u)"), {"u": h.URN_A})
        epoch = conn.execute(text("SELECT scope_epoch FROM users WHERE name = 'st-annes'")).scalar_one()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
    with engine.connect() as conn:
        links = {r.pupil_id: (r.urn, r.school_id) for r in conn.execute(select(PupilSchool))}
        assert links == {"p-late": (h.URN_A, "s1"), "p-linked": (h.URN_A, "s1")}
        # The school's users had a cursor past the late pupil's history: they get a fresh copy.
        assert conn.execute(text("SELECT scope_epoch FROM users WHERE name = 'st-annes'")).scalar_one() == epoch + 1


def test_a_profile_last_synced_before_clients_named_their_tables_back_fills_newer_ones(
    engine, make_device, monkeypatch
):
    """Such a cursor covers what schema 9 knew; a table added since (here, as if
    progress entries were new) is fetched from the start on the next sync."""
    from desktop.store import sync_port
    from desktop.store.sync_port import pulling

    add_user(engine, "ann", "tutor")
    a, b = make_device("a", "ann"), make_device("b", "ann")
    pupil_id = h.pupil(a.app)
    entries = {h.progress(a.app, pupil_id, evidence=f"entry {i}") for i in range(3)}
    a.sync()
    with _client(b, StoreSyncPort(b.app.store, hidden=["progress_entry"])) as client:
        client.sync()
    b.app.store.set_setting(sync_port.CURSOR_TABLES, None)  # as an older version left it
    monkeypatch.setattr(pulling, "KNOWN_AT_SCHEMA_9", sync_port.KNOWN_AT_SCHEMA_9 - {"progress_entry"})
    assert "progress_entry" not in b.port.cursor_tables()
    assert b.sync().backfilled == len(entries)
    assert {e.id for e in b.app.list_progress(pupil_id)} == entries


def test_migration_0004_indexes_a_populated_server_for_scoped_pulls(engine):
    """A server at 0003 holding records: after the upgrade its rows are all there
    and the pull's pupil and author indexes exist; a downgrade drops them again."""
    from alembic import command
    from sqlalchemy import inspect, text

    from sync.server import db

    config = db.alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0003")
    with engine.begin() as conn:
        for n, owner in enumerate(["p1", "p1", None], start=1):
            conn.execute(
                text(
                    "INSERT INTO records (entity, entity_id, data, clocks, authors, deleted, seq, owner_pupil, restricted)"
                    " VALUES ('progress_entry', :i, '{}', '{}', '{}', false, :s, :o, '')"
                ),
                {"i": f"r{n}", "s": n, "o": owner},
            )

    def indexes() -> set[str]:
        return {ix["name"] for ix in inspect(engine).get_indexes("records")}

    assert "ix_records_owner_pupil_seq" not in indexes()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
    assert {"ix_records_owner_pupil_seq", "ix_records_unowned_created_by"} <= indexes()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM records WHERE owner_pupil = 'p1'")).scalar_one() == 2
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0003")
    assert not {"ix_records_owner_pupil_seq", "ix_records_unowned_created_by"} & indexes()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
