"""Records leaving a user's scope: a pupil moved to another worker or team, a
school's pupil moving school, a user given a narrower role. The next pull
tells the device, which removes the pupil's records (and rows that belong only
to them) without sending deletes and without losing unsent work."""

from __future__ import annotations

from datetime import date, time

import pytest
from sqlalchemy import select

from desktop.domain.records import Contact, ProgressEntry, Visit
from sync.server import admin, cli
from sync.server.tables import Record
from tests.sync import helpers as h
from tests.sync.conftest import PASSWORD, add_user


@pytest.fixture
def caseload(engine, make_device):
    """Ann (team north) added Peter and Polly, seen together on one visit; Polly is
    also on team north's caseload, so Bea (team north) holds her. Quinn, at
    school A with Peter, has a visit of his own."""
    add_user(engine, "ann", "tutor", team="north")
    add_user(engine, "bea", "tutor", team="north")
    add_user(engine, "school_a", "school", school_urn=h.URN_A)
    add_user(engine, "school_b", "school", school_urn=h.URN_B)
    add_user(engine, "lead", "la-lead")
    ann = make_device("ann", "ann")
    app = ann.app
    peter, polly = h.pupil(app, "Peter", h.URN_A), h.pupil(app, "Polly", h.URN_B)
    quinn = h.pupil(app, "Quinn", h.URN_A)
    shared = h.visit(app, [peter, polly], family="Lovely reading", professional="Dad mentioned moving on")
    alone = app.log_visit(
        Visit.same_for_all(
            date=date(2026, 11, 21), start=time(9), end=time(10), pupil_ids=[polly], work_covered="Bonds"
        )
    ).id
    quinn_visit = h.visit(app, [quinn], work="Times tables")
    app.add_contact(Contact(pupil_id=polly, name="Polly's mum"))
    progress = h.progress(app, polly, evidence="Polly read a page")
    ann.sync()
    admin.assign(engine, polly, team="north")
    bea = make_device("bea", "bea")
    bea.sync()
    return {
        "ann": ann,
        "bea": bea,
        "peter": peter,
        "polly": polly,
        "quinn": quinn,
        "shared": shared,
        "alone": alone,
        "quinn_visit": quinn_visit,
        "progress": progress,
        "engine": engine,
    }


def _ids(app, table: str) -> set[str]:
    t = app.store.tables[table]
    with app.store.reading() as conn:
        return set(conn.execute(select(t.c.id)).scalars())


def _server_rows(engine, entity: str) -> dict[str, bool]:
    with engine.connect() as conn:
        return dict(conn.execute(select(Record.entity_id, Record.deleted).where(Record.entity == entity)).all())


def _everything(app) -> set[str]:
    return {row_id for table in h.dump(app).values() for row in table for row_id in row[:1]}


def test_a_pupil_moved_off_a_team_leaves_its_workers_laptops_and_nothing_else(caseload):
    c = caseload
    bea, ann = c["bea"], c["ann"]
    assert c["polly"] in _ids(bea.app, "pupil")
    assert {c["shared"], c["alone"]} <= _ids(bea.app, "visit")
    server_before = {e: _server_rows(c["engine"], e) for e in ("pupil", "visit", "visit_entry", "progress_entry")}

    admin.unassign(c["engine"], c["polly"], team="north")
    result = bea.sync()
    assert result.left == 1
    # Bea held Polly alone: everything of hers leaves, the visits too (Bea holds nobody else on them).
    assert _ids(bea.app, "pupil") == set()
    assert _ids(bea.app, "visit") == set() and _ids(bea.app, "visit_entry") == set()
    assert _ids(bea.app, "visit_note") == set() and _ids(bea.app, "progress_entry") == set()
    assert _ids(bea.app, "contact") == set()
    with bea.app.store.reading() as conn:
        state = bea.app.store.tables["sync_state"]
        assert not conn.execute(select(state.c.entity_id).where(state.c.entity != "school")).first()
    # No deletes went back: the server and Ann's laptop are as they were.
    assert bea.port.unsent() == 0
    assert {e: _server_rows(c["engine"], e) for e in server_before} == server_before
    ann.sync()
    assert c["polly"] in _ids(ann.app, "pupil")  # Ann added her: still on Ann's own caseload
    assert bea.sync().left == 0  # told once


def test_a_shared_visit_stays_for_the_child_still_held(caseload, make_device):
    c = caseload
    engine = c["engine"]
    add_user(engine, "cara", "tutor")
    admin.assign(engine, c["peter"], user="cara")
    admin.assign(engine, c["polly"], user="cara")
    cara = make_device("cara", "cara")
    cara.sync()
    assert {c["shared"], c["alone"]} <= _ids(cara.app, "visit")
    admin.unassign(engine, c["polly"], user="cara")
    assert cara.sync().left == 1
    # The visit with both stays for Peter, with his entry only; Polly's own visit goes.
    assert c["shared"] in _ids(cara.app, "visit") and c["alone"] not in _ids(cara.app, "visit")
    entries = cara.app.store.tables["visit_entry"]
    with cara.app.store.reading() as conn:
        assert set(conn.execute(select(entries.c.pupil_id)).scalars()) == {c["peter"]}
    assert cara.app.get_visit(c["shared"]).entries[0].pupil_id == c["peter"]


