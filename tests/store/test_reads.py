"""`Store.find` runs SQL it writes once per shape on the driver (store/reads.py);
SQLAlchemy's statement path (taken when a `where` is given) is the reference.
Both must return the same records, in the same order, for every record type."""

from __future__ import annotations

import dataclasses
import threading
from datetime import date

import pytest
from sqlalchemy import select, true

from desktop.domain.enums import Outcome
from desktop.domain.records import Appointment, Folder, Pupil, Stay, Visit
from desktop.services import Waymark
from desktop.store.mapping import COLLECTIONS, TABLES, Link
from tests.conftest import PASSPHRASE


def through_sqlalchemy(store, cls, **kw):
    return store.find(cls, where=lambda t: true(), **kw)


@pytest.fixture
def demo(demo_dir):
    app = Waymark.open_profile(demo_dir, PASSPHRASE)
    yield app.store
    app.close()


def test_every_record_type_reads_the_same_both_ways(demo):
    for cls in TABLES:
        fast = demo.find(cls, order_by=["id"])
        assert fast == through_sqlalchemy(demo, cls, order_by=["id"]), cls.__name__
        for record in fast[:3]:
            assert demo.get(cls, record.id) == record
    assert len(demo.find(Visit)) > 100  # the demo has a history to compare


def test_collections_match_their_rows_read_through_sqlalchemy(demo):
    for cls, holders in COLLECTIONS.items():
        for record in demo.find(cls, order_by=["id"])[:40]:
            for name, holder in holders.items():
                if isinstance(holder, Link):
                    t = demo.tables[holder.table]
                    with demo.reading() as conn:
                        expected = list(
                            conn.execute(
                                select(t.c[holder.value_column])
                                .where(t.c[holder.parent_column] == record.id, t.c.deleted.is_(False))
                                .order_by(t.c.id)
                            ).scalars()
                        )
                else:
                    expected = through_sqlalchemy(
                        demo, holder.record, order_by=["id"], **{holder.parent_column: record.id}
                    )
                assert getattr(record, name) == expected, (cls.__name__, name)


def test_equals_lists_none_enums_order_and_limit(demo):
    pupils = demo.find(Pupil, order_by=["surname", "-forename"])
    ids = [p.id for p in pupils[:5]]
    shapes = [
        (Pupil, {"id": ids, "order_by": ["-dob"]}),
        (Pupil, {"archived": False, "order_by": ["surname", "forename"], "limit": 4}),
        (Pupil, {"id": []}),
        (Stay, {"departed": None, "order_by": ["arrived"]}),
        (Visit, {"outcome": Outcome.HELD, "order_by": ["-date", "-start"], "limit": 7}),
        (Visit, {"outcome": [Outcome.HELD, Outcome.NOT_AT_HOME], "date": date(2026, 11, 20)}),
        (Folder, {"pupil_id": ids}),
        (Appointment, {"cancelled": False, "order_by": ["starts_at"]}),
    ]
    for cls, kw in shapes:
        assert demo.find(cls, **kw) == through_sqlalchemy(demo, cls, **kw), (cls.__name__, kw)
    visits = demo.find(Visit, order_by=["-date"], limit=3)
    assert all(v.pupil_ids and isinstance(v.outcome, Outcome) for v in visits)


def test_a_find_inside_a_transaction_sees_its_own_writes(demo):
    pupil = demo.find(Pupil, limit=1)[0]
    with demo.transaction("tester") as tx:
        tx.update(dataclasses.replace(pupil, forename="Renamed"))
        assert demo.find(Pupil, conn=tx.conn, id=pupil.id)[0].forename == "Renamed"
    assert demo.get(Pupil, pupil.id).forename == "Renamed"


def test_an_unknown_column_is_refused(demo):
    with pytest.raises(KeyError):
        demo.find(Pupil, no_such_column=1)


def test_other_threads_read_through_their_own_connection(demo):
    found: list = []
    worker = threading.Thread(target=lambda: found.extend(demo.find(Pupil)))
    worker.start()
    worker.join()
    assert found == demo.find(Pupil)
    assert len(demo._driver_conns) == 2
