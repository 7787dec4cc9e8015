"""One laptop's odd value (a number for a date, words for a number, a choice a newer
version added) must not stop every other laptop's pull, nor make a record unreadable
there: it is read as none, the field's default or a blank, and the rest of the record
and of the page arrive. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, time

from desktop.domain.enums import Outcome, Sex
from sync.protocol import Op
from tests.sync import helpers as h
from tests.sync.conftest import add_user


def test_odd_values_from_another_laptop_are_read_as_blanks_and_the_pull_goes_on(engine, make_device, in_process):
    add_user(engine, "ann", "tutor")
    a, b = make_device("a", "ann"), make_device("b", "ann")
    pupil = h.pupil(a.app, "Levi")
    visit = h.visit(a.app, [pupil], work="Phonics phase 3")
    a.sync()
    clock = a.app.store.clock.now()
    odd = [
        Op(op_id="o1", entity="pupil", entity_id=pupil, clock=clock,
           fields={"dob": 20140601, "sex": "dragon", "looked_after": "yes", "nc_year_offset": "two", "first_language": 7}),
        Op(op_id="o2", entity="visit", entity_id=visit, clock=clock,
           fields={"start": 9, "end": "11:30:00", "outcome": "postponed by owl", "next_appointment": ["soon"]}),
    ]  # fmt: skip
    assert [r["status"] for r in h.push_as(a, in_process, odd)] == ["applied", "applied"]  # the server is generic

    result = b.sync()  # would stop on the first odd value, and every sync after it
    assert result.pulled >= 3 and b.app.sync_status().last_error in (None, "")
    got = b.app.get_pupil(pupil)
    assert (got.forename, got.dob, got.sex, got.looked_after, got.nc_year_offset, got.first_language) == (
        "Levi",
        date(1970, 1, 1),
        Sex.UNKNOWN,
        False,
        None,
        "7",
    )
    seen = b.app.get_visit(visit)
    assert (seen.start, seen.end, seen.outcome, seen.next_appointment) == (None, time(11, 30), Outcome.HELD, None)
    assert [e.work_covered for e in seen.entries] == ["Phonics phase 3"]  # the rest arrived
    assert [p.id for p in b.app.list_pupils()] == [pupil]
    b.app.edit_pupil(pupil, dob=date(2014, 6, 1))  # and the record can be put right here
    assert not b.sync().refused
