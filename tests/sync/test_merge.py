"""Two or three desktops syncing through one server (in-process), on SQLite and
on PostgreSQL: merges, conflicts, deletes, replays, clocks."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlalchemy import func, select

from desktop.domain.records import ProgressEntry, Pupil, SyncConflict
from sync.protocol import PROTOCOL_HEADER, Op, PushRequest
from sync.server.tables import Record
from tests.sync import helpers as h
from tests.sync.conftest import SERVER, add_user


@pytest.fixture
def pair(engine, make_device):
    """Ann on two laptops, both holding one pupil."""
    add_user(engine, "ann", "tutor")
    a, b = make_device("a", "ann"), make_device("b", "ann")
    pupil_id = h.pupil(a.app)
    a.sync()
    b.sync()
    return a, b, pupil_id


def server_records(engine, entity: str | None = None) -> int:
    with engine.connect() as conn:
        stmt = select(func.count()).select_from(Record)
        if entity:
            stmt = stmt.where(Record.entity == entity)
        return conn.execute(stmt).scalar_one()


def test_a_pupil_made_on_one_laptop_reaches_the_other_and_nothing_is_sent_back(pair):
    a, b, pupil_id = pair
    assert b.app.get_pupil(pupil_id).surname == "Ó Súilleabháin"
    assert a.port.unsent() == b.port.unsent() == 0
    again = b.sync()
    assert (again.pushed, again.pulled) == (0, 0)


def test_disjoint_edits_to_one_record_merge_field_by_field(pair):
    a, b, pupil_id = pair
    a.app.edit_pupil(pupil_id, medical_needs="Asthma: inhaler in bag")
    b.app.edit_pupil(pupil_id, address="Plot 4, Lancaster Road transit site", postcode="LA1 1AA")
    a.sync()
    b.sync()
    a.sync()
    for device in (a, b):
        got = device.app.get_pupil(pupil_id)
        assert got.medical_needs == "Asthma: inhaler in bag"
        assert (got.address, got.postcode) == ("Plot 4, Lancaster Road transit site", "LA1 1AA")
        assert device.sync_service.conflicts() == []
    assert h.dump(a.app) == h.dump(b.app)


def test_the_same_free_text_edited_on_two_laptops_keeps_both_texts_as_a_conflict(pair):
    a, b, pupil_id = pair
    visit_id = h.visit(a.app, [pupil_id], work="Phonics")
    a.sync()
    b.sync()

    def edit(device, text: str) -> None:
        visit = device.app.get_visit(visit_id)
        visit.entries[0].work_covered = text
        device.app.edit_visit(visit)

    entry_id = a.app.get_visit(visit_id).entries[0].id
    edit(a, "Phonics phase 3 and reading journal")
    edit(b, "Number bonds to 20")
    first = a.sync()
    second = b.sync()
    assert first.conflicts == 0 and second.conflicts == 1
    a.sync()
    texts = {d.app.get_visit(visit_id).entries[0].work_covered for d in (a, b)}
    assert len(texts) == 1  # both replicas hold the winner
    for device in (a, b):
        [conflict] = device.sync_service.conflicts()
        assert (conflict.entity, conflict.entity_id, conflict.field) == ("visit_entry", entry_id, "work_covered")
        assert {conflict.kept_value, conflict.other_value} == {
            "Phonics phase 3 and reading journal",
            "Number bonds to 20",
        }
        assert conflict.kept_value in texts
    # Resolved on one laptop with a merge of both: the record and the conflict settle everywhere.
    [conflict] = b.sync_service.conflicts()
    b.sync_service.resolve(conflict.id, "Phonics phase 3 and reading journal; number bonds to 20")
    b.sync()
    a.sync()
    for device in (a, b):
        assert (
            device.app.get_visit(visit_id).entries[0].work_covered
            == "Phonics phase 3 and reading journal; number bonds to 20"
        )
        assert device.sync_service.conflicts() == []
        assert device.sync_service.conflicts(include_resolved=True)[0].resolution == "merged"
    assert h.dump(a.app) == h.dump(b.app)


def test_keep_mine_and_keep_theirs(engine, make_device):
    add_user(engine, "ann", "tutor", team="north")
    add_user(engine, "bea", "tutor", team="north")
    a = make_device("a", "ann")
    pupil_id = h.pupil(a.app)
    entry_id = h.progress(a.app, pupil_id, evidence="first words")
    a.sync()
    from sync.server import admin

    admin.assign(engine, pupil_id, team="north")
    b = make_device("b", "bea")
    b.sync()

    def evidence(device, text):
        entry = device.app.list_progress(pupil_id)[0]
        with device.app.store.transaction("t") as tx:
            entry.evidence = text
            tx.update(entry)

    evidence(a, "Ann's words")
    evidence(b, "Bea's words")
    a.sync()
    b.sync()
    a.sync()
    [on_a] = a.sync_service.conflicts()
    mine, theirs = a.sync_service.mine_and_theirs(on_a)
    assert (mine, theirs) == ("Ann's words", "Bea's words")
    [on_b] = b.sync_service.conflicts()
    assert b.sync_service.mine_and_theirs(on_b) == ("Bea's words", "Ann's words")
    a.sync_service.resolve(on_a.id, " Theirs ")  # as typed at a prompt: a choice, not the merged text
    a.sync()
    b.sync()
    for device in (a, b):
        assert device.app.store.get(ProgressEntry, entry_id).evidence == "Bea's words"
        assert device.sync_service.conflicts() == []


def test_delete_against_edit_keeps_the_record_deleted_and_the_words_in_a_conflict(pair):
    a, b, pupil_id = pair
    entry_id = h.progress(a.app, pupil_id)
    a.sync()
    b.sync()
    with a.app.store.transaction("ann") as tx:
        tx.delete(ProgressEntry, entry_id)
    entry = b.app.store.get(ProgressEntry, entry_id)
    entry.evidence = "Read two pages aloud, fluently"
    with b.app.store.transaction("ann") as tx:
        tx.update(entry)
    a.sync()
    b.sync()
    a.sync()
    for device in (a, b):
        assert device.app.store.get(ProgressEntry, entry_id) is None  # the delete stands...
        [conflict] = device.sync_service.conflicts()
        assert (conflict.kind, conflict.other_value) == (
            "deleted",
            "Read two pages aloud, fluently",
        )  # ...the words too
    # Keeping the words brings the record back, everywhere.
    b.sync_service.resolve(b.sync_service.conflicts()[0].id, "mine")
    b.sync()
    a.sync()
    for device in (a, b):
        assert device.app.store.get(ProgressEntry, entry_id).evidence == "Read two pages aloud, fluently"
    assert h.dump(a.app) == h.dump(b.app)


def test_an_edit_then_a_delete_that_never_saw_it_keeps_the_edit_in_a_conflict(pair):
    a, b, pupil_id = pair
    entry_id = h.progress(a.app, pupil_id)
    a.sync()
    b.sync()
    entry = a.app.store.get(ProgressEntry, entry_id)
    entry.evidence = "Edited on A"
    with a.app.store.transaction("ann") as tx:
        tx.update(entry)
    a.sync()
    with b.app.store.transaction("ann") as tx:
        tx.delete(ProgressEntry, entry_id)
    b.sync()
    a.sync()
    for device in (a, b):
        assert device.app.store.get(ProgressEntry, entry_id) is None
        [conflict] = device.sync_service.conflicts()
        assert (conflict.kind, conflict.field, conflict.other_value) == ("deleted", "evidence", "Edited on A")


def test_a_replayed_push_changes_nothing(pair, in_process):
    a, _b, pupil_id = pair
    a.app.edit_pupil(pupil_id, medical_needs="Epilepsy")
    ops = a.port.pending(100)
    token = a.app.store.get_setting("sync_account")["token"]
    headers = {PROTOCOL_HEADER: "1", "Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    body = PushRequest(ops=ops).model_dump_json()
    with httpx.Client(transport=in_process, base_url=SERVER) as http:
        first = http.post("/v1/push", content=body, headers=headers).json()
        with a.app.store.reading():
            pass
        count, feed = server_records(a_engine := in_process._inner.app.state.engine), _feed(a_engine)
        again = http.post("/v1/push", content=body, headers=headers).json()
    assert [r["status"] for r in first["results"]] == ["applied"] * len(ops)
    assert [r["status"] for r in again["results"]] == ["duplicate"] * len(ops)
    assert (server_records(a_engine), _feed(a_engine)) == (count, feed)  # no row, no sequence number
    a.sync()
    assert a.port.unsent() == 0
    assert a.app.get_pupil(pupil_id).medical_needs == "Epilepsy"


def _feed(engine) -> int:
    from sync.server.tables import Feed

    with engine.connect() as conn:
        return conn.execute(select(Feed.last)).scalar_one()


def test_a_laptop_a_day_fast_cannot_win_every_merge(pair):
    a, b, pupil_id = pair
    a.app.store.clock = h.SkewedClock(a.app.store.device, timedelta(days=1))
    a.app.edit_pupil(pupil_id, preferred_forename="Shaun")  # stamped tomorrow
    a.sync()  # the server clamps it to now
    b.app.edit_pupil(pupil_id, preferred_forename="Seánie")  # later in real time, never saw A's
    b.sync()
    a.sync()
    assert a.app.get_pupil(pupil_id).preferred_forename == b.app.get_pupil(pupil_id).preferred_forename == "Seánie"


def test_a_laptop_a_day_slow_still_wins_when_it_edits_what_it_has_seen(pair):
    a, b, pupil_id = pair
    b.app.store.clock = h.SkewedClock(b.app.store.device, timedelta(days=-1))
    a.app.edit_pupil(pupil_id, preferred_forename="Shaun")
    a.sync()
    b.sync()  # B sees Shaun...
    b.app.edit_pupil(pupil_id, preferred_forename="Seánie")  # ...then changes it, stamped yesterday
    b.sync()
    a.sync()
    assert a.app.get_pupil(pupil_id).preferred_forename == b.app.get_pupil(pupil_id).preferred_forename == "Seánie"


def test_a_slow_laptop_that_edits_concurrently_loses_the_merge_but_not_its_words(pair):
    a, b, pupil_id = pair
    b.app.store.clock = h.SkewedClock(b.app.store.device, timedelta(days=-1))
    b.app.edit_pupil(pupil_id, medical_needs="Slow laptop's note")
    a.app.edit_pupil(pupil_id, medical_needs="Fast laptop's note")
    a.sync()
    b.sync()
    a.sync()
    for device in (a, b):
        assert device.app.get_pupil(pupil_id).medical_needs == "Fast laptop's note"
        [conflict] = device.sync_service.conflicts()
        assert conflict.other_value == "Slow laptop's note"


def test_pulled_records_are_never_queued_to_be_sent_back(pair):
    a, b, pupil_id = pair
    for i in range(5):
        h.progress(a.app, pupil_id, evidence=f"entry {i}")
    a.sync()
    result = b.sync()
    assert result.pulled >= 5
    assert b.port.unsent() == 0
    assert len(b.app.list_progress(pupil_id)) == 5


def test_an_unsent_local_change_is_not_overwritten_by_a_pull(pair):
    a, b, pupil_id = pair
    a.app.edit_pupil(pupil_id, medical_needs="From A")
    a.sync()
    b.app.edit_pupil(pupil_id, medical_needs="From B")
    with b.sync_service._client(b.app.store.get_setting("sync_account")) as client:
        client.pull()  # a pull alone, with B's change still unsent
    assert b.app.get_pupil(pupil_id).medical_needs == "From B"
    assert b.port.unsent() == 1


def test_a_pupil_record_deleted_on_one_laptop_is_a_tombstone_on_the_other(pair):
    a, b, pupil_id = pair
    entry_id = h.progress(a.app, pupil_id)
    a.sync()
    b.sync()
    with a.app.store.transaction("ann") as tx:
        tx.delete(ProgressEntry, entry_id)
    a.sync()
    b.sync()
    assert b.app.store.get(ProgressEntry, entry_id) is None
    with b.app.store.reading() as conn:
        table = b.app.store.tables["progress_entry"]
        assert conn.execute(select(table.c.deleted).where(table.c.id == entry_id)).scalar_one() is True


def test_siblings_seen_together_arrive_as_one_visit(pair):
    a, b, pupil_id = pair
    sister = h.pupil(a.app, forename="Mary")
    visit_id = h.visit(a.app, [pupil_id, sister], professional="Dad mentioned moving on", family="Lovely reading")
    a.sync()
    b.sync()
    got = b.app.get_visit(visit_id)
    assert sorted(got.pupil_ids) == sorted([pupil_id, sister])
    assert sorted(n.text for n in got.notes) == ["Dad mentioned moving on", "Lovely reading"]
    assert b.app.store.find(Pupil, id=sister)
    from desktop.store import queries

    assert queries.last_visit_dates(b.app.store)[sister] == got.date  # the link's derived date is made locally
    assert h.dump(a.app) == h.dump(b.app)
    assert not b.app.store.find(SyncConflict)


def test_ops_carry_the_outbox_entry_ids_and_each_field_once(pair):
    a, _b, pupil_id = pair
    a.app.edit_pupil(pupil_id, medical_needs="one")
    a.app.edit_pupil(pupil_id, medical_needs="two", address="Somewhere")
    ops: list[Op] = a.port.pending(10)
    assert len(ops) == 2
    assert ops[0].fields == {}  # its field went again later: sent once, with the newest value
    assert ops[1].fields == {"medical_needs": "two", "address": "Somewhere"}
    assert ops[0].clock < ops[1].clock
    assert "medical_needs" in ops[1].base  # what this laptop had seen from the server


def test_one_school_added_offline_on_two_laptops_ends_as_one_school_everywhere(engine, make_device):
    add_user(engine, "ann", "tutor")
    add_user(engine, "carl", "tutor")
    ann, carl = make_device("ann", "ann"), make_device("carl", "carl")
    peter = h.pupil(ann.app, "Peter")  # each adds school 119234 with its own id
    quinn = h.pupil(carl.app, "Quinn")
    survivor = min(h.school(ann.app), h.school(carl.app))
    for device in (ann, carl, ann, carl):
        device.sync()
    for device in (ann, carl):
        assert [s.id for s in device.app.list_schools()] == [survivor]
        assert device.port.rejected() == []
    assert ann.app.get_pupil(peter).base_school_id == survivor
    assert carl.app.get_pupil(quinn).base_school_id == survivor
    with engine.connect() as conn:
        live = conn.execute(select(Record.entity_id).where(Record.entity == "school", Record.deleted.is_(False))).all()
    assert [row[0] for row in live] == [survivor]  # the duplicate is a tombstone on the server


def test_a_laptop_may_resolve_a_conflict_but_not_rewrite_or_make_one(pair, in_process):
    """A conflict record is the server's account of words that lost a merge: a device sends
    only its answer (resolved, resolution); rewriting what was lost, or sending a conflict of
    its own, is refused with a reason and changes nothing."""
    a, b, pupil_id = pair
    a.app.edit_pupil(pupil_id, medical_needs="Asthma")
    b.app.edit_pupil(pupil_id, medical_needs="Asthma; inhaler in bag")
    a.sync()
    assert b.sync().conflicts == 1
    [conflict] = b.sync_service.conflicts()
    clock = b.app.store.clock.now()

    def push(op_id: str, entity_id: str, fields: dict) -> dict:
        op = Op(op_id=op_id, entity="sync_conflict", entity_id=entity_id, clock=clock, fields=fields)
        return h.push_as(b, in_process, [op])[0]

    rewrite = push("x1", conflict.id, {"other_value": "Nothing was lost", "resolved": True})
    assert rewrite["status"] == "refused" and "not rewritten (other_value)" in rewrite["reason"]
    forged = push("x2", "made-up", {"entity": "pupil", "entity_id": pupil_id, "field": "medical_needs"})
    assert forged["status"] == "refused" and "made by the LA's server" in forged["reason"]
    odd = push("x3", conflict.id, {"resolved": True, "resolution": "Nothing was lost"})
    assert odd["status"] == "refused" and "mine, theirs or merged" in odd["reason"]
    assert server_records(in_process._inner.app.state.engine, "sync_conflict") == 1
    a.sync()
    [held] = a.sync_service.conflicts()
    assert (held.other_value, held.resolved) == (conflict.other_value, False)  # as the server wrote it

    b.sync_service.resolve(conflict.id, "Asthma; inhaler in bag")  # the answer itself goes
    assert not b.sync().refused
    a.sync()
    assert a.sync_service.conflicts() == [] and a.app.get_pupil(pupil_id).medical_needs == "Asthma; inhaler in bag"