def test_unsent_work_about_a_pupil_who_left_is_kept_with_a_reason(caseload):
    c = caseload
    bea = c["bea"]
    entry = bea.app.store.get(ProgressEntry, c["progress"])
    entry.evidence = "Polly read two pages, with expression"
    with bea.app.store.transaction("bea") as tx:
        tx.update(entry)
    admin.unassign(c["engine"], c["polly"], team="north")
    result = bea.sync()
    # The push came first: the server refused the change, and said why.
    assert list(result.refused.values()) == ["This record is not on your caseload."]
    [kept] = bea.port.rejected()
    assert kept["entity"] == "progress_entry" and kept["entity_id"] == c["progress"]
    assert kept["fields"]["evidence"] == "Polly read two pages, with expression"  # the words survive the removal
    assert c["progress"] not in _ids(bea.app, "progress_entry")
    assert "refused" in bea.app.store.get_setting("last_sync_error")
    # The server still has what Ann wrote; Bea's words did not overwrite it.
    with c["engine"].connect() as conn:
        data = conn.execute(select(Record.data).where(Record.entity_id == c["progress"])).scalar()
    assert data["evidence"] == "Polly read a page"


def test_a_change_made_between_push_and_pull_is_kept_aside_not_sent(caseload):
    c = caseload
    bea = c["bea"]
    admin.unassign(c["engine"], c["polly"], team="north")
    with bea.sync_service._client(bea.app.store.get_setting("sync_account")) as client:
        client.push()
        entry = bea.app.store.get(ProgressEntry, c["progress"])
        entry.target = "Read a chapter book"
        with bea.app.store.transaction("bea") as tx:
            tx.update(entry)
        assert bea.port.unsent() == 1
        assert client.pull().left == 1
    assert bea.port.unsent() == 0
    [kept] = bea.port.rejected()
    assert kept["fields"] == {"target": "Read a chapter book"}
    assert "no longer yours" in kept["reason"]


def test_a_pupil_moving_school_leaves_the_old_schools_laptop(caseload, make_device):
    c = caseload
    ann = c["ann"]
    old, new = make_device("school_a", "school_a"), make_device("school_b", "school_b")
    old.sync()
    new.sync()
    assert {c["peter"], c["quinn"]} == _ids(old.app, "pupil")
    ann.app.edit_pupil(c["peter"], base_school_id=h.school(ann.app, h.URN_B))
    ann.sync()
    assert old.sync().left == 1
    assert _ids(old.app, "pupil") == {c["quinn"]}
    assert _ids(old.app, "visit") == {c["quinn_visit"]}  # the visit with Peter and Polly went with Peter
    result = new.sync()
    assert result.snapshot and c["peter"] in _ids(new.app, "pupil")  # his history comes with him
    assert c["shared"] in _ids(new.app, "visit")


def test_a_narrower_role_leaves_only_what_the_new_one_sees(caseload, make_device):
    c = caseload
    lead = make_device("lead", "lead")
    lead.sync()
    assert {c["peter"], c["polly"], c["quinn"]} <= _ids(lead.app, "pupil")
    lead.app.edit_pupil(c["polly"], address="4 Quiet Row", postcode="PR5 5QQ")  # unsent when the role narrows
    admin.change_user(c["engine"], "lead", role="school", school_urn=h.URN_B)
    result = lead.sync()
    assert result.left == 2 and result.narrowed
    assert _ids(lead.app, "pupil") == {c["polly"]}
    assert _ids(lead.app, "concern") == set() and _ids(lead.app, "contact") == set()
    # The visit Polly shared with Peter stays, without Ann's professional-only note.
    notes = lead.app.get_visit(c["shared"]).notes
    assert [n.text for n in notes] == ["Lovely reading"]
    pupil = lead.app.get_pupil(c["polly"])
    assert (pupil.address, pupil.postcode) == ("", "")
    # The server refused the address (a school may not hold it) and the words are kept here.
    assert any("where a family lives" in reason for reason in result.refused.values())
    kept = [r for r in lead.port.rejected() if r["entity"] == "pupil"]
    assert kept and kept[0]["fields"]["address"] == "4 Quiet Row"
    assert lead.sync_service.account().role == "school"
    assert lead.port.unsent() == 0
    # Back to LA lead: a fresh snapshot brings everyone back; nothing is told to leave.
    admin.change_user(c["engine"], "lead", role="la-lead")
    result = lead.sync()
    assert result.snapshot and result.left == 0
    assert {c["peter"], c["polly"], c["quinn"]} <= _ids(lead.app, "pupil")


def test_a_pupil_put_back_comes_back_whole(caseload):
    c = caseload
    bea = c["bea"]
    admin.unassign(c["engine"], c["polly"], team="north")
    bea.sync()
    admin.assign(c["engine"], c["polly"], team="north")
    result = bea.sync()
    assert result.snapshot and result.left == 0
    assert c["polly"] in _ids(bea.app, "pupil") and c["progress"] in _ids(bea.app, "progress_entry")


