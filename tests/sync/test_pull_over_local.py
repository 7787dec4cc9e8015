"""What a pull does to what the laptop holds, where a review found words lost: an edit saved
while a sync runs on a record deleted elsewhere, records a fresh snapshot (410) does not
bring, "Keep mine" on a record deleted since, and one school added on two laptops."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select

from desktop.domain.records import ProgressEntry, Pupil, School
from sync.server import admin, db
from sync.server.tables import Record, RecordPupil
from tests.sync import helpers as h
from tests.sync.conftest import add_user
from tests.sync.test_faults import _client


def _delete(device, entry_id: str) -> None:
    with device.app.store.transaction("ann") as tx:
        tx.delete(ProgressEntry, entry_id)


def _entry_on_two_laptops(engine, make_device) -> tuple:
    """ann's two laptops, a and b, each holding a pupil and a progress entry a made: (a, b,
    pupil id, entry id)."""
    add_user(engine, "ann", "tutor")
    a, b = make_device("a", "ann"), make_device("b", "ann")
    pupil_id = h.pupil(a.app)
    entry_id = h.progress(a.app, pupil_id)
    a.sync()
    b.sync()
    return a, b, pupil_id, entry_id


def _two_leads(engine, make_device):
    """Two LA leads' laptops, ann's and carl's, each about to add St Anne's offline."""
    add_user(engine, "ann", "la-lead")
    add_user(engine, "carl", "la-lead")
    return make_device("ann", "ann"), make_device("carl", "carl")


def _add_st_annes(app, school_id: str, **details) -> None:
    """St Anne's (one URN), added on this laptop under an id of its own."""
    app.add_school(School(id=school_id, urn="119234", la_code="888", estab="9234", name="St Anne's", **details))


def _deleted_and_forgotten(engine, device, entry_id: str) -> None:
    """The entry deleted on `device` and sent; then the server forgets its tombstone."""
    _delete(device, entry_id)
    device.sync()
    admin.prune_tombstones(engine, older_than_days=-1)


def test_words_saved_mid_sync_on_a_record_deleted_elsewhere_are_kept_in_a_conflict(engine, make_device):
    a, b, _pupil_id, entry_id = _entry_on_two_laptops(engine, make_device)
    _delete(a, entry_id)
    a.sync()
    with _client(b) as client:
        client.push()  # B's sync has sent what it had...
        h.edit_progress(b, entry_id, evidence="Read two pages aloud, fluently")  # ...the teacher saves new words...
        client.pull()  # ...and then the pull brings A's delete
    # The words stay in view until they are sent (the delete does not hide them meanwhile).
    assert b.app.store.get(ProgressEntry, entry_id).evidence == "Read two pages aloud, fluently"
    b.sync()
    a.sync()
    for device in (a, b):
        texts = [c.other_value for c in device.sync_service.conflicts()]
        assert texts == ["Read two pages aloud, fluently"], device.app.store.device


def test_a_record_a_fresh_snapshot_does_not_bring_leaves_the_laptop(engine, make_device):
    """Deleted on the server and its tombstone since forgotten: after a 410 the laptop holds it no
    more (it would come back in the child's record, hours and reports); nothing is sent for it."""
    add_user(engine, "ann", "tutor")
    a, b = make_device("a", "ann"), make_device("b", "ann")
    pupil_id = h.pupil(a.app)
    h.progress(a.app, pupil_id, evidence="keep me")
    doomed = h.progress(a.app, pupil_id, evidence="entered in error")
    a.sync()
    b.sync()
    _delete(a, doomed)
    a.sync()
    assert admin.prune_tombstones(engine, older_than_days=-1) == 1
    with _client(b) as client:
        result = client.pull()
    assert result.snapshot
    assert [p.evidence for p in b.app.list_progress(pupil_id)] == ["keep me"]
    assert b.app.store.get(ProgressEntry, doomed) is None and b.port.unsent() == 0
    assert b.app.store.count("sync_sweep") == 0
    b.sync()
    a.sync()
    assert [p.evidence for p in a.app.list_progress(pupil_id)] == ["keep me"]


