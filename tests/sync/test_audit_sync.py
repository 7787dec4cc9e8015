"""Audit rows travel to the LA server with each sync: append-only, once each,
marked sent only when the server holds them, checked against the chain the
server already has, readable by LA leads only. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import date, timedelta

import httpx
import pytest
from sqlalchemy import func, select, update

from desktop.domain.records import Concern
from sync.client import Offline, SyncClient
from sync.protocol import PROTOCOL_HEADER, AuditPush
from sync.server import cli
from sync.server.tables import AuditEvent, AuditPupil
from tests.sync import helpers as h
from tests.sync.conftest import PASSWORD, SERVER, add_user


def held(engine, trail: str | None = None) -> list[tuple[int, str, str]]:
    """(seq, row id, chain break) of the rows the server holds, in order."""
    with engine.connect() as conn:
        stmt = select(AuditEvent.seq, AuditEvent.row_id, AuditEvent.chain_break).order_by(
            AuditEvent.trail, AuditEvent.seq
        )
        if trail:
            stmt = stmt.where(AuditEvent.trail == trail)
        return [tuple(r) for r in conn.execute(stmt)]


def local(device) -> list[tuple[int, str, bool]]:
    table = device.app.store.tables["audit_event"]
    with device.app.store.reading() as conn:
        return [tuple(r) for r in conn.execute(select(table.c.seq, table.c.id, table.c.sent).order_by(table.c.seq))]


def _client(device, **kw) -> SyncClient:
    account = device.app.store.get_setting("sync_account")
    return SyncClient(device.port, SERVER, account["token"], transport=device.net, **kw)


@pytest.fixture
def ann(engine, make_device):
    add_user(engine, "ann", "tutor")
    add_user(engine, "lead", "la-lead")
    add_user(engine, "st-annes", "school", school_urn=h.URN_A)
    device = make_device("ann", "ann")
    device.pupil = h.pupil(device.app, "Peter")
    device.app.add_concern(Concern(pupil_id=device.pupil, raised_on=date(2026, 11, 20), text="Bruise on arm"))
    device.app.list_concerns(device.pupil)  # a restricted read: audited
    return device


def test_a_sync_sends_every_audit_row_once_and_marks_them_sent(ann, engine):
    before = local(ann)
    assert before and not any(sent for *_, sent in before)
    result = ann.sync()
    assert result.audited == len(before) and result.audit_breaks == []
    trail = ann.app.store.device
    assert [(seq, i) for seq, i, _ in held(engine, trail)] == [(seq, i) for seq, i, _ in before]
    assert all(brk == "" for *_, brk in held(engine, trail))
    assert all(sent for *_, sent in local(ann))
    # More rows: only they go next time, continuing the chain the server holds.
    ann.app.list_concerns(ann.pupil)
    again = ann.sync()
    assert again.audited >= 1 and again.audit_breaks == []
    assert len(held(engine, trail)) == len(local(ann)) and all(brk == "" for *_, brk in held(engine, trail))
    assert all(sent for *_, sent in local(ann))
    assert ann.sync().audited == 0  # nothing left to send


@pytest.mark.parametrize("where", ["request", "response"])
def test_a_dropped_connection_mid_push_loses_and_duplicates_no_audit_row(ann, engine, where):
    """Batches of 2: the drop hits the second audit batch (the first is acknowledged)."""
    rows = len(local(ann))
    assert rows >= 4
    ann.net.drop(2, where)  # request 1: the first audit batch (no changes batch: push_batch counts ops)
    with pytest.raises(Offline), _client(ann, push_batch=2) as client:
        client.push_audit()
    sent = [i for _, i, s in local(ann) if s]
    assert len(sent) == 2  # the acknowledged batch only
    on_server = held(engine)
    assert len(on_server) == (4 if where == "response" else 2)  # the server kept the lost answer's rows
    with _client(ann, push_batch=2) as client:
        client.push_audit()
    assert all(s for *_, s in local(ann))
    assert [i for _, i, _ in held(engine)] == [i for _, i, _ in local(ann)]  # each once, in order
    assert all(brk == "" for *_, brk in held(engine))


def test_a_replayed_audit_push_changes_nothing(ann, engine, in_process):
    trail, rows = ann.port.audit_pending(100)
    token = ann.app.store.get_setting("sync_account")["token"]
    headers = {PROTOCOL_HEADER: "1", "Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    body = AuditPush(trail=trail, rows=rows).model_dump_json()
    with httpx.Client(transport=in_process, base_url=SERVER) as http:
        first = http.post("/v1/audit", content=body, headers=headers).json()
        count = len(held(engine))
        second = http.post("/v1/audit", content=body, headers=headers).json()
    assert first["held"] == second["held"] == [r.id for r in rows]
    assert first["breaks"] == second["breaks"] == []
    assert len(held(engine)) == count == len(rows)


def test_a_break_in_the_chain_is_reported_and_the_rows_are_kept(ann, engine):
    ann.sync()
    kept = len(held(engine))
    ann.app.list_concerns(ann.pupil)
    ann.app.list_concerns(ann.pupil)
    # Someone with the key removes a row on the laptop that was never sent.
    table = ann.app.store.tables["audit_event"]
    with ann.app.store._begin_write() as conn:
        unsent = conn.execute(select(table.c.id).where(table.c.sent.is_(False)).order_by(table.c.seq)).scalars().all()
        conn.execute(table.delete().where(table.c.id == unsent[0]))
    result = ann.sync()
    assert len(result.audit_breaks) == 1 and "never arrived" in result.audit_breaks[0]
    rows = held(engine)
    assert len(rows) == kept + len(unsent) - 1  # nothing dropped
    assert [bool(brk) for *_, brk in rows].count(True) == 1
    assert all(s for *_, s in local(ann))

    # A row changed after it was sent is kept beside the first, as a break.
    with ann.app.store._begin_write() as conn:
        first = conn.execute(select(table.c.id).order_by(table.c.seq).limit(1)).scalar_one()
        conn.execute(update(table).where(table.c.id == first).values(actor="someone else", sent=False))
    with ann.app.store._begin_write() as conn:  # the attacker rehashes the row to hide it locally
        from desktop.store import audit

        row = dict(conn.execute(select(table).where(table.c.id == first)).mappings().one())
        conn.execute(update(table).where(table.c.id == first).values(hash=audit.row_hash(row, row["prev_hash"])))
    result = ann.sync()
    assert any("sent again with different contents" in b for b in result.audit_breaks)
    assert len(held(engine)) == kept + len(unsent)  # the first version stays, the second beside it


def test_an_erasure_blanks_the_las_copy_too(ann, engine):
    ann.sync()
    with engine.connect() as conn:
        about = conn.execute(select(func.count()).where(AuditEvent.summary != "")).scalar_one()
    assert about
    ann.app.erase_pupil(ann.pupil, "erasure request of 3 Dec 2026")
    result = ann.sync()
    assert result.audit_breaks == []
    with engine.connect() as conn:
        erased = conn.execute(select(AuditEvent).where(AuditEvent.redacted.is_(True))).all()
    assert erased and all(r.summary == "" and r.changes == {} and r.salt == "" for r in erased)
    assert all(s for *_, s in local(ann))
    assert len(held(engine)) == len(local(ann))  # blanked in place, not added


def test_only_la_leads_read_the_audit_rows(ann, engine, in_process):
    ann.sync()
    tokens = {}
    with httpx.Client(transport=in_process, base_url=SERVER, headers={PROTOCOL_HEADER: "1"}) as http:
        for name in ("ann", "lead", "st-annes"):
            answer = http.post("/v1/login", json={"user": name, "password": PASSWORD, "device_name": "t"})
            tokens[name] = answer.json()["token"]
        for name in ("ann", "st-annes"):
            denied = http.get("/v1/audit", headers={"Authorization": f"Bearer {tokens[name]}"})
            assert denied.status_code == 403 and "Only LA leads" in denied.json()["detail"]
        lead = {"Authorization": f"Bearer {tokens['lead']}"}
        rows = http.get("/v1/audit", headers=lead).json()
        assert len(rows) == len(local(ann)) and {r["user"] for r in rows} == {"ann"}
        about = http.get("/v1/audit", params={"pupil": ann.pupil}, headers=lead).json()
        assert about and all(ann.pupil in r["pupil_ids"] for r in about)
        assert {r["action"] for r in about} >= {"view-restricted"}
        assert http.get("/v1/audit", params={"user": "lead"}, headers=lead).json() == []
        day = date.fromisoformat(rows[0]["at"][:10])
        between = {"from": day.isoformat(), "to": day.isoformat()}
        assert len(http.get("/v1/audit", params=between, headers=lead).json()) == len(rows)
        after = {"from": (day + timedelta(days=1)).isoformat()}
        before = {"to": (day - timedelta(days=1)).isoformat()}
        assert http.get("/v1/audit", params=after, headers=lead).json() == []
        assert http.get("/v1/audit", params=before, headers=lead).json() == []
        assert http.get("/v1/audit", params={"from": "30/11/2026"}, headers=lead).status_code == 422
        assert http.get("/v1/audit", headers={}).status_code == 401
        assert http.post("/v1/audit", json={"trail": "t", "rows": []}).status_code == 401
    with httpx.Client(transport=in_process, base_url=SERVER) as bare:  # no protocol version
        for method in ("GET", "POST"):
            answer = bare.request(method, "/v1/audit", headers=lead, json={"trail": "t", "rows": []})
            assert answer.status_code == 426 and "too old" in answer.json()["detail"]


def test_the_console_script_lists_audit_rows(ann, server_url, capsys):
    ann.sync()
    code = cli.main(["--database", server_url, "audit", "list", "--pupil", ann.pupil, "--json"])
    rows = json.loads(capsys.readouterr().out)
    assert code == 0 and rows and all(ann.pupil in r["pupil_ids"] and r["user"] == "ann" for r in rows)
    code = cli.main(["--database", server_url, "audit", "list", "--user", "ann"])
    out = capsys.readouterr().out
    assert code == 0 and "view-restricted" in out and "BREAK" not in out
    code = cli.main(["--database", server_url, "audit", "list", "--user", "nobody"])
    err = capsys.readouterr().err
    assert code == 2 and "no user called nobody" in err and len(err.strip().splitlines()) == 1
    day = date.fromisoformat(rows[0]["at"][:10])
    code = cli.main(["--database", server_url, "audit", "list", "--json", "--to", day.strftime("%d/%m/%Y")])
    assert code == 0 and len(json.loads(capsys.readouterr().out)) >= len(rows)
    tomorrow = (day + timedelta(days=1)).isoformat()
    code = cli.main(["--database", server_url, "audit", "list", "--from", tomorrow])
    assert code == 0 and capsys.readouterr().out.strip() == "No audit rows match."
    with pytest.raises(SystemExit) as bad:
        cli.main(["--database", server_url, "audit", "list", "--from", "yesterday-ish"])
    assert bad.value.code == 2 and "is not a date" in capsys.readouterr().err


def test_an_erased_pupil_is_erased_on_the_users_other_laptop_too(ann, engine, make_device):
    """Erasure blanks a required date to ''; sync sends it and the other laptop applies the tombstone."""
    other = make_device("ann2", "ann")
    ann.sync()
    other.sync()
    assert other.app.get_pupil(ann.pupil).forename == "Peter"
    ann.app.erase_pupil(ann.pupil, "erasure request of 3 Dec 2026")
    ann.sync()
    other.sync()
    assert other.port.rejected() == []
    assert ann.pupil not in {p.id for p in other.app.list_pupils(include_archived=True)}


def test_a_server_older_than_audit_rows_still_syncs_and_the_rows_wait(ann, server_app):
    server_app.router.routes[:] = [r for r in server_app.router.routes if getattr(r, "path", "") != "/v1/audit"]
    result = ann.sync()
    assert result.pushed and result.audited == 0 and result.audit_error == ""
    assert not any(sent for *_, sent in local(ann))  # kept, to go to a server that takes them
    assert ann.app.store.get_setting("last_sync_error") is None


def test_the_server_checks_every_trail_as_it_holds_it_now(ann, engine, server_url, capsys):
    ann.app.list_concerns(ann.pupil)
    ann.sync()
    assert cli.main(["--database", server_url, "audit", "verify"]) == 0
    assert "Every audit trail is intact" in capsys.readouterr().out

    # Someone with database access rewrites what a row says, then removes another.
    rows = held(engine)
    with engine.begin() as conn:
        conn.execute(update(AuditEvent).where(AuditEvent.row_id == rows[1][1]).values(summary="nothing to see"))
        gone = conn.execute(select(AuditEvent.id).where(AuditEvent.row_id == rows[-2][1])).scalar_one()
        conn.execute(AuditPupil.__table__.delete().where(AuditPupil.audit_id == gone))
        conn.execute(AuditEvent.__table__.delete().where(AuditEvent.id == gone))
    assert cli.main(["--database", server_url, "audit", "verify"]) == 3
    out = capsys.readouterr().out
    assert f"row {rows[1][0]} " in out and "changed after it was written" in out
    assert f"row {rows[-1][0]} " in out and "never arrived" in out
    assert held(engine)[1][2] == ""  # the check reports; it changes nothing


def test_nobody_adds_to_another_users_audit_trail(ann, engine, in_process):
    ann.sync()
    with engine.connect() as conn:
        trail = conn.execute(select(AuditEvent.trail).limit(1)).scalar_one()
    before = held(engine)
    row = {"id": "forged", "seq": len(before) + 1, "at": "2026-11-30 10:00:00.000000", "actor": "x",
           "action": "view-restricted", "entity": "pupil", "entity_id": ann.pupil, "summary": "",
           "pupil_ids": [], "changes": {}, "salt": "", "content_hash": "0" * 64, "prev_hash": "0" * 64,
           "hash": "0" * 64, "redacted": False}  # fmt: skip
    with httpx.Client(transport=in_process, base_url=SERVER, headers={PROTOCOL_HEADER: "1"}) as http:
        token = http.post("/v1/login", json={"user": "st-annes", "password": PASSWORD, "device_name": "t"}).json()
        answer = http.post(
            "/v1/audit", json={"trail": trail, "rows": [row]}, headers={"Authorization": f"Bearer {token['token']}"}
        )
    assert answer.status_code == 403 and "another user's laptop" in answer.json()["detail"]
    assert held(engine) == before  # nothing added, no false break on Ann's trail
