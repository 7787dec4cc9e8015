"""A withdrawal goes only to a device that may hold the row: one that pulled while the
row was open to its role (it first pulled before the row was withdrawn), or one whose
user made the row. A new school laptop pulling from nothing is not told the ids (nor
the stamps) of professional-only notes withdrawn before then: they were never its to
hold (Device.first_pull_seq, migration 0008). On SQLite and PostgreSQL."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import inspect, select

from desktop.domain.enums import Visibility
from desktop.domain.records import Pupil
from desktop.services.sync import PULLED_FROM
from sync.server import feed
from sync.server.tables import Device
from tests.sync import helpers as h
from tests.sync.conftest import add_user
from tests.sync.test_withdrawn import _ann_with_a_note, _note_row, _set_note, http_for


def _first_pull(device, in_process, fresh: bool = True) -> list[dict]:
    """Every change the device's first pull from nothing is sent, page after page, over plain HTTP,
    saying (as a new profile's laptop does) that it holds nothing from the server yet."""
    changes, cursor = [], ""
    with http_for(device, in_process) as http:
        while True:
            params = {"cursor": cursor, "limit": 2} | ({"fresh": "true"} if fresh and not cursor else {})
            page = http.get("/v1/pull", params=params).json()
            changes += page["changes"]
            cursor = page["cursor"]
            if not page["more"]:
                return changes


def _about(changes: list[dict], record_id: str) -> list[dict]:
    return [c for c in changes if c["entity_id"] == record_id or record_id in json.dumps(c)]


@pytest.mark.parametrize("far", [False, True], ids=["in feed order", "by pupil"])
def test_a_new_school_laptop_is_not_told_of_a_note_withdrawn_before_its_first_pull(
    engine, make_device, in_process, monkeypatch, far
):
    if far:  # every pull finds the user's rows by pupil, as a long first pull does (feed.SHORT_SPAN)
        monkeypatch.setattr(feed, "SHORT_SPAN", 0)
    ann, visit, note = _ann_with_a_note(engine, make_device, family="Lovely reading")
    old = make_device("school", "st-annes")
    old.sync()
    assert _note_row(old, note) == ("Lovely reading", False)
    _set_note(ann, visit, note, Visibility.PROFESSIONAL, "Lovely reading; dad drinking again")
    ann.sync()

    new = make_device("school2", "st-annes")
    first = _first_pull(new, in_process)
    assert [c["entity"] for c in first if c["entity"] == "visit"]  # it is sent the visit ...
    assert _about(first, note) == []  # ... and not even the id of the note withdrawn before
    new.sync()
    assert _note_row(new, note) is None
    # The laptop that held it still loses its words.
    old.sync()
    words, deleted = _note_row(old, note)
    assert deleted and not words
    assert "Lovely" not in json.dumps(h.dump(old.app))
    # Later writes to it are not sent to the new laptop either.
    _set_note(ann, visit, note, Visibility.PROFESSIONAL, "Dad drinking again; moving on")
    ann.sync()
    cursor = new.app.store.get_setting("sync_cursor")
    with http_for(new, in_process) as http:
        assert _about(http.get("/v1/pull", params={"cursor": cursor}).json()["changes"], note) == []


def test_a_laptop_that_held_it_is_told_after_a_fresh_snapshot_and_after_logging_in_again(
    engine, make_device, in_process
):
    """A 410 snapshot of a laptop that pulled the note open, and a profile logged in again (a new
    device, its cursor kept), still get the withdrawal; a laptop new since does not."""
    ann, visit, note = _ann_with_a_note(engine, make_device, family="Lovely reading")
    held = make_device("school", "st-annes")
    held.sync()
    again = make_device("school-again", "st-annes")
    again.sync()
    assert _note_row(held, note) == _note_row(again, note) == ("Lovely reading", False)
    again.sync_service.logout()
    _set_note(ann, visit, note, Visibility.PROFESSIONAL, "Lovely reading; dad drinking again")
    ann.sync()
    # A pupil with a history moving to the school moves its scope on: its laptops' next pull is a 410.
    mary = h.pupil(ann.app, "Mary", h.URN_B)
    ann.sync()
    ann.app.edit_pupil(mary, base_school_id=h.school(ann.app, h.URN_A))
    ann.sync()

    with http_for(held, in_process) as http:
        cursor = held.app.store.get_setting("sync_cursor")
        assert http.get("/v1/pull", params={"cursor": cursor}).status_code == 410
        snapshot = _about(http.get("/v1/pull", params={"cursor": ""}).json()["changes"], note)
    assert [(c["deleted"], set(c["fields"].values()), list(c["clocks"])) for c in snapshot] == [
        (True, {None}, ["deleted"])
    ]
    result = held.sync()
    assert result.snapshot
    words, deleted = _note_row(held, note)
    assert deleted and not words

    again.login("st-annes")  # a new device for the profile, which keeps its cursor
    assert again.sync().snapshot  # its first pull, with that cursor, is a 410: then from nothing
    words, deleted = _note_row(again, note)
    assert deleted and not words
    assert "Lovely" not in json.dumps(h.dump(again.app))

    new = make_device("school-new", "st-annes")
    assert _about(_first_pull(new, in_process), note) == []


def test_a_school_users_own_note_made_professional_is_withdrawn_even_on_its_new_laptop(engine, make_device, in_process):
    add_user(engine, "ann", "tutor")
    add_user(engine, "st-annes", "school", school_urn=h.URN_A)
    add_user(engine, "st-annes-office", "school", school_urn=h.URN_A)
    ann = make_device("ann", "ann")
    peter = h.pupil(ann.app, "Peter", h.URN_A)
    ann.sync()
    school = make_device("school", "st-annes")
    school.sync()
    visit = h.visit(school.app, [peter], family="Read with his sister")
    note = next(n.id for n in school.app.get_visit(visit).notes)
    result = school.sync()
    assert result.pushed and not result.refused  # the school's own visit and note, taken
    ann.sync()
    assert _note_row(ann, note) == ("Read with his sister", False)
    _set_note(ann, visit, note, Visibility.PROFESSIONAL, "Read with his sister; mum unwell")
    ann.sync()

    mine = make_device("school-2", "st-annes")  # the same user's new laptop: its note is withdrawn
    [told] = _about(_first_pull(mine, in_process), note)
    assert told["deleted"] and set(told["fields"].values()) == {None} and list(told["clocks"]) == ["deleted"]
    office = make_device("office", "st-annes-office")  # another user of the school's: never told
    assert _about(_first_pull(office, in_process), note) == []
    school.sync()
    words, deleted = _note_row(school, note)
    assert deleted and not words


def test_a_note_made_open_again_is_sent_again_and_withdrawn_again(engine, make_device, in_process):
    ann, visit, note = _ann_with_a_note(engine, make_device, family="Lovely reading")
    _set_note(ann, visit, note, Visibility.PROFESSIONAL, "Lovely reading; dad drinking again")
    ann.sync()
    school = make_device("school", "st-annes")
    assert _about(_first_pull(school, in_process), note) == []
    school.sync()
    assert _note_row(school, note) is None

    _set_note(ann, visit, note, Visibility.FAMILY, "Lovely reading at the weekend")
    ann.sync()
    school.sync()
    assert _note_row(school, note) == ("Lovely reading at the weekend", False)  # open again: sent

    _set_note(ann, visit, note, Visibility.PROFESSIONAL, "Dad drinking again")
    ann.sync()
    school.sync()  # it held it this time: told
    words, deleted = _note_row(school, note)
    assert deleted and not words


def test_migration_0008_keeps_every_withdrawal_owed_to_devices_already_there(engine, make_device, in_process):
    """A server at 0007 with devices (one that pulled the note open, one logged in and never
    pulled): after the upgrade both may hold anything (first_pull_seq 0), so both are told of a
    note withdrawn before; a device new since is not."""
    from alembic import command

    from sync.server import db

    ann, visit, note = _ann_with_a_note(engine, make_device, family="Lovely reading")
    held = make_device("school", "st-annes")
    held.sync()
    waiting = make_device("school-waiting", "st-annes")  # logged in, not pulled yet
    _set_note(ann, visit, note, Visibility.PROFESSIONAL, "Lovely reading; dad drinking again")
    ann.sync()
    config = db.alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0007")
    with engine.connect() as conn:
        assert "first_pull_seq" not in {c["name"] for c in inspect(conn).get_columns("devices")}
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")

    ids = {d: d.app.store.get_setting("sync_account")["device_id"] for d in (ann, held, waiting)}
    with engine.connect() as conn:
        upgraded = dict(conn.execute(select(Device.id, Device.first_pull_seq)).all())
    assert upgraded == dict.fromkeys(ids.values(), 0)  # may hold anything, as before
    [told] = _about(_first_pull(waiting, in_process), note)
    assert told["deleted"] and set(told["fields"].values()) == {None}
    held.sync()
    words, deleted = _note_row(held, note)
    assert deleted and not words
    new = make_device("school-new", "st-annes")
    assert _about(_first_pull(new, in_process), note) == []
    with engine.connect() as conn:
        after = dict(conn.execute(select(Device.id, Device.first_pull_seq)).all())
    new_id = new.app.store.get_setting("sync_account")["device_id"]
    assert {k: v for k, v in after.items() if k != new_id} == upgraded
    assert after[new_id] > 0


def test_a_profile_logged_in_again_is_told_even_when_its_first_request_is_a_back_fill(engine, make_device):
    """A profile that held the note open, logged in again (a new device, its cursor kept) and
    upgraded, so its first request is a back-fill of a new table from nothing: it says it holds
    something, so the note's withdrawal still comes."""
    from desktop.store.sync_port import StoreSyncPort
    from sync.client import SyncClient
    from tests.sync.conftest import SERVER

    ann, visit, note = _ann_with_a_note(engine, make_device, family="Lovely reading")
    school = make_device("school", "st-annes")
    older = StoreSyncPort(school.app.store, hidden=["progress_entry"])  # an older client
    account = school.app.store.get_setting("sync_account")
    with SyncClient(older, SERVER, account["token"], transport=school.net) as client:
        client.sync()
    assert _note_row(school, note) == ("Lovely reading", False)
    school.sync_service.logout()
    _set_note(ann, visit, note, Visibility.PROFESSIONAL, "Lovely reading; dad drinking again")
    ann.sync()
    school.login("st-annes")
    assert not school.sync().snapshot  # today's client: the back-fill first (from nothing), then the pull
    words, deleted = _note_row(school, note)
    assert deleted and not words


def test_a_profile_logged_in_as_another_user_is_told_what_was_withdrawn_before(engine, make_device):
    """Another user of the same school on the same laptop (its cursor forgotten, its records
    kept): it holds something from the server, so a note withdrawn before is withdrawn here.
    Waymark now refuses that log-in (test_login_as_another.py), but a profile that made the
    switch in an older version holds both users' records: set up here by forgetting who the
    profile synced as, which lets the log-in through."""
    ann, visit, note = _ann_with_a_note(engine, make_device, family="Lovely reading")
    add_user(engine, "st-annes-office", "school", school_urn=h.URN_A)
    school = make_device("school", "st-annes")
    school.sync()
    assert _note_row(school, note) == ("Lovely reading", False)
    school.sync_service.logout()
    school.app.store.set_setting(PULLED_FROM, None)
    school.port.forget_cursor()  # as that log-in did: another user's feed starts from the beginning
    _set_note(ann, visit, note, Visibility.PROFESSIONAL, "Lovely reading; dad drinking again")
    ann.sync()
    school.login("st-annes-office")
    school.sync()
    words, deleted = _note_row(school, note)
    assert deleted and not words


def test_a_new_laptop_is_not_told_of_pupils_who_left_before_its_first_pull(engine, make_device, in_process):
    add_user(engine, "ann", "tutor")
    add_user(engine, "st-annes", "school", school_urn=h.URN_A)
    ann = make_device("ann", "ann")
    peter = h.pupil(ann.app, "Peter", h.URN_A)
    h.pupil(ann.app, "Bea", h.URN_B)
    ann.sync()
    old = make_device("school", "st-annes")
    old.sync()
    ann.app.edit_pupil(peter, base_school_id=h.school(ann.app, h.URN_B))
    ann.sync()
    new = make_device("school-new", "st-annes")
    with http_for(new, in_process) as http:
        assert peter not in http.get("/v1/pull", params={"cursor": "", "fresh": "true"}).json()["left"]
    old_cursor = old.app.store.get_setting("sync_cursor")
    with http_for(old, in_process) as http:  # the laptop that held him is told
        assert peter in http.get("/v1/pull", params={"cursor": old_cursor}).json()["left"]


def test_a_profile_that_sent_records_but_never_pulled_is_not_fresh(engine, make_device, monkeypatch):
    """A new profile's first sync sends its pupil, then the connection drops before the pull. It
    holds records the server has, so its first pull does not say `fresh`: the pupil's exit from
    the caseload meanwhile still reaches it."""
    import sync.client as sync_client
    from sync.server import admin

    add_user(engine, "ann", "tutor")
    add_user(engine, "bob", "tutor")
    a = make_device("a", "ann")
    peter = h.pupil(a.app, "Peter")
    real_pull = sync_client.SyncClient.pull

    def dropped(self, result=None, progress=None):
        raise sync_client.Offline("dropped before the pull")

    monkeypatch.setattr(sync_client.SyncClient, "pull", dropped)
    with pytest.raises(Exception, match=r"Could not reach the LA server"):
        a.sync()
    monkeypatch.setattr(sync_client.SyncClient, "pull", real_pull)
    assert a.port.unsent() == 0  # sent, never pulled back (what was sent is noted as the server's)
    assert not a.port.holds_nothing()
    admin.assign(engine, peter, user="bob")
    admin.unassign(engine, peter, user="ann")
    assert a.sync().left == 1
    assert a.app.store.get(Pupil, peter) is None