def test_a_snapshot_cut_short_removes_what_it_did_not_bring_once_it_ends(engine, make_device):
    add_user(engine, "ann", "tutor")
    a, b = make_device("a", "ann"), make_device("b", "ann")
    pupil_id = h.pupil(a.app)
    for n in range(5):
        h.progress(a.app, pupil_id, evidence=f"entry {n}")
    doomed = h.progress(a.app, pupil_id, evidence="entered in error")
    a.sync()
    b.sync()
    _deleted_and_forgotten(engine, a, doomed)
    pages = []

    def cut(stage: str, n: int) -> None:
        pages.append(n)
        if len(pages) == 2:
            raise ConnectionError("signal lost")

    with _client(b) as client, pytest.raises(ConnectionError):
        client.pull(progress=cut)
    assert b.app.store.get(ProgressEntry, doomed) is not None  # not yet: the snapshot is not complete
    assert b.app.store.count("sync_sweep") > 0
    b.sync()  # goes on from where it stood
    assert b.app.store.get(ProgressEntry, doomed) is None
    assert len(b.app.list_progress(pupil_id)) == 5


def test_logging_in_elsewhere_never_removes_what_another_server_did_not_bring(engine, make_device):
    """The list belongs to the feed it began on: a snapshot begun, then the laptop logged in to
    another server that never held its pupil; that server's first pull removes nothing."""
    add_user(engine, "ann", "tutor")
    b = make_device("b", "ann")
    pupil_id = h.pupil(b.app)
    b.sync()
    b.port.begin_snapshot()
    with db.writing(engine) as conn:  # "another server": one that has never held this pupil
        conn.execute(delete(RecordPupil))
        conn.execute(delete(Record))
    b.port.forget_cursor()  # what logging in to another server or user does
    assert b.app.store.count("sync_sweep") == 0
    b.sync()
    assert b.app.store.get(Pupil, pupil_id) is not None


def test_keep_mine_on_a_record_deleted_since_brings_it_back_with_the_words(engine, make_device):
    a, b, _pupil_id, entry_id = _entry_on_two_laptops(engine, make_device)
    h.edit_progress(a, entry_id, evidence="A's words")
    h.edit_progress(b, entry_id, evidence="B's words, typed at the visit")
    a.sync()
    b.sync()
    a.sync()
    [conflict] = b.sync_service.conflicts()
    _delete(a, entry_id)  # A tidies away the entry it thinks is wrong
    a.sync()
    b.sync()
    b.sync_service.resolve(conflict.id, "mine")
    b.sync()
    a.sync()
    for device in (a, b):
        kept = device.app.store.get(ProgressEntry, entry_id)
        assert kept is not None and kept.evidence == "B's words, typed at the visit", device.app.store.device


def test_details_typed_for_one_school_on_two_laptops_survive_the_merge(engine, make_device):
    """One school added offline on two laptops: the smaller id survives everywhere, with what
    either laptop typed about it (one copy's blanks do not overwrite the other's details)."""
    ann, carl = _two_leads(engine, make_device)

    _add_st_annes(carl.app, "00000000-0000-7000-8000-000000000001", contact_email="office@stannes.example")
    _add_st_annes(
        ann.app, "0fffffff-0000-7000-8000-000000000002", contact_name="Mrs Khan (SENCO)", contact_phone="01524 555 0101"
    )
    for device in (ann, carl, ann, carl):
        device.sync()
    for device in (ann, carl):
        [school] = device.app.list_schools()
        assert school.id == "00000000-0000-7000-8000-000000000001"
        assert (school.contact_name, school.contact_phone, school.contact_email) == (
            "Mrs Khan (SENCO)",
            "01524 555 0101",
            "office@stannes.example",
        ), device.app.store.device


def test_words_saved_during_a_snapshot_on_a_record_it_does_not_bring_are_kept_aside(engine, make_device):
    add_user(engine, "ann", "tutor")
    a, b = make_device("a", "ann"), make_device("b", "ann")
    pupil_id = h.pupil(a.app)
    doomed = h.progress(a.app, pupil_id, evidence="entered in error")
    a.sync()
    b.sync()
    _deleted_and_forgotten(engine, a, doomed)
    typed = []

    def typing(stage: str, n: int) -> None:
        if not typed:  # the teacher saves words on it while the snapshot comes in
            typed.append(True)
            h.edit_progress(b, doomed, evidence="Words typed while the snapshot came in")

    with _client(b) as client:
        assert client.pull(progress=typing).snapshot
    assert b.app.store.get(ProgressEntry, doomed) is None and b.port.unsent() == 0
    [kept] = b.port.rejected()
    assert kept["entity_id"] == doomed and "no longer holds this record" in kept["reason"]
    assert kept["fields"]["evidence"] == "Words typed while the snapshot came in"


