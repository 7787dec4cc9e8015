"""The audit trail is a hash chain: these tests tamper with it directly through
the store's engine, as someone with the key and a SQLite shell could, and check
that `verify` names the row where it breaks."""

import itertools
from datetime import date

import pytest
from sqlalchemy import delete, update

from desktop.domain.records import Concern, Pupil
from desktop.store import Store, trail
from desktop.store.audit import GENESIS

PASS = "correct horse battery"


@pytest.fixture
def store(tmp_path):
    s = Store.create(tmp_path / "p", PASS, scrypt_n=2**10)
    yield s
    s.engine.dispose()


def add_pupil(store, forename="Levi", **kw):
    with store.transaction("Ann Tutor") as tx:
        return tx.insert(Pupil(forename=forename, surname="Lee", dob=date(2015, 6, 1), **kw), summary=forename)


def rows(store):
    table = store.tables["audit_event"]
    with store.reading() as conn:
        return list(conn.execute(table.select().order_by(table.c.seq)).mappings())


def tamper(store, seq, **values):
    table = store.tables["audit_event"]
    with store.engine.begin() as conn:
        conn.execute(update(table).where(table.c.seq == seq).values(**values))


def five_rows(store):
    ids = [add_pupil(store, f"Child {i}") for i in range(5)]
    assert [r["seq"] for r in rows(store)] == [1, 2, 3, 4, 5]
    return ids


def test_each_row_holds_the_hash_of_the_one_before(store):
    five_rows(store)
    found = rows(store)
    assert found[0]["prev_hash"] == GENESIS
    for before, row in itertools.pairwise(found):
        assert row["prev_hash"] == before["hash"]
    result = trail.verify(store)
    assert result.intact and result.rows == 5 and result.head == found[-1]["hash"]


def test_an_edited_summary_is_found(store):
    five_rows(store)
    tamper(store, 3, summary="Nothing to see")
    result = trail.verify(store)
    assert [(b.seq, b.reason) for b in result.breaks] == [
        (3, "its summary or old and new values were changed after it was written")
    ]


def test_an_edited_actor_or_time_is_found(store):
    five_rows(store)
    tamper(store, 2, actor="Someone Else")
    tamper(store, 4, entity_id="another-record")
    result = trail.verify(store)
    assert [(b.seq, b.reason) for b in result.breaks] == [
        (2, "its contents were changed after it was written"),
        (4, "its contents were changed after it was written"),
    ]


def test_a_removed_row_is_found(store):
    five_rows(store)
    table = store.tables["audit_event"]
    with store.engine.begin() as conn:
        conn.execute(delete(table).where(table.c.seq == 3))
    result = trail.verify(store)
    assert {b.seq for b in result.breaks} == {4}
    assert any("rows 3 to 3 are missing" in b.reason for b in result.breaks)
    assert any("does not follow the row before" in b.reason for b in result.breaks)


def test_a_rewritten_row_with_a_fresh_hash_still_breaks_the_next(store):
    """Recomputing a tampered row's own hash is not enough: the next row points at the old one."""
    from desktop.store.audit import content_hash, row_hash

    five_rows(store)
    row = dict(rows(store)[1])
    row["summary"] = "edited"
    row["content_hash"] = content_hash(row["salt"], row["summary"], row["changes"])
    row["hash"] = row_hash(row, row["prev_hash"])
    tamper(store, 2, summary=row["summary"], content_hash=row["content_hash"], hash=row["hash"])
    assert [b.seq for b in trail.verify(store).breaks] == [3]


def test_redacted_rows_need_a_later_erasure(store):
    five_rows(store)
    tamper(store, 2, summary="", changes={}, salt="", redacted=True)
    assert [b.reason for b in trail.verify(store).breaks] == ["its content was removed, but no later erasure covers it"]


