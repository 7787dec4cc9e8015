"""Dropped connections, crashes, revoked devices, old clients, stale cursors:
each leaves nothing lost and nothing applied twice."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from desktop.domain.records import ProgressEntry
from sync.client import AccessRevoked, ClientTooOld, Offline, SyncClient
from sync.server import admin
from sync.server.tables import Record
from tests.sync import helpers as h
from tests.sync.conftest import SERVER, add_user

ENTRIES = 7  # with batches of 3 and pages of 3: three pushes, several pages


def _counts(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return dict(conn.execute(select(Record.entity, func.count()).group_by(Record.entity)).all())


def _client(device, **kw) -> SyncClient:
    account = device.app.store.get_setting("sync_account")
    return SyncClient(device.port, SERVER, account["token"], transport=device.net, push_batch=3, page_size=3, **kw)


@pytest.fixture
def busy(engine, make_device):
    """Ann's laptop A with a pupil and ENTRIES progress entries unsent; laptop B empty."""
    add_user(engine, "ann", "tutor")
    a, b = make_device("a", "ann"), make_device("b", "ann")
    pupil_id = h.pupil(a.app)
    for i in range(ENTRIES):
        h.progress(a.app, pupil_id, evidence=f"entry {i}")
    return a, b, pupil_id


def _finish(device) -> None:
    with _client(device) as client:
        client.sync()


@pytest.mark.parametrize("where", ["request", "response"])
def test_a_connection_dropped_at_any_step_of_push_and_pull_loses_and_duplicates_nothing(busy, engine, where):
    """Each round makes ENTRIES new records on A: A's sync is 3 pushes and 3 pull pages,
    B's is 3 pull pages. Round k drops the connection at step k, then syncs again."""
    a, b, pupil_id = busy
    _finish(a)
    _finish(b)
    made = ENTRIES
    for step in range(1, 7):
        for i in range(ENTRIES):
            h.progress(a.app, pupil_id, evidence=f"entry {made + i}")
        made += ENTRIES
        a.net.drop(step, where)
        with pytest.raises(Offline), _client(a) as client:
            client.sync()
        _finish(a)
        assert a.port.unsent() == 0
        assert _counts(engine)["progress_entry"] == made  # each stored once
        b.net.drop(min(step, 3), where)
        with pytest.raises(Offline), _client(b) as client:
            client.sync()
        _finish(b)
        assert len(b.app.list_progress(pupil_id)) == made
    assert sorted(e.evidence for e in b.app.list_progress(pupil_id)) == sorted(f"entry {i}" for i in range(made))
    assert b.port.unsent() == 0
    assert _counts(engine) == {"school": 1, "pupil": 1, "progress_entry": made}
    assert h.dump(a.app) == h.dump(b.app)


def test_killed_between_the_servers_acknowledgement_and_the_outbox_delete(busy, engine):
    a, _b, _pupil_id = busy

    class Crash(Exception):
        pass

    real = a.port.acknowledge
    a.port.acknowledge = lambda ids: (_ for _ in ()).throw(Crash())  # the process dies here
    with pytest.raises(Crash), _client(a) as client:
        client.push()
    assert a.port.unsent() == ENTRIES + 2  # the server has the first batch; the laptop does not know
    a.port.acknowledge = real
    with _client(a) as client:
        result = client.sync()
    assert result.pushed == ENTRIES + 2  # the first batch answered "duplicate", and is let go
    assert a.port.unsent() == 0
    assert _counts(engine)["progress_entry"] == ENTRIES


def test_a_revoked_device_is_told_plainly_and_keeps_its_changes(busy, engine):
    a, b, _pupil_id = busy
    device_id = a.app.store.get_setting("sync_account")["device_id"]
    admin.revoke_device(engine, device_id)
    with pytest.raises(AccessRevoked, match=r"revoked.*unsent changes stay on this laptop"):
        a.sync()
    assert a.port.unsent() == ENTRIES + 2
    assert "revoked" in a.app.sync_status().last_error
    b.sync()  # another device of the same user carries on
    assert [d["revoked"] for d in admin.list_devices(engine) if d["id"] == device_id] == [True]


def test_a_disabled_user_is_refused_on_every_device(busy, engine):
    a, b, _pupil_id = busy
    admin.disable_user(engine, "ann")
    for device in (a, b):
        with pytest.raises(AccessRevoked, match="disabled"):
            device.sync()
    assert a.port.unsent() == ENTRIES + 2
    with pytest.raises(Exception, match="disabled"):
        a.login("ann")


