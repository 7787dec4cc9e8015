import hashlib
import sqlite3
from datetime import date, datetime

import pytest
import sqlcipher3
from sqlalchemy import insert

from desktop.domain.records import Pupil, School, Visit, VisitNote
from desktop.store import NotAStore, Store, StoreError, WrongPassphrase
from desktop.store.db import DB_NAME, KEY_NAME
from desktop.store.migrations import LATEST

PASS = "correct horse battery"
N = 2**10


@pytest.fixture
def store(tmp_path):
    s = Store.create(tmp_path / "p", PASS, scrypt_n=N)
    yield s
    s.engine.dispose()


def add_pupil(store, **kw):
    with store.transaction("tester") as tx:
        return tx.insert(Pupil(forename=kw.get("forename", "Máire"), surname="Ó Súilleabháin", dob=date(2017, 5, 4)))


def sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_file_is_encrypted_and_plain_sqlite_cannot_read_it(store, tmp_path):
    add_pupil(store)
    store.close()
    db = tmp_path / "p" / DB_NAME
    raw = db.read_bytes()
    assert not raw.startswith(b"SQLite format 3")
    assert "Súilleabháin".encode() not in raw
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(db).execute("SELECT * FROM sqlite_master").fetchall()


def test_reopen_with_the_right_passphrase_refuse_the_wrong_one(store, tmp_path):
    pupil_id = add_pupil(store)
    store.close()
    before = sha(tmp_path / "p" / DB_NAME)
    with pytest.raises(WrongPassphrase, match="Wrong passphrase"):
        Store.open(tmp_path / "p", "not the passphrase")
    assert sha(tmp_path / "p" / DB_NAME) == before  # nothing written
    again = Store.open(tmp_path / "p", PASS)
    assert again.get(Pupil, pupil_id).forename == "Máire"
    again.close()


def test_changing_the_passphrase_rewraps_without_reencrypting(store, tmp_path):
    pupil_id = add_pupil(store)
    store.close()
    db = tmp_path / "p" / DB_NAME
    before = sha(db)
    s = Store.open(tmp_path / "p", PASS)
    s.change_passphrase(PASS, "a new long passphrase", scrypt_n=N)
    s.close()
    assert sha(db) == before
    with pytest.raises(WrongPassphrase):
        Store.open(tmp_path / "p", PASS)
    s = Store.open(tmp_path / "p", "a new long passphrase")
    assert s.get(Pupil, pupil_id) is not None
    s.close()


def test_change_passphrase_needs_the_old_one(store):
    with pytest.raises(WrongPassphrase):
        store.change_passphrase("wrong", "whatever else", scrypt_n=N)


def test_durability_settings(store):
    with store.reading() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA cipher_version").scalar().startswith("4.")


def test_ids_are_uuid7(store):
    pupil_id = add_pupil(store)
    assert len(pupil_id) == 36 and pupil_id[14] == "7"