def test_the_console_script_takes_a_pupil_off_and_changes_a_user(caseload, server_url, capsys, monkeypatch):
    c = caseload
    monkeypatch.setenv("WAYMARK_SERVER_PASSWORD", PASSWORD)
    code = cli.main(["--database", server_url, "caseload", "remove", c["polly"], "--team", "north"])
    out, err = capsys.readouterr()
    assert code == 0 and "off team north's caseload" in out, err
    assert c["bea"].sync().left == 1
    code = cli.main(["--database", server_url, "caseload", "remove", c["polly"], "--team", "north"])
    err = capsys.readouterr().err
    assert code == 2 and "not on team north's caseload" in err and len(err.strip().splitlines()) == 1
    code = cli.main(["--database", server_url, "user", "change", "ann", "--role", "school"])
    err = capsys.readouterr().err
    assert code == 2 and "needs --school" in err
    code = cli.main(["--database", server_url, "user", "change", "ann", "--role", "school", "--school", h.URN_B])
    assert code == 0 and "Changed ann" in capsys.readouterr().out
    assert c["ann"].sync().left == 2  # Peter and Quinn (school A); Polly is at school B


def test_leaving_is_one_transaction_with_the_cursor(caseload):
    """A crash before the page is applied leaves both the records and the cursor as they were."""
    c = caseload
    bea = c["bea"]
    cursor = bea.port.cursor()
    admin.unassign(c["engine"], c["polly"], team="north")
    original = bea.port._save_clocks

    def crash(*args):
        raise RuntimeError("power cut")

    bea.port._save_clocks = crash
    with pytest.raises(RuntimeError):
        bea.sync()
    bea.port._save_clocks = original
    assert bea.port.cursor() == cursor and c["polly"] in _ids(bea.app, "pupil")
    assert bea.sync().left == 1 and c["polly"] not in _ids(bea.app, "pupil")


def test_contacts_added_here_for_a_pupil_who_left_are_kept_aside(caseload):
    c = caseload
    bea = c["bea"]
    admin.unassign(c["engine"], c["polly"], team="north")
    bea.app.add_contact(Contact(pupil_id=c["polly"], name="Polly's gran", phone="01234 567890"))
    bea.sync()
    kept = {r["entity"]: r for r in bea.port.rejected()}
    assert kept["contact"]["fields"]["name"] == "Polly's gran"
    # The day the change was set aside is recorded.
    assert all(str(r["at"])[:10] == date.today().isoformat() for r in bea.port.rejected())


def test_the_user_is_told_and_can_list_what_was_not_sent(caseload, capsys):
    import argparse
    import json

    from desktop.cli.args import Output
    from desktop.cli.commands import sync as sync_command

    c = caseload
    bea = c["bea"]
    entry = bea.app.store.get(ProgressEntry, c["progress"])
    entry.evidence = "Polly read two pages, with expression"
    with bea.app.store.transaction("bea") as tx:
        tx.update(entry)
    admin.unassign(c["engine"], c["polly"], team="north")
    result = bea.sync()
    words = sync_command.describe(result)
    assert "1 pupil no longer yours on the server" in words and "waymark sync --not-sent" in words
    [row] = bea.sync_service.not_sent()
    assert row["values"] == {"evidence": "Polly read two pages, with expression"}
    assert "Polly Ó Súilleabháin" in row["reason"]  # the record has gone: the reason says whose it was
    assert sync_command.sync(argparse.Namespace(not_sent=True), bea.app, Output(as_json=False)) == 0
    listed = capsys.readouterr().out
    assert "Polly read two pages" in listed and "not on your caseload" in listed
    assert sync_command.sync(argparse.Namespace(not_sent=True), bea.app, Output(as_json=True)) == 0
    assert json.loads(capsys.readouterr().out)[0]["values"]["evidence"].startswith("Polly read two pages")


def test_a_corrected_urn_moves_the_pupils_off_the_old_schools_laptop(caseload, make_device):
    from desktop.domain.records import School

    c = caseload
    ann = c["ann"]
    old = make_device("school_a", "school_a")
    old.sync()
    assert {c["peter"], c["quinn"]} == _ids(old.app, "pupil")
    school_id = ann.app.get_pupil(c["peter"]).base_school_id
    # Typed wrong at first: the school's pupils belong to another URN. Only the LA lead may
    # correct it (a worker's correction could give another worker's pupils to another school).
    school = ann.app.store.get(School, school_id)
    school.urn = "119299"
    with ann.app.store.transaction("ann") as tx:
        tx.update(school)
    assert "LA lead" in next(iter(ann.sync().refused.values()))
    assert old.sync().left == 0
    lead = make_device("lead", "lead")
    lead.sync()
    school = lead.app.store.get(School, school_id)
    school.urn = "119299"
    with lead.app.store.transaction("lead") as tx:
        tx.update(school)
    assert not lead.sync().refused
    assert old.sync().left == 2
    assert _ids(old.app, "pupil") == set()
