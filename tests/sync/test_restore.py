"""A server put back from a backup, marked with `waymark-server db restored`: every laptop
notices, even once the feed has grown back past its cursor, the same backup put back twice,
or a back-fill of a new table under way; and keeps and sends again its own work."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from desktop.domain.records import ProgressEntry
from desktop.store.sync_port import StoreSyncPort
from sync.client import Offline
from sync.protocol import Op, stamp_device
from sync.server import admin
from sync.server.tables import Feed, Record
from tests.sync import helpers as h
from tests.sync.conftest import add_user
from tests.sync.test_upgrade import _client


def _on_server(engine, entity_id: str):
    with engine.connect() as conn:
        return conn.execute(select(Record.data).where(Record.entity_id == entity_id)).scalar_one_or_none()


def _anns_two_laptops(engine, make_device):
    """ann's laptops a and c, each synced with her pupil Peter: (a, c, Peter's id)."""
    add_user(engine, "ann", "tutor")
    a, c = make_device("a", "ann"), make_device("c", "ann")
    peter = h.pupil(a.app, "Peter")
    a.sync()
    c.sync()
    return a, c, peter


def test_a_restore_marked_on_the_server_is_noticed_after_the_feed_grew_back_past_a_cursor(engine, make_device):
    """The backup is put back, and another laptop sends enough that the feed grows back past
    this laptop's cursor before it syncs: its cursor alone cannot tell. `waymark-server db
    restored` moves the feed to a new timeline, so it takes a fresh copy all the same: it
    receives what was written below its old cursor since, and sends again its work the
    backup lost."""
    a, c, peter = _anns_two_laptops(engine, make_device)
    backup = h.server_copy(engine)
    lost = h.progress(a.app, peter, evidence="after the backup: only copy")
    a.sync()
    a.sync()
    assert a.port.unsent() == 0
    h.restore(engine, backup)
    written = [h.progress(c.app, peter, evidence=f"after the restore {i}") for i in range(4)]
    assert c.sync().snapshot  # c's cursor is from before the restore too
    with engine.connect() as conn:
        last = conn.execute(select(Feed.last)).scalar_one()
    assert last > int(a.app.store.get_setting("sync_cursor").split(".")[0])  # grown back past a's cursor
    assert a.sync().snapshot
    assert {e.evidence for e in a.app.list_progress(peter)} >= {f"after the restore {i}" for i in range(4)}
    assert a.app.store.get(ProgressEntry, lost).evidence == "after the backup: only copy"
    assert a.port.unsent() > 0
    a.sync()
    c.sync()
    assert c.app.store.get(ProgressEntry, lost).evidence == "after the backup: only copy"
    assert all(c.app.store.get(ProgressEntry, e) is not None for e in written)


def test_the_same_backup_put_back_twice_is_noticed_the_second_time(engine, make_device):
    """The first restore went wrong and the same copy is put back again: the timeline is not
    counted on from the restored row, or it would be the one the laptops hold already."""
    a, c, peter = _anns_two_laptops(engine, make_device)
    backup = h.server_copy(engine)  # last night's copy (timeline 0)
    h.restore(engine, backup)  # first restore
    assert a.sync().snapshot and c.sync().snapshot
    a.sync()
    c.sync()
    between = h.progress(a.app, peter, evidence="written between the two restores")
    a.sync()
    a.sync()
    assert a.port.unsent() == 0
    h.restore(engine, backup)  # the first restore went wrong: the same copy is put back again
    written = [h.progress(c.app, peter, evidence=f"after the second restore {i}") for i in range(4)]
    c.sync()
    with engine.connect() as conn:
        last = conn.execute(select(Feed.last)).scalar_one()
    assert last >= int(a.app.store.get_setting("sync_cursor").split(".")[0])
    a.sync()  # should be a 410 "restored": the copy the server holds lacks what a sent
    a.sync()
    c.sync()
    with engine.connect() as conn:
        on_server = conn.execute(select(Record.entity_id).where(Record.entity_id == between)).first() is not None
    missed = [e for e in written if a.app.store.get(ProgressEntry, e) is None]
    assert (on_server, c.app.store.get(ProgressEntry, between) is not None, missed) == (True, True, [])


def test_an_edit_echoed_during_a_back_fill_survives_a_restore(engine, make_device):
    """A back-fill under way at the restore meets the 410 first: it must not apply the restored
    server's copies as an ordinary pull (they would write over an edit sent after the backup
    and already echoed back); the main pull takes the restore's snapshot."""
    add_user(engine, "ann", "tutor")
    a, b = make_device("a", "ann"), make_device("b", "ann")
    pupil_id = h.pupil(a.app)
    for i in range(5):
        h.progress(a.app, pupil_id, evidence=f"entry {i}")
    a.sync()
    with _client(b, StoreSyncPort(b.app.store, hidden=["progress_entry"])) as client:
        client.sync()  # b ran a version without progress entries
    b.net.drop(2, "response")  # upgraded: its back-fill is cut short after one page
    with pytest.raises(Offline), _client(b, page_size=2) as client:
        client.sync()
    backup = h.server_copy(engine)  # last night's copy
    entry = b.app.list_progress(pupil_id)[0].id  # one the back-fill brought
    h.edit_progress(b, entry, evidence="b's words, sent after the backup")
    with _client(b) as client:
        client.push()  # sent and answered (and the back-fill after it cut short again)
    for i in range(5, 8):
        h.progress(a.app, pupil_id, evidence=f"entry {i}")
    a.sync()  # more after b's edit in the feed

    def cut(stage: str, n: int) -> None:
        if n >= 4:  # the back-fill's page holding b's edit, echoed, is applied; then the signal goes
            raise ConnectionError("signal lost")

    with pytest.raises(ConnectionError), _client(b, page_size=2) as client:
        client.sync(progress=cut)  # the back-fill goes on, and brings b's edit back
    held = b.app.store.get_setting("sync_backfill")
    with b.app.store.reading() as conn:
        clocks = conn.exec_driver_sql("SELECT clocks FROM sync_state WHERE entity_id = ?", (entry,)).scalar_one()
    assert held and b.port.unsent() == 0
    assert stamp_device(json.loads(clocks)["evidence"]) == b.app.store.device  # the echo arrived
    h.restore(engine, backup)
    assert b.sync().snapshot
    b.sync()
    with engine.connect() as conn:
        on_server = conn.execute(select(Record.data).where(Record.entity_id == entry)).scalar_one()["evidence"]
    here = b.app.store.get(ProgressEntry, entry).evidence
    assert (here, on_server) == ("b's words, sent after the backup",) * 2


def test_a_record_sent_just_before_the_server_failed_reaches_the_restored_server(engine, make_device):
    """The server failed mid-sync: the push was applied and answered (out of the outbox), the pull
    that would echo it never came, and the server is put back from a backup taken before the
    push. The laptop keeps a trace of what it sent (sync_state), so the restore's snapshot sends
    it again."""
    add_user(engine, "ann", "tutor")
    a, b = make_device("a", "ann"), make_device("b", "ann")
    peter = h.pupil(a.app, "Peter")
    a.sync()
    a.sync()
    backup = h.server_copy(engine)  # last night's copy
    written = h.progress(a.app, peter, evidence="sent just before the server failed")
    with _client(a) as client:
        client.push()  # applied and answered; the pull after it found the server gone
    assert a.port.unsent() == 0
    h.restore(engine, backup)
    assert a.sync().snapshot
    a.sync()
    b.sync()
    assert a.app.store.get(ProgressEntry, written) is not None and a.port.unsent() == 0  # held, nothing to send
    assert _on_server(engine, written) is not None, "only laptop a holds the entry, and it will never send it again"
    assert b.app.store.get(ProgressEntry, written) is not None


def test_an_edit_sent_just_before_the_server_failed_is_not_written_over_by_the_restored_server(engine, make_device):
    add_user(engine, "ann", "tutor")
    a = make_device("a", "ann")
    entry = h.progress(a.app, h.pupil(a.app, "Peter"), evidence="old words")
    a.sync()
    a.sync()
    backup = h.server_copy(engine)
    h.edit_progress(a, entry, evidence="new words, sent just before the server failed")
    with _client(a) as client:
        client.push()
    assert a.port.unsent() == 0
    h.restore(engine, backup)
    assert a.sync().snapshot
    a.sync()
    assert (a.app.store.get(ProgressEntry, entry).evidence, _on_server(engine, entry)["evidence"]) == (
        "new words, sent just before the server failed",
    ) * 2


def test_a_record_the_restored_server_lacks_is_not_left_as_one_field_sent_by_another_laptop(engine, make_device):
    """Laptop a wrote an entry after the backup; c pulled it, and after the restore edits one
    field of it and sends that first: the server makes a record of that one field. a's snapshot
    then brings that record back, lacking the rest of what a wrote: a sends the rest again, so
    the server (and every other laptop) holds the whole entry, c's edit in it."""
    a, c, peter = _anns_two_laptops(engine, make_device)
    backup = h.server_copy(engine)
    entry = h.progress(a.app, peter, evidence="a's words")
    a.sync()
    a.sync()
    c.sync()
    whole = a.app.store.get(ProgressEntry, entry)
    h.restore(engine, backup)
    h.edit_progress(c, entry, evidence="c's edit, after the restore")
    assert c.sync().snapshot  # pushed its one field first, then noticed the restore
    assert set(_on_server(engine, entry)) == {"evidence"}  # the server holds one field of it
    assert a.sync().snapshot
    a.sync()
    c.sync()
    kept = _on_server(engine, entry)
    assert kept["evidence"] == "c's edit, after the restore"
    assert (kept.get("pupil_id"), kept.get("subject")) == (peter, whole.subject), (
        "the server keeps one field of a's entry"
    )
    for device in (a, c):
        held = device.app.store.get(ProgressEntry, entry)
        assert (held.pupil_id, held.subject, held.evidence) == (peter, whole.subject, "c's edit, after the restore")


def _school_part_of_anns_entry(engine, make_device):
    """ann wrote an entry after the backup and the school set its target; after the restore the
    school's laptop sends again only its own field (a school does not send a worker's words as
    its own), so the server holds a record of that one field, naming no pupil.
    (ann's laptop, the school's, the entry's id, its pupil)"""
    add_user(engine, "ann", "tutor")
    add_user(engine, "st-annes", "school", school_urn=h.URN_A)
    ann = make_device("ann", "ann")
    peter = h.pupil(ann.app, "Peter", h.URN_A)
    ann.sync()
    school = make_device("school", "st-annes")
    school.sync()
    backup = h.server_copy(engine)
    entry = h.progress(ann.app, peter, evidence="ann's words")
    ann.sync()
    school.sync()
    h.edit_progress(school, entry, "st-annes", target="Read a chapter a week")
    school.sync()
    ann.sync()
    assert ann.app.store.get(ProgressEntry, entry).target == "Read a chapter a week"
    h.restore(engine, backup)
    assert school.sync().snapshot
    school.sync()
    assert set(_on_server(engine, entry)) == {"target"}  # the school's one field, naming no pupil
    return ann, school, entry, peter


def test_a_record_a_school_sent_again_first_is_filled_in_by_the_worker_who_wrote_it(engine, make_device):
    """ann's laptop then sends the rest of the entry: it is taken (not refused as off her
    caseload), and both laptops end with the whole entry, the school's target in it."""
    ann, school, entry, peter = _school_part_of_anns_entry(engine, make_device)
    assert ann.sync().snapshot
    result = ann.sync()
    assert not result.refused, result.refused
    kept = _on_server(engine, entry)
    assert (kept.get("pupil_id"), kept.get("evidence"), kept["target"]) == (
        peter,
        "ann's words",
        "Read a chapter a week",
    )
    school.sync()
    for device in (ann, school):
        whole = device.app.store.get(ProgressEntry, entry)
        assert (whole.pupil_id, whole.evidence, whole.target) == (peter, "ann's words", "Read a chapter a week")


def test_a_record_a_worker_filled_in_is_theirs_and_not_the_schools_to_remove(engine, make_device, in_process):
    """Before: the part the school sent first left the school as the record's maker once ann's
    laptop had filled it in, and a school may remove what a school made: ann's whole entry."""
    ann, school, entry, peter = _school_part_of_anns_entry(engine, make_device)
    assert ann.sync().snapshot
    assert not ann.sync().refused
    gone = Op(op_id="gone", entity="progress_entry", entity_id=entry, clock=school.app.store.clock.now(),
              fields={"deleted": True})  # fmt: skip
    [answer] = h.push_as(school, in_process, [gone])
    assert answer["status"] == "refused" and "Schools can remove only what your school recorded" in answer["reason"]
    kept = _on_server(engine, entry)
    assert not kept.get("deleted") and (kept["pupil_id"], kept["evidence"]) == (peter, "ann's words")


def test_a_part_of_a_record_is_not_taken_by_a_worker_naming_a_pupil_its_writer_may_not_see(
    engine, make_device, in_process
):
    """Only a pupil the part's writer may see too: bob, whose pupil is at another school, cannot
    make the school's part his (and so read it), nor one naming a pupil off his caseload."""
    _ann, _school, entry, peter = _school_part_of_anns_entry(engine, make_device)
    add_user(engine, "bob", "tutor")
    bob = make_device("bob", "bob")
    zed = h.pupil(bob.app, "Zed", h.URN_B)
    bob.sync()
    clock = bob.app.store.clock.now()
    fields = {"subject": "English", "level": "Year 3", "assessed_on": "2026-11-01", "evidence": "bob's words"}
    answers = h.push_as(
        bob,
        in_process,
        [
            Op(op_id="his", entity="progress_entry", entity_id=entry, clock=clock, fields={**fields, "pupil_id": zed}),
            Op(
                op_id="anns",
                entity="progress_entry",
                entity_id=entry,
                clock=clock,
                fields={**fields, "pupil_id": peter},
            ),
        ],
    )
    assert [a["reason"] for a in answers if a["status"] == "refused"] == [
        "This record is not on your caseload.",
        "That pupil is not on your caseload.",
    ]
    assert _on_server(engine, entry) == {"target": "Read a chapter a week"}


def _queued(device) -> list[tuple[str, list[str]]]:
    outbox = device.app.store.tables["outbox"]
    with device.app.store.reading() as conn:
        rows = conn.execute(select(outbox.c.entity, outbox.c.fields)).all()
    return [(entity, sorted(json.loads(fields) if isinstance(fields, str) else fields)) for entity, fields in rows]


def test_a_school_laptop_sends_again_no_field_a_school_is_not_served(engine, make_device):
    """A school's new visit named every field, its place too (never served to a school, so never
    in its pulled copy): after a restore that lost nothing, nothing of it is sent again."""
    add_user(engine, "ann", "tutor")
    add_user(engine, "st-annes", "school", school_urn=h.URN_A)
    ann = make_device("ann", "ann")
    peter = h.pupil(ann.app, "Peter", h.URN_A)
    ann.sync()
    school = make_device("school", "st-annes")
    school.sync()
    h.visit(school.app, [peter], family="Read well together")
    school.sync()
    school.sync()
    admin.mark_restored(engine)  # put back from a backup made just now: the server lacks nothing
    assert school.sync().snapshot
    assert [entry for entry in _queued(school) if entry[0].startswith("visit")] == []


def test_after_a_role_narrowed_a_restore_sends_again_nothing_the_server_refuses(engine, make_device):
    """ann wrote a pupil's address as a tutor, then became a school user (her laptop blanked what a
    school is not sent). A restore then sends none of those fields again: they would be refused,
    and she would find changes she never made in Changes not sent."""
    add_user(engine, "ann", "tutor")
    ann = make_device("ann", "ann")
    peter = h.pupil(ann.app, "Peter", h.URN_A)
    ann.app.edit_pupil(peter, address="12 Hidden Lane", postcode="PR1 1AA")
    ann.sync()
    ann.sync()
    admin.change_user(engine, "ann", role="school", school_urn=h.URN_A)
    ann.sync()
    ann.sync()
    before = ann.port.rejected()
    admin.mark_restored(engine)
    assert ann.sync().snapshot
    result = ann.sync()
    assert (result.refused, ann.port.rejected()) == ({}, before)
