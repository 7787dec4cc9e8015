"""Rows are inserted through the driver (Transaction._insert_row) with the
values SQLAlchemy's types would store: the same text for dates, times and
date-times, the same JSON, 0 and 1 for booleans. Compared here with SQLAlchemy's
own insert of the same record, stored value by stored value."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, time

import pytest
from sqlalchemy import insert

from desktop.domain.enums import NotSeenReason, Outcome, PlaceType
from desktop.domain.records import Pupil, School, Visit, VisitEntry
from desktop.store import Store, StoreError
from desktop.store.mapping import to_row

PASS = "correct horse battery"


@pytest.fixture
def store(tmp_path):
    s = Store.create(tmp_path / "p", PASS, scrypt_n=2**10)
    yield s
    s.close()


def stored(store: Store, table: str, record_id: str) -> dict:
    conn = store._connection()
    cursor = conn.execute(f"SELECT * FROM {table} WHERE id = ?", (record_id,))
    names = [d[0] for d in cursor.description]
    row = dict(zip(names, cursor.fetchone(), strict=True))
    return {k: (v, type(v).__name__) for k, v in row.items() if k not in ("id", "updated_at")}


def test_a_row_through_the_driver_is_stored_as_sqlalchemy_stores_it(store):
    with store.transaction("tester") as tx:
        pupil_id = tx.insert(Pupil(forename="Máire", surname="Lee", dob=date(2017, 5, 4)))
    entry = VisitEntry(
        pupil_id=pupil_id, seen=False, not_seen_reason=NotSeenReason.UNWELL, subjects=["English", "Maths ½"]
    )
    visit = Visit(
        date=date(2026, 11, 20),
        start=time(9, 30),
        end=time(11, 0),
        place_type=PlaceType.HOME,
        worker="Ann Tutor — ½ day",
        outcome=Outcome.HELD,
        next_appointment=datetime(2026, 11, 27, 10, 15),
        entries=[entry],
    )
    with store.transaction("tester") as tx:
        tx.insert(visit)  # the visit and its entry, through the driver
        tx.conn.execute(insert(store.tables["visit"]).values(**to_row(visit) | {"id": "twin", "updated_at": "x"}))
        tx.conn.execute(
            insert(store.tables["visit_entry"]).values(
                **to_row(entry) | {"id": "twin-entry", "visit_id": "twin", "visit_date": visit.date, "updated_at": "x"}
            )
        )
    assert stored(store, "visit", visit.id) == stored(store, "visit", "twin")
    mine, theirs = stored(store, "visit_entry", entry.id), stored(store, "visit_entry", "twin-entry")
    assert mine.pop("visit_id") != theirs.pop("visit_id")
    assert mine == theirs
    assert store.get(Visit, visit.id) == dataclasses.replace(visit, notes=[])


def test_a_refused_insert_is_one_clear_error_and_leaves_nothing(store):
    school = School(urn="119234", la_code="888", estab="2145", name="St Anne's")
    with store.transaction("tester") as tx:
        tx.insert(school)
    with pytest.raises(StoreError, match="not saved"), store.transaction("tester") as tx:
        tx.insert(dataclasses.replace(school, id="", name="Another"))  # the URN is unique
    assert [s.name for s in store.find(School)] == ["St Anne's"]
