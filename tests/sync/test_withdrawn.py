"""A row restricted after it was not (a family note made professional-only) is
withdrawn from the laptops of roles that may no longer see it: they are sent
its deletion with its words blanked, and nothing of its new words. Made open
again, it comes back. Conflict records about notes written before such
conflicts were restricted are withdrawn by migration 0007. On SQLite and
PostgreSQL."""

from __future__ import annotations

import json

import httpx
import pytest
from sqlalchemy import select, text

from desktop.domain.enums import Visibility
from sync.protocol import PROTOCOL_HEADER
from sync.server import feed
from sync.server.tables import Feed, Record
from tests.sync import helpers as h
from tests.sync.conftest import SERVER, add_user


def _note_row(device, note_id: str):
    table = device.app.store.tables["visit_note"]
    with device.app.store.reading() as conn:
        return conn.execute(select(table.c.text, table.c.deleted).where(table.c.id == note_id)).one_or_none()


def _set_note(device, visit_id: str, note_id: str, visibility: Visibility, words: str) -> None:
    visit = device.app.get_visit(visit_id)
    for note in visit.notes:
        if note.id == note_id:
            note.visibility, note.text = visibility, words
    device.app.edit_visit(visit)


def http_for(device, in_process) -> httpx.Client:
    """Plain HTTP to the server as this device (to read exactly what a pull sends it)."""
    token = device.app.store.get_setting("sync_account")["token"]
    return httpx.Client(
        transport=in_process, base_url=SERVER, headers={PROTOCOL_HEADER: "1", "Authorization": f"Bearer {token}"}
    )


def _ann_with_a_note(engine, make_device, **note: str):
    """Ann (a tutor) and St Anne's (Peter's school) on the server; Ann's laptop holding a
    visit to Peter with one note (`family=` or `professional=` its words), synced.
    Returns her device, the visit and the note."""
    add_user(engine, "ann", "tutor")
    add_user(engine, "st-annes", "school", school_urn=h.URN_A)
    ann = make_device("ann", "ann")
    peter = h.pupil(ann.app, "Peter", h.URN_A)
    visit = h.visit(ann.app, [peter], **note)
    note_id = next(n.id for n in ann.app.get_visit(visit).notes)
    ann.sync()
    return ann, visit, note_id


@pytest.mark.parametrize("far", [False, True], ids=["in feed order", "by pupil"])
def test_a_family_note_made_professional_is_withdrawn_from_the_schools_laptop(engine, make_device, monkeypatch, far):
    if far:  # every pull finds the user's rows by pupil, as a first pull does (feed.SHORT_SPAN)
        monkeypatch.setattr(feed, "SHORT_SPAN", 0)
    ann, visit, note = _ann_with_a_note(engine, make_device, family="Lovely reading")
    add_user(engine, "lead", "la-lead")
    school = make_device("school", "st-annes")
    school.sync()
    assert _note_row(school, note) == ("Lovely reading", False)  # a family note: the school is sent it

    _set_note(ann, visit, note, Visibility.PROFESSIONAL, "Lovely reading; dad drinking again")
    ann.sync()
    school.sync()
    words, deleted = _note_row(school, note)
    assert deleted and not words  # withdrawn, its words gone from the school's laptop
    assert "drinking" not in json.dumps(h.dump(school.app)) and "Lovely" not in json.dumps(h.dump(school.app))
    assert all(n.id != note for n in school.app.get_visit(visit).notes)
    lead = make_device("lead", "lead")
    lead.sync()
    assert _note_row(lead, note) == ("Lovely reading; dad drinking again", False)  # those who may see it keep it
    ann.sync()
    assert _note_row(ann, note) == ("Lovely reading; dad drinking again", False)

    _set_note(ann, visit, note, Visibility.FAMILY, "Lovely reading at the weekend")
    ann.sync()
    school.sync()
    assert _note_row(school, note) == ("Lovely reading at the weekend", False)  # open again: sent again


def test_a_note_professional_from_the_start_is_never_sent_to_a_school_not_even_withdrawn(engine, make_device):
    ann, visit, note = _ann_with_a_note(engine, make_device, professional="Dad mentioned moving on")
    _set_note(ann, visit, note, Visibility.PROFESSIONAL, "Dad mentioned moving on in spring")
    ann.sync()
    school = make_device("school", "st-annes")
    school.sync()
    assert _note_row(school, note) is None  # not even its id: it was never the school's to hold
    with engine.connect() as conn:
        assert conn.execute(select(Record.withdrawn_seq).where(Record.entity_id == note)).scalar_one() is None