def test_updates_keep_old_and_new_values_but_never_a_concerns_text(store):
    pupil_id = add_pupil(store, upn="")
    with store.transaction("Ann Tutor") as tx:
        pupil = store.get(Pupil, pupil_id, conn=tx.conn)
        pupil.medical_needs = "Asthma"
        pupil.dob = date(2015, 6, 2)
        tx.update(pupil)
        concern = Concern(pupil_id=pupil_id, raised_on=date(2026, 11, 1), text="First account")
        tx.insert(concern)
    with store.transaction("Ann Tutor") as tx:
        concern.text = "Second account, more detail"
        tx.update(concern)
    found = rows(store)
    pupil_update = next(r for r in found if r["action"] == "update" and r["entity"] == "pupil")
    assert pupil_update["changes"] == {"medical_needs": ["", "Asthma"], "dob": ["2015-06-01", "2015-06-02"]}
    assert pupil_update["pupil_ids"] == [pupil_id]
    concern_update = next(r for r in found if r["action"] == "update" and r["entity"] == "concern")
    assert concern_update["changes"] == {"text": None}  # which field, never what it said
    assert concern_update["pupil_ids"] == [pupil_id]
    with store.reading() as conn:
        dump = " ".join(str(v) for row in conn.exec_driver_sql("SELECT * FROM audit_event") for v in row)
    assert "account" not in dump
    assert trail.verify(store).intact


def test_rows_are_ready_to_send_and_marked_once_acknowledged(store):
    five_rows(store)
    batch = trail.unsent(store, limit=3)
    assert [r["seq"] for r in batch] == [1, 2, 3]
    assert {"hash", "prev_hash", "content_hash", "pupil_ids", "changes"} <= set(batch[0])
    trail.mark_sent(store, [r["id"] for r in batch])
    assert [r["seq"] for r in trail.unsent(store)] == [4, 5]
    assert trail.verify(store).intact  # the sent flag is outside the chain


def test_migrating_a_populated_version_3_profile_chains_its_trail(tmp_path):
    """A version-3 profile with audit rows for a pupil, a contact and a visit:
    step 4 numbers and chains them oldest first and works out whose they are;
    new rows carry on the chain."""
    from desktop.store.migrations import LATEST
    from tests.store.test_store import profile_at_version

    folder = tmp_path / "v3"
    conn = profile_at_version(folder, 3)
    conn.execute("INSERT INTO contact (id, pupil_id, name, relationship) VALUES ('c1', 'p1', 'Mary Lee', 'mother')")
    conn.execute(
        "INSERT INTO visit (id, date, place_type, outcome, subjects) VALUES ('v1', '2026-10-01', 'site', 'held', '[]')"
    )
    conn.execute("INSERT INTO visit_pupil (id, visit_id, pupil_id, visit_date) VALUES ('l1', 'v1', 'p1', '2026-10-01')")
    for event_id, at, action, entity, entity_id in (
        ("e1", "2026-10-01 09:00:00.000000", "create", "pupil", "p1"),
        ("e3", "2026-10-01 11:00:00.000000", "create", "visit", "v1"),
        ("e2", "2026-10-01 10:00:00.000000", "create", "contact", "c1"),
        ("e4", "2026-10-02 10:00:00.000000", "view-restricted", "concern", "p1"),
        ("e5", "2026-10-03 10:00:00.000000", "create", "school", "s1"),
    ):
        conn.execute(
            "INSERT INTO audit_event (id, at, actor, action, entity, entity_id, summary) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (event_id, at, "Ann Tutor", action, entity, entity_id, f"{action} {entity}"),
        )
    conn.close()

    store = Store.open(folder, PASS)
    try:
        assert store.schema_version() == LATEST
        found = rows(store)
        assert [(r["seq"], r["id"]) for r in found] == [(1, "e1"), (2, "e2"), (3, "e3"), (4, "e4"), (5, "e5")]
        assert [r["pupil_ids"] for r in found] == [["p1"], ["p1"], ["p1"], ["p1"], []]
        assert trail.verify(store).intact
        assert [e["id"] for e in trail.events(store, pupil_id="p1")] == ["e4", "e3", "e2", "e1"]
        add_pupil(store, "Newcomer")
        after = rows(store)
        assert after[-1]["seq"] == 6 and after[-1]["prev_hash"] == found[-1]["hash"]
        assert trail.verify(store).intact
    finally:
        store.close()