def test_a_change_to_a_record_forgotten_on_the_server_is_refused_not_made_anew(engine, make_device):
    """A laptop away longer than the server keeps tombstones sends an edit to a record deleted
    meanwhile: the server refuses it with a reason (the words stay on the laptop, set aside),
    rather than making a new record of the edited field alone that every laptop would then
    bring back; a delete of it is simply done."""
    add_user(engine, "ann", "tutor")
    a, b = make_device("a", "ann"), make_device("b", "ann")
    pupil_id = h.pupil(a.app)
    doomed = h.progress(a.app, pupil_id, evidence="entered in error")
    also = h.progress(a.app, pupil_id, evidence="also deleted")
    a.sync()
    b.sync()
    _delete(a, doomed)
    _delete(a, also)
    a.sync()
    h.edit_progress(b, doomed, evidence="Edited on the laptop away")  # B is away: its edit waits
    _delete(b, also)
    assert admin.prune_tombstones(engine, older_than_days=-1) == 2
    result = b.sync()
    assert list(result.refused) and "deleted on the LA's server long ago" in next(iter(result.refused.values()))
    assert len(result.refused) == 1  # the delete went through
    [kept] = b.port.rejected()
    assert kept["entity_id"] == doomed and kept["fields"]["evidence"] == "Edited on the laptop away"
    a.sync()
    assert a.app.store.get(ProgressEntry, doomed) is None
    with engine.connect() as conn:
        assert conn.execute(select(Record.entity_id).where(Record.entity_id.in_([doomed, also]))).all() == []


def test_a_server_restored_from_a_backup_removes_nothing_from_the_laptop(engine, make_device):
    """The LA puts back last night's copy of its server: a laptop's cursor is beyond its feed
    (410, "restored"). Its fresh snapshot must not remove what the laptop sent since: here it
    may be the only copy left. (The restore: every row written since the copy, gone.)"""
    add_user(engine, "ann", "tutor")
    a = make_device("a", "ann")
    pupil_id = h.pupil(a.app)
    h.progress(a.app, pupil_id, evidence="before the backup")
    a.sync()
    backup = h.server_copy(engine)  # last night's copy
    today = h.progress(a.app, pupil_id, evidence="Today's visit: read two pages aloud")
    a.sync()
    a.sync()  # sent, answered and echoed: nothing left to send
    assert a.port.unsent() == 0
    h.put_back(engine, backup)
    assert a.sync().snapshot
    assert a.app.store.get(ProgressEntry, today).evidence == "Today's visit: read two pages aloud"
    assert a.app.store.count("sync_sweep") == 0
    assert a.port.unsent() > 0  # what the restored server lacks goes again ...
    a.sync()
    b = make_device("b", "ann")
    b.sync()  # ... and reaches the other laptops
    assert b.app.store.get(ProgressEntry, today).evidence == "Today's visit: read two pages aloud"


def test_an_edit_sent_after_the_backup_is_not_written_over_by_the_restored_server(engine, make_device):
    """The restored server holds a pupil as before the edit; the laptop's edit, sent and answered
    (out of the outbox, so its only copy), stays and is sent again."""
    add_user(engine, "ann", "tutor")
    a = make_device("a", "ann")
    pupil_id = h.pupil(a.app, "Peter")
    a.sync()
    backup = h.server_copy(engine)  # last night's copy
    a.app.edit_pupil(pupil_id, forename="Peter-John")
    a.sync()
    a.sync()
    assert a.port.unsent() == 0
    h.put_back(engine, backup)
    assert a.sync().snapshot
    assert a.app.store.get(Pupil, pupil_id).forename == "Peter-John"
    a.sync()
    b = make_device("b", "ann")
    b.sync()
    assert b.app.store.get(Pupil, pupil_id).forename == "Peter-John"


def test_a_detail_both_laptops_typed_differently_for_one_school_is_kept_aside_not_dropped(engine, make_device):
    ann, carl = _two_leads(engine, make_device)

    _add_st_annes(carl.app, "00000000-0000-7000-8000-000000000001", contact_name="Mr Jones (head)")
    _add_st_annes(ann.app, "0fffffff-0000-7000-8000-000000000002", contact_name="Mrs Khan (SENCO)")
    for device in (ann, carl, ann, carl):
        device.sync()
    assert {d.app.list_schools()[0].contact_name for d in (ann, carl)} == {"Mr Jones (head)"}  # one, everywhere
    [kept] = ann.port.rejected()  # the laptop whose copy was merged away keeps what it typed, with why
    assert kept["fields"] == {"contact_name": "Mrs Khan (SENCO)"} and "merged" in kept["reason"]
    assert kept["entity_id"] == "00000000-0000-7000-8000-000000000001"
    assert carl.port.rejected() == []