def test_later_writes_to_a_withdrawn_note_are_not_sent_to_the_school_again(engine, make_device, in_process):
    """A withdrawal goes once: a professional-only note edited again moves on in the feed, but a
    school is not sent it again (that would tell it when, and from which laptop, it changed)."""
    ann, visit, note = _ann_with_a_note(engine, make_device, family="Lovely reading")
    school = make_device("school", "st-annes")
    school.sync()
    _set_note(ann, visit, note, Visibility.PROFESSIONAL, "Lovely reading")
    ann.sync()
    http = http_for(school, in_process)
    cursor = school.app.store.get_setting("sync_cursor")
    [withdrawal] = [
        c for c in http.get("/v1/pull", params={"cursor": cursor}).json()["changes"] if c["entity_id"] == note
    ]
    assert withdrawal["deleted"] and withdrawal["fields"] and set(withdrawal["fields"].values()) == {None}
    stamp = withdrawal["clocks"]["deleted"]
    assert stamp.endswith("-server")  # when it went, not from which laptop
    assert list(withdrawal["clocks"]) == ["deleted"]  # no field's clock
    school.sync()
    cursor = school.app.store.get_setting("sync_cursor")
    for words in ("Dad drinking again", "Dad drinking again; moving on"):
        _set_note(ann, visit, note, Visibility.PROFESSIONAL, words)
        ann.sync()
        page = http.get("/v1/pull", params={"cursor": cursor}).json()
        assert [c for c in page["changes"] if c["entity_id"] == note] == []
        cursor = page["cursor"]
    # A fresh snapshot of this laptop (which held the note) is sent the withdrawal as it was: its
    # id, no words, the same stamp. (A new laptop is not told of it: test_withdrawn_held.)
    [told] = [c for c in http.get("/v1/pull", params={"cursor": ""}).json()["changes"] if c["entity_id"] == note]
    assert told["clocks"] == {"deleted": stamp} and set(told["fields"].values()) == {None}
    http.close()


def _insert(conn, entity: str, entity_id: str, data: dict, clocks: dict, seq: int, restricted: str = "") -> None:
    conn.execute(
        text(
            "INSERT INTO records (entity, entity_id, data, clocks, authors, deleted, seq, restricted)"
            " VALUES (:e, :i, :d, :c, '{}', false, :s, :r)"
        ),
        {"e": entity, "i": entity_id, "d": json.dumps(data), "c": json.dumps(clocks), "s": seq, "r": restricted},
    )


def test_migration_0007_withdraws_what_was_open_once(engine):
    """A server at 0006 holding open conflict records about a family note and a concern (as
    written before such conflicts were restricted), one about a school's name, a note made
    professional-only after it was written and one professional from the start: after the
    upgrade the two conflicts about notes and the note made professional are restricted,
    withdrawn and at the end of the feed; the rest are as they were."""
    from alembic import command

    from sync.server import db

    config = db.alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0006")
    c1, c2 = "2026-11-22T10:00:00.000000Z-0000-dev", "2026-11-23T10:00:00.000000Z-0000-dev"
    s1, s2 = (c.replace("-0000-dev", "-0001-server") for c in (c1, c2))  # the server's stamps just after
    with engine.begin() as conn:
        _insert(
            conn, "visit_note", "note-1", {"visit_id": "v1", "text": "Read well", "visibility": "family"}, {"*": c1}, 1
        )
        _insert(conn, "sync_conflict", "c-note", {"entity": "visit_note", "entity_id": "note-1"}, {"*": c1}, 2)
        _insert(conn, "sync_conflict", "c-concern", {"entity": "concern", "entity_id": "k1"}, {"*": c2}, 3)
        _insert(conn, "sync_conflict", "c-school", {"entity": "school", "entity_id": "s1"}, {"*": c1}, 4)
        made_later = {"visit_id": "v1", "text": "Dad worried", "visibility": "professional"}
        _insert(conn, "visit_note", "note-2", made_later, {"*": c1, "visibility": c2}, 5, "professional")
        _insert(conn, "visit_note", "note-3", made_later, {"*": c1}, 6, "professional")
        conn.execute(text("UPDATE feed SET last = 6 WHERE id = 1"))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
    with engine.connect() as conn:
        found = {
            r.entity_id: (r.restricted, r.withdrawn_seq, r.withdrawn_clock, r.seq)
            for r in conn.execute(
                select(Record.entity_id, Record.restricted, Record.withdrawn_seq, Record.withdrawn_clock, Record.seq)
            )
        }
        last = conn.execute(select(Feed.last)).scalar_one()
    assert found == {
        "note-1": ("", None, "", 1),
        "c-note": ("professional", 7, s1, 7),
        "c-concern": ("concern", 8, s2, 8),
        "c-school": ("", None, "", 4),
        "note-2": ("professional", 9, s2, 9),
        "note-3": ("professional", None, "", 6),
    }
    assert last == 9