def test_an_old_client_gets_426_and_a_message(busy, monkeypatch):
    a, _b, _pupil_id = busy
    import sync.client.connection as client_connection
    import sync.server.auth as server_auth

    monkeypatch.setattr(server_auth, "MIN_CLIENT_VERSION", 2)  # the server moved on
    with pytest.raises(ClientTooOld, match=r"too old.*unsent changes are kept"):
        a.sync()
    assert a.port.unsent() == ENTRIES + 2
    monkeypatch.setattr(server_auth, "MIN_CLIENT_VERSION", 1)
    monkeypatch.setattr(client_connection, "PROTOCOL_VERSION", 0)  # or the client is older than any the server takes
    with pytest.raises(ClientTooOld):
        a.sync()


def test_410_gives_a_fresh_snapshot_and_keeps_unsent_changes(busy, engine):
    a, b, pupil_id = busy
    a.sync()
    b.sync()
    doomed = b.app.list_progress(pupil_id)[0].id
    with a.app.store.transaction("ann") as tx:
        tx.delete(ProgressEntry, doomed)
    a.sync()
    assert admin.prune_tombstones(engine, older_than_days=-1) == 1  # the tombstone is forgotten
    b.app.edit_pupil(pupil_id, medical_needs="Written on B, not yet sent")
    with _client(b) as client:
        result = client.pull()  # B's cursor is older than the pruned tombstone
    assert result.snapshot
    assert b.app.get_pupil(pupil_id).medical_needs == "Written on B, not yet sent"
    assert b.port.unsent() == 1
    b.sync()
    a.sync()
    assert a.app.get_pupil(pupil_id).medical_needs == "Written on B, not yet sent"
    assert b.port.unsent() == 0


def test_a_sync_with_nothing_to_do_is_one_round_trip(busy):
    a, _b, _pupil_id = busy
    a.sync()
    before = a.net.sent
    result = a.sync()
    assert result.round_trips == 1 and a.net.sent - before == 1


def test_plain_http_is_refused_except_to_this_machine(busy):
    from sync.client import InsecureServer, check_url

    assert check_url("http://127.0.0.1:8765/") == "http://127.0.0.1:8765"
    assert check_url("http://localhost:8765") == "http://localhost:8765"
    assert check_url("https://waymark.example.gov.uk") == "https://waymark.example.gov.uk"
    with pytest.raises(InsecureServer, match="not encrypted"):
        check_url("http://waymark.example.gov.uk")
    assert check_url("http://10.1.2.3:8765", insecure=True) == "http://10.1.2.3:8765"
    a, _b, _pupil_id = busy
    from desktop.services import ValidationError

    with pytest.raises(ValidationError, match="not encrypted"):
        a.sync_service.login("http://192.0.2.1", "ann", "whatever")


def test_a_cursor_from_beyond_the_feed_gets_a_fresh_snapshot(busy, engine):
    """A server restored from an older backup: a laptop's cursor stands above the feed. It
    starts afresh rather than skip what is written below its old cursor."""
    a, b, pupil_id = busy
    a.sync()
    b.sync()
    b.port.store.set_setting("sync_cursor", "999999.0.0")  # as if the server had lost its last rows
    a.app.edit_pupil(pupil_id, medical_needs="Written after the restore")
    a.sync()
    with _client(b) as client:
        result = client.pull()
    assert result.snapshot
    assert b.app.get_pupil(pupil_id).medical_needs == "Written after the restore"


def test_something_else_answering_at_the_address_is_one_plain_sentence(busy):
    """A network's login page answers 200 with HTML: login and sync say so in words, keep
    every change, and record the problem for the status bar (no parser's report)."""
    import httpx

    from desktop.services import ValidationError
    from desktop.services.sync import SyncService
    from sync.client import SyncError

    a, _b, _pupil = busy
    page = httpx.MockTransport(lambda request: httpx.Response(200, html="<html><body>Sign in to Wi-Fi</body></html>"))
    service = SyncService(a.app, transport=page)
    with pytest.raises(ValidationError) as refused:
        service.login(SERVER, "ann", "whatever")
    assert "not understood" in str(refused.value) and "pydantic" not in str(refused.value)
    waiting = a.port.unsent()
    assert waiting
    with pytest.raises(SyncError) as failed:
        service.sync()
    words = str(failed.value)
    assert "not understood" in words and "validation error" not in words and "<html" not in words
    assert a.port.unsent() == waiting  # nothing lost
    assert "not understood" in (a.app.sync_status().last_error or "")
