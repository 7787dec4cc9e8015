"""A row restricted after it was not (a family note made professional-only) is
withdrawn from the laptops of roles that may no longer see it: they are sent
its deletion with its words blanked, and nothing of its new words. Made open
again, it comes back. Conflict records about notes written before such
conflicts were restricted are withdrawn by migration 0007. On SQLite and
PostgreSQL."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select, text

from desktop.domain.enums import Visibility
from sync.server import feed
from sync.server.tables import Feed, Record
from tests.sync import helpers as h
from tests.sync.conftest import add_user


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


@pytest.mark.parametrize("far", [False, True], ids=["in feed order", "by pupil"])
def test_a_family_note_made_professional_is_withdrawn_from_the_schools_laptop(engine, make_device, monkeypatch, far):
    if far:  # every pull finds the user's rows by pupil, as a first pull does (feed.SHORT_SPAN)
        monkeypatch.setattr(feed, "SHORT_SPAN", 0)
    add_user(engine, "ann", "tutor")
    add_user(engine, "st-annes", "school", school_urn=h.URN_A)
    add_user(engine, "lead", "la-lead")
    ann = make_device("ann", "ann")
    peter = h.pupil(ann.app, "Peter", h.URN_A)
    visit = h.visit(ann.app, [peter], family="Lovely reading")
    note = next(n.id for n in ann.app.get_visit(visit).notes)
    ann.sync()
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
    add_user(engine, "ann", "tutor")
    add_user(engine, "st-annes", "school", school_urn=h.URN_A)
    ann = make_device("ann", "ann")
    peter = h.pupil(ann.app, "Peter", h.URN_A)
    visit = h.visit(ann.app, [peter], professional="Dad mentioned moving on")
    note = next(n.id for n in ann.app.get_visit(visit).notes)
    ann.sync()
    _set_note(ann, visit, note, Visibility.PROFESSIONAL, "Dad mentioned moving on in spring")
    ann.sync()
    school = make_device("school", "st-annes")
    school.sync()
    assert _note_row(school, note) is None  # not even its id: it was never the school's to hold
    with engine.connect() as conn:
        assert conn.execute(select(Record.withdrawn).where(Record.entity_id == note)).scalar_one() is False


def test_migration_0007_withdraws_old_open_conflicts_about_notes(engine):
    """A server at 0006 holding open conflict records about a family note and a concern (as
    written before such conflicts were restricted), and one about a school's name: after the
    upgrade the two about notes are restricted, withdrawn and at the end of the feed."""
    from alembic import command

    from sync.server import db

    config = db.alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0006")
    rows = [
        ("visit_note", "note-1", {"visit_id": "v1", "text": "Read well", "visibility": "family"}, 1, ""),
        ("sync_conflict", "c-note", {"entity": "visit_note", "entity_id": "note-1", "field": "text"}, 2, ""),
        ("sync_conflict", "c-concern", {"entity": "concern", "entity_id": "k1", "field": "text"}, 3, ""),
        ("sync_conflict", "c-school", {"entity": "school", "entity_id": "s1", "field": "name"}, 4, ""),
    ]
    with engine.begin() as conn:
        for entity, entity_id, data, seq, restricted in rows:
            conn.execute(
                text(
                    "INSERT INTO records (entity, entity_id, data, clocks, authors, deleted, seq, restricted)"
                    " VALUES (:e, :i, :d, '{}', '{}', false, :s, :r)"
                ),
                {"e": entity, "i": entity_id, "d": json.dumps(data), "s": seq, "r": restricted},
            )
        conn.execute(text("UPDATE feed SET last = 4 WHERE id = 1"))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
    with engine.connect() as conn:
        found = {
            r.entity_id: (r.restricted, r.withdrawn, r.seq)
            for r in conn.execute(select(Record.entity_id, Record.restricted, Record.withdrawn, Record.seq))
        }
        last = conn.execute(select(Feed.last)).scalar_one()
    assert found == {
        "note-1": ("", False, 1),
        "c-note": ("professional", True, 5),
        "c-concern": ("concern", True, 6),
        "c-school": ("", False, 4),
    }
    assert last == 6