def test_after_a_restore_each_laptop_sends_again_only_its_own_work(engine, make_device):
    """A school's laptop holds a worker's entry written after the backup: it keeps it, but sends
    none of it (it would be refused, or sent as the school's); the worker's laptop sends it again,
    and the school has it from the server once more."""
    add_user(engine, "ann", "tutor")
    add_user(engine, "st-annes", "school", school_urn=h.URN_A)
    ann, school = make_device("ann", "ann"), make_device("school", "st-annes")
    pupil_id = h.pupil(ann.app, urn=h.URN_A)
    ann.sync()
    school.sync()
    backup = h.server_copy(engine)  # last night's copy
    entry = h.progress(ann.app, pupil_id, evidence="Written after the backup")
    ann.sync()
    school.sync()
    assert school.app.store.get(ProgressEntry, entry) is not None
    h.put_back(engine, backup)
    assert school.sync().snapshot
    assert school.app.store.get(ProgressEntry, entry).evidence == "Written after the backup"  # kept
    assert school.port.unsent() == 0 and school.port.rejected() == []  # and not sent as the school's
    assert ann.sync().snapshot and ann.port.unsent() > 0
    ann.sync()  # the worker's laptop sends its own work again
    school.sync()
    with engine.connect() as conn:
        assert conn.execute(select(Record.entity_id).where(Record.entity_id == entry)).first() is not None
    assert school.app.store.get(ProgressEntry, entry).evidence == "Written after the backup"


def test_words_sent_again_after_a_restore_raise_no_conflict(engine, make_device):
    """B's edit made after the backup goes again as a later edit of the restored words, not as a
    race with them: no conflict record that nobody made."""
    add_user(engine, "ann", "tutor")
    a, b = make_device("a", "ann"), make_device("b", "ann")
    entry = h.progress(a.app, h.pupil(a.app, "Peter"), evidence="old words")
    a.sync()
    b.sync()
    backup = h.server_copy(engine)
    h.edit_progress(b, entry, evidence="new words")
    b.sync()
    a.sync()
    h.put_back(engine, backup)
    assert b.sync().snapshot
    b.sync()
    a.sync()
    a.sync()
    assert a.app.store.get(ProgressEntry, entry).evidence == "new words"
    with engine.connect() as conn:
        assert conn.execute(select(Record.entity_id).where(Record.entity == "sync_conflict")).all() == []


def test_a_restore_snapshot_cut_short_stays_one_through_a_410_for_another_reason(engine, make_device, monkeypatch):
    """A restore's snapshot is cut short; the LA then re-does an assignment the restore lost, so the
    next pull is a 410 for a changed scope. It goes on as a restore's: the work only this laptop
    holds is not swept away."""
    add_user(engine, "ann", "tutor")
    add_user(engine, "bob", "tutor")
    a, bob = make_device("a", "ann"), make_device("bob", "bob")
    peter = h.pupil(a.app, "Peter")
    for i in range(4):
        h.progress(a.app, peter, evidence=f"before {i}")
    a.sync()
    backup = h.server_copy(engine)
    today = h.progress(a.app, peter, evidence="after the backup: only copy")
    a.sync()
    paul = h.pupil(bob.app, "Paul")
    bob.sync()
    h.put_back(engine, backup)
    pages = []

    def cut(stage: str, n: int) -> None:
        pages.append(n)
        if stage == "pull" and len(pages) == 1:
            raise ConnectionError("signal lost")

    with _client(a) as client, pytest.raises(ConnectionError):
        client.sync(progress=cut)
    assert a.app.store.get_setting("sync_restoring") and a.app.store.count("sync_sweep")
    bob.sync()  # Paul goes back to the server
    admin.assign(engine, paul, user="ann")  # the scope changes: a's next pull is a 410 "scope"
    assert a.sync().snapshot
    assert a.app.store.get(ProgressEntry, today).evidence == "after the backup: only copy"
    a.sync()
    with engine.connect() as conn:
        assert conn.execute(select(Record.entity_id).where(Record.entity_id == today)).first() is not None
