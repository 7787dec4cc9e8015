"""Store.batch: many transactions committed as one (the demo's set-up), each
still undone alone when refused, with reads that see what the batch wrote."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from desktop.domain.records import Pupil, School
from desktop.services import ValidationError, Waymark
from desktop.store import StoreError, trail

PASS = "correct horse battery"


def pupil(name: str) -> Pupil:
    return Pupil(forename=name, surname="Lee", dob=date(2017, 5, 4))


@pytest.fixture
def app(tmp_path):
    a = Waymark.create_profile(tmp_path / "p", PASS, worker_name="Ann Tutor", scrypt_n=2**10)
    a.today = lambda: date(2026, 11, 22)
    yield a
    a.close()


def test_a_batch_commits_once_and_sees_its_own_writes(app):
    with app.store.batch():
        app.add_pupil(pupil("Levi"))
        assert [p.forename for p in app.list_pupils()] == ["Levi"]  # read inside the batch
        with pytest.raises(ValidationError):
            app.add_pupil(Pupil(forename="", surname="Lee", dob=date(2017, 5, 4)))
        school = School(urn="119234", la_code="888", estab="2145", name="St Anne's")
        app.add_school(school)
        with pytest.raises(StoreError), app.store.transaction("tester") as tx:  # refused by the database
            tx.insert(Pupil(forename="Half", surname="Made", dob=date(2017, 5, 4)))
            tx.insert(dataclasses.replace(school, id=""))  # the URN is unique
        app.add_pupil(pupil("Esme"))
        elsewhere = app.store._creator()  # another connection sees nothing until the end
        assert elsewhere.execute("SELECT count(*) FROM pupil").fetchone()[0] == 0
    assert elsewhere.execute("SELECT count(*) FROM pupil").fetchone()[0] == 2  # not "Half"
    assert [s.name for s in app.list_schools()] == ["St Anne's"]
    elsewhere.close()
    assert trail.verify(app.store).intact


def test_a_failed_batch_keeps_nothing(app):
    with pytest.raises(RuntimeError), app.store.batch():
        app.add_pupil(pupil("Levi"))
        raise RuntimeError("stopped")
    assert app.list_pupils() == []
    app.add_pupil(pupil("Esme"))  # and the store works after it
    assert [p.forename for p in app.list_pupils()] == ["Esme"]