def test_a_truncated_database_is_refused_and_left_untouched(store, tmp_path):
    for i in range(200):
        add_pupil(store, forename=f"Child {i}")
    store.close()
    db = tmp_path / "p" / DB_NAME
    db.write_bytes(db.read_bytes()[: db.stat().st_size // 2])
    before = sha(db)
    with pytest.raises(NotAStore, match=r"truncated|damaged"):
        Store.open(tmp_path / "p", PASS)
    assert sha(db) == before


def test_a_file_that_is_not_a_store_is_refused(tmp_path):
    folder = tmp_path / "p"
    folder.mkdir()
    plain = sqlite3.connect(folder / DB_NAME)
    plain.execute("CREATE TABLE t (x)")
    plain.commit()
    plain.close()
    (folder / KEY_NAME).write_text("{}")
    with pytest.raises(NotAStore, match="unencrypted SQLite"):
        Store.open(folder, PASS)
    (folder / DB_NAME).write_bytes(b"\x00" * 10)
    with pytest.raises(NotAStore, match="key file is damaged"):
        Store.open(folder, PASS)


def test_another_profiles_database_is_refused(tmp_path):
    a = Store.create(tmp_path / "a", PASS, scrypt_n=N)
    b = Store.create(tmp_path / "b", PASS, scrypt_n=N)
    a.close()
    b.close()
    (tmp_path / "a" / DB_NAME).replace(tmp_path / "b" / DB_NAME)
    with pytest.raises(NotAStore, match="cannot be read"):
        Store.open(tmp_path / "b", PASS)


def test_create_never_overwrites_an_existing_profile(store, tmp_path):
    store.close()
    before = sha(tmp_path / "p" / DB_NAME)
    with pytest.raises(StoreError, match="already exists"):
        Store.create(tmp_path / "p", "another passphrase", scrypt_n=N)
    assert sha(tmp_path / "p" / DB_NAME) == before


def test_every_change_writes_outbox_and_audit_in_the_same_transaction(store):
    with store.transaction("Ann Tutor") as tx:
        school_id = tx.insert(School(urn="119234", la_code="888", estab="2145", name="St Anne's"))
    outbox = store.tables["outbox"]
    audit = store.tables["audit_event"]
    with store.reading() as conn:
        entries = conn.execute(outbox.select()).mappings().all()
        events = conn.execute(audit.select()).mappings().all()
    assert [(e["entity"], e["entity_id"]) for e in entries] == [("school", school_id)]
    assert "urn" in entries[0]["fields"]
    assert [(e["actor"], e["action"], e["entity_id"]) for e in events] == [("Ann Tutor", "create", school_id)]


def test_a_failure_rolls_back_the_change_its_outbox_and_its_audit(store):
    with pytest.raises(StoreError), store.transaction("Ann Tutor") as tx:
        tx.insert(School(urn="119234", la_code="888", estab="2145", name="St Anne's"))
        tx.insert(School(urn="119234", la_code="888", estab="2146", name="Duplicate URN"))  # UNIQUE fails
    assert store.count("school") == 0
    assert store.count("outbox") == 0
    assert store.count("audit_event") == 0


def test_an_exception_in_the_caller_rolls_back_too(store):
    with pytest.raises(RuntimeError), store.transaction("Ann Tutor") as tx:
        tx.insert(School(urn="119234", la_code="888", estab="2145", name="St Anne's"))
        raise RuntimeError("power cut")
    assert (store.count("school"), store.count("outbox"), store.count("audit_event")) == (0, 0, 0)


def test_update_records_only_changed_fields_and_children(store):
    pupil_id = add_pupil(store)
    visit = Visit(date=date(2026, 11, 20), pupil_ids=[pupil_id], notes=[VisitNote(text="first")])
    with store.transaction("t") as tx:
        tx.insert(visit)
    visit = store.get(Visit, visit.id)
    visit.work_set = "Fractions"
    visit.notes.append(VisitNote(text="second"))
    with store.transaction("t") as tx:
        fields = tx.update(visit)
    assert fields == ["work_set", "notes"]
    assert [n.text for n in store.get(Visit, visit.id).notes] == ["first", "second"]
    with store.transaction("t") as tx:
        assert tx.update(store.get(Visit, visit.id)) == []


def test_deletes_are_tombstones(store):
    pupil_id = add_pupil(store)
    with store.transaction("t") as tx:
        tx.delete(Pupil, pupil_id)
    assert store.get(Pupil, pupil_id) is None
    with store.reading() as conn:
        assert conn.exec_driver_sql("SELECT deleted FROM pupil WHERE id = ?", (pupil_id,)).scalar() == 1


def profile_at_version(folder, version: int) -> sqlcipher3.Connection:
    """A real profile as an older Waymark left it, holding one pupil; the open
    connection is for the test to add more before today's code opens it."""
    from desktop.store import keys
    from desktop.store.migrations import migrate

    folder.mkdir()
    db_key = keys.new_db_key()
    keys.write_keyfile(folder / KEY_NAME, keys.wrap_key(db_key, PASS, N))
    conn = sqlcipher3.connect(str(folder / DB_NAME), isolation_level=None)
    conn.execute(f"PRAGMA key = \"x'{db_key.hex()}'\"")
    migrate(conn, target=version)
    conn.execute("INSERT INTO meta VALUES ('device_id', 'dev-1')")
    conn.execute(
        "INSERT INTO pupil (id, forename, surname, dob, sex, sen, traveller_group) "
        "VALUES ('p1', 'Levi', 'Lee', '2014-06-01', 'male', 'none', 'gypsy_roma')"
    )
    return conn


def test_migrating_a_populated_version_1_database(tmp_path):
    """Build a real version-1 profile with data, then open it with today's code."""
    folder = tmp_path / "old"
    conn = profile_at_version(folder, 1)
    conn.execute(
        "INSERT INTO visit (id, date, place_type, outcome, subjects) "
        "VALUES ('v1', '2026-10-01', 'site', 'held', '[\"Maths\"]')"
    )
    conn.execute("INSERT INTO visit_pupil (id, visit_id, pupil_id) VALUES ('l1', 'v1', 'p1')")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    conn.close()

    store = Store.open(folder, PASS)
    assert store.schema_version() == LATEST
    assert store.get(Pupil, "p1").surname == "Lee"
    assert store.get(Visit, "v1").pupil_ids == ["p1"]
    from desktop.store import queries

    assert queries.last_visit_dates(store) == {"p1": date(2026, 10, 1)}  # backfilled by step 2
    with store.reading() as c:
        c.execute(insert(store.tables["appointment"]).values(id="a1", starts_at=datetime(2026, 11, 23, 10)))
        c.commit()
    store.close()


def test_migrating_a_populated_version_2_database(tmp_path):
    """The previous version, with a visit since removed from a pupil: after step 3
    the latest-visit question still ignores removed links, and answers it from the
    index alone."""
    from desktop.store import queries

    folder = tmp_path / "v2"
    conn = profile_at_version(folder, 2)
    for visit_id, day, deleted in (("v1", "2026-10-01", 0), ("v2", "2026-11-02", 1)):
        conn.execute(
            "INSERT INTO visit (id, date, place_type, outcome, subjects) "
            f"VALUES ('{visit_id}', '{day}', 'site', 'held', '[\"Maths\"]')"
        )
        conn.execute(
            "INSERT INTO visit_pupil (id, visit_id, pupil_id, visit_date, deleted) "
            f"VALUES ('l{visit_id}', '{visit_id}', 'p1', '{day}', {deleted})"
        )
    conn.close()

    store = Store.open(folder, PASS)
    assert store.schema_version() == LATEST
    assert queries.last_visit_dates(store) == {"p1": date(2026, 10, 1)}
    assert queries.visit_ids_for_pupil(store, "p1") == ["v1"]
    with store.reading() as c:
        plan = " ".join(
            row[-1]
            for row in c.exec_driver_sql(
                "EXPLAIN QUERY PLAN SELECT max(visit_date) FROM visit_pupil WHERE pupil_id = 'p1' AND deleted IS 0"
            )
        )
    assert "COVERING INDEX ix_visit_pupil_pupil" in plan
    store.close()


def test_a_database_from_a_newer_waymark_is_refused(store, tmp_path):
    with store.reading() as conn:
        conn.exec_driver_sql("PRAGMA user_version = 99")
        conn.commit()
    store.close()
    with pytest.raises(StoreError, match="newer Waymark"):
        Store.open(tmp_path / "p", PASS)
