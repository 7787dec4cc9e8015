import hashlib
import sqlite3
from datetime import date, datetime

import pytest
import sqlcipher3
from sqlalchemy import insert

from desktop.domain.records import Pupil, School, Stay, Visit, VisitNote
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
    visit = Visit.same_for_all(date=date(2026, 11, 20), pupil_ids=[pupil_id], notes=[VisitNote(text="first")])
    with store.transaction("t") as tx:
        tx.insert(visit)
    visit = store.get(Visit, visit.id)
    visit.worker = "Ann Tutor"
    visit.entries[0].work_set = "Fractions"
    visit.notes.append(VisitNote(text="second"))
    with store.transaction("t") as tx:
        fields = tx.update(visit)
    assert fields == ["worker", "entries", "notes"]
    with store.reading() as conn:
        sent = conn.exec_driver_sql("SELECT fields FROM outbox WHERE entity = 'visit_entry' ORDER BY id").all()
    assert sent[-1][0] == '["work_set"]'  # the child's entry, field by field
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
    assert "COVERING INDEX ix_visit_entry_pupil" in latest_visit_plan(store)  # the link table became the entries
    store.close()


def latest_visit_plan(store) -> str:
    with store.reading() as c:
        return " ".join(
            row[-1]
            for row in c.exec_driver_sql(
                "EXPLAIN QUERY PLAN SELECT max(visit_date) FROM visit_entry WHERE pupil_id = 'p1' AND deleted IS 0"
            )
        )


def test_migrating_a_populated_version_4_database_gives_each_child_an_entry(tmp_path):
    """Version 4 (like every version before it) kept one set of work for every
    child on a visit. Step 5 gives each child their own entry holding a copy of
    it; the link rows become the entries (same ids), visits that did not happen
    saw nobody, and changes not yet sent take the new shape."""
    import json

    from desktop.domain.enums import NotSeenReason
    from desktop.services import Waymark, reporting
    from desktop.store import queries

    folder = tmp_path / "v4"
    conn = profile_at_version(folder, 4)
    conn.execute(
        "INSERT INTO pupil (id, forename, surname, dob, sex, sen, traveller_group) "
        "VALUES ('p2', 'Esme', 'Lee', '2016-02-01', 'female', 'none', 'gypsy_roma')"
    )
    visits = (
        ("v1", "2026-10-01", "held", "Times tables", ("p1", "p2")),
        ("v2", "2026-10-08", "not_at_home", "Typed anyway", ("p1", "p2")),
        ("v3", "2026-10-15", "pupil_unwell", "", ("p2",)),
    )
    for visit_id, day, outcome, covered, pupils in visits:
        conn.execute(
            'INSERT INTO visit (id, date, start, "end", place_type, outcome, subjects, work_covered, work_set,'
            " work_returned, levels_and_needs) VALUES (?, ?, '10:00:00', '11:30:00', 'site', ?, '[\"Maths\"]', ?,"
            " 'Tables sheet', 'Spellings, marked', 'Secure with 5s')",
            (visit_id, day, outcome, covered),
        )
        for pupil_id in pupils:
            conn.execute(
                "INSERT INTO visit_pupil (id, visit_id, pupil_id, visit_date) VALUES (?, ?, ?, ?)",
                (f"l-{visit_id}-{pupil_id}", visit_id, pupil_id, day),
            )
    # A child taken off v1 later (a tombstoned link), and a note about the whole visit.
    conn.execute(
        "INSERT INTO visit_pupil (id, visit_id, pupil_id, visit_date, deleted) VALUES ('l-gone', 'v3', 'p1', "
        "'2026-10-15', 1)"
    )
    conn.execute("INSERT INTO visit_note (id, visit_id, text, visibility) VALUES ('n1', 'v1', 'Well done', 'family')")
    # Changes not yet sent: v1's creation and its links', then a change to v1's work set.
    visit_fields = [
        "id", "date", "start", "end", "place_type", "site_id", "place_detail", "worker", "subjects",
        "work_covered", "work_set", "work_returned", "levels_and_needs", "outcome", "next_appointment",
    ]  # fmt: skip
    pending = [
        ("o1", "visit", "v1", visit_fields),
        ("o2", "visit_pupil", "l-v1-p1", ["visit_id", "pupil_id"]),
        ("o3", "visit_pupil", "l-v1-p2", ["visit_id", "pupil_id"]),
        ("o4", "visit", "v1", ["work_set"]),
        ("o5", "visit", "v2", ["outcome", "work_set"]),
        ("o6", "visit_pupil", "l-gone", ["deleted"]),
    ]
    for outbox_id, entity, entity_id, fields in pending:
        conn.execute(
            "INSERT INTO outbox VALUES (?, ?, ?, ?, ?)", (outbox_id, entity, entity_id, json.dumps(fields), outbox_id)
        )
    conn.close()

    store = Store.open(folder, PASS)
    assert store.schema_version() == LATEST

    v1 = store.get(Visit, "v1")
    assert [e.id for e in v1.entries] == ["l-v1-p1", "l-v1-p2"]  # the links, kept as the same synced records
    for entry in v1.entries:
        assert entry.seen and entry.not_seen_reason is None
        assert (entry.subjects, entry.work_covered, entry.work_set) == (["Maths"], "Times tables", "Tables sheet")
        assert (entry.work_returned, entry.levels_and_needs) == ("Spellings, marked", "Secure with 5s")
    assert v1.hours_for("p1") == v1.hours_for("p2") == 1.5
    assert [(n.text, n.pupil_id) for n in v1.notes] == [("Well done", None)]
    v2, v3 = store.get(Visit, "v2"), store.get(Visit, "v3")
    assert [(e.seen, e.not_seen_reason) for e in v2.entries] == [(False, NotSeenReason.NOT_AT_HOME)] * 2
    assert v2.entries[0].work_covered == "Typed anyway"  # copied, not lost; the reports leave it out
    assert [(e.pupil_id, e.seen, e.not_seen_reason) for e in v3.entries] == [("p2", False, NotSeenReason.UNWELL)]
    assert v3.status_for("p2") == "Pupil unwell" and v3.hours_for("p2") == 0

    with store.reading() as c:
        columns = {row[1] for row in c.exec_driver_sql("PRAGMA table_info(visit)")}
        outbox: dict[tuple[str, str], list[list[str]]] = {}
        for entity, entity_id, fields in c.exec_driver_sql(
            "SELECT entity, entity_id, fields FROM outbox ORDER BY changed_at, id"
        ):
            outbox.setdefault((entity, entity_id), []).append(json.loads(fields))
        tables = {row[0] for row in c.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert not columns & {"subjects", "work_covered", "work_set", "work_returned", "levels_and_needs"}
    assert "visit_pupil" not in tables and not any(entity == "visit_pupil" for entity, _ in outbox)
    # v1's creation keeps what stayed on the visit; its links' creations become the entries' with their work.
    (created,) = outbox[("visit", "v1")]
    assert "date" in created and "work_set" not in created
    for entry_id in ("l-v1-p1", "l-v1-p2"):
        creation, work_set_change = outbox[("visit_entry", entry_id)]
        assert creation[:2] == ["visit_id", "pupil_id"]
        assert {"seen", "not_seen_reason", "subjects", "work_covered", "work_set"} <= set(creation)
        assert work_set_change == ["work_set"]  # v1's later change to its work set, now each child's
    assert outbox[("visit", "v2")] == [["outcome"]]
    assert outbox[("visit_entry", "l-v2-p1")] == outbox[("visit_entry", "l-v2-p2")] == [["work_set"]]
    assert outbox[("visit_entry", "l-gone")] == [["deleted"]]

    assert queries.last_visit_dates(store) == {"p1": date(2026, 10, 8), "p2": date(2026, 10, 15)}
    assert queries.visit_ids_for_pupil(store, "p1") == ["v2", "v1"]  # the removed link is still ignored
    assert "COVERING INDEX ix_visit_entry_pupil" in latest_visit_plan(store)

    # Today's services and reports read the migrated visit child by child, and a
    # change to one child's entry is audited against that child, on the same chain.
    from desktop.store import trail

    app = Waymark(store, today=lambda: date(2026, 11, 1))
    v1.entries[1].work_covered = "Ratio"
    app.edit_visit(v1)
    assert trail.verify(store).intact
    assert "visit" in [e["entity"] for e in trail.events(store, pupil_id="p2")]
    assert store.get(Visit, "v1").entry_for("p1").work_covered == "Times tables"  # Levi's own is untouched
    report = reporting.visit_report(app, "v1")
    # Copies come by surname then first name: Esme Lee before Levi Lee.
    assert [p.visit.work_covered for p in report.pupils] == ["Ratio", "Times tables"]
    assert [(p.visit.held, p.visit.outcome) for p in reporting.visit_report(app, "v2").pupils] == [
        (False, "Not at home")
    ] * 2
    store.close()


def test_migrating_a_populated_version_5_database(tmp_path):
    """Step 6: a year set by hand becomes an offset from the year by age (so the
    pupil moves up with their class), and exclusions, planned travel and the
    school calendar have tables."""
    from desktop.domain import rules
    from desktop.domain.enums import CalendarKind, ExclusionKind
    from desktop.domain.records import CalendarEntry, Exclusion, PlannedTravel

    folder = tmp_path / "v5"
    conn = profile_at_version(folder, 5)
    # A second pupil, born 1 Oct 2017, taught a year behind: "Year 3" fixed by hand in 2026/27.
    by_age = rules.nc_year(date(2017, 10, 1), date.today())
    conn.execute(
        "INSERT INTO pupil (id, forename, surname, dob, sex, sen, traveller_group, nc_year_override) "
        f"VALUES ('p2', 'Noah', 'Price', '2017-10-01', 'male', 'none', 'none', {by_age - 1})"
    )
    conn.close()

    store = Store.open(folder, PASS)
    assert store.schema_version() == LATEST >= 6
    held_back = store.get(Pupil, "p2")
    assert held_back.nc_year_offset == -1
    assert rules.pupil_nc_year(held_back, date.today()) == by_age - 1
    assert rules.pupil_nc_year(held_back, date.today().replace(year=date.today().year + 1)) == by_age  # moves up
    assert store.get(Pupil, "p1").nc_year_offset is None
    with store.reading() as c:
        columns = [row[1] for row in c.exec_driver_sql("PRAGMA table_info(pupil)")]
    assert "nc_year_override" not in columns
    with store.transaction("tester") as tx:
        tx.insert(Exclusion(pupil_id="p1", kind=ExclusionKind.PERMANENT, start=date(2026, 11, 2)))
        tx.insert(PlannedTravel(pupil_id="p1", leaves=date(2026, 12, 1), returns=date(2027, 1, 8)))
        tx.insert(
            CalendarEntry(academic_year=2026, kind=CalendarKind.TERM, start=date(2026, 9, 3), end=date(2026, 12, 18))
        )
    assert store.find(Exclusion, pupil_id="p1")[0].kind is ExclusionKind.PERMANENT
    assert store.find(PlannedTravel, pupil_id="p1")[0].returns == date(2027, 1, 8)
    assert store.find(CalendarEntry, academic_year=2026)[0].end == date(2026, 12, 18)
    store.close()


def test_migrating_a_populated_version_6_database_indexes_stays_by_pupil(tmp_path):
    """Step 7: a pupil's stays are found by an index, not a scan of every stay,
    and the stays already there read back unchanged."""
    folder = tmp_path / "v6"
    conn = profile_at_version(folder, 6)
    conn.execute("INSERT INTO site (id, name, site_type) VALUES ('s1', 'Riverside', 'transit_site')")
    for stay_id, pupil, arrived, departed in (
        ("st1", "p1", "2026-03-01", "2026-05-01"),
        ("st2", "p1", "2026-09-01", None),
    ):
        conn.execute(
            "INSERT INTO stay (id, pupil_id, site_id, arrived, departed) VALUES (?, ?, 's1', ?, ?)",
            (stay_id, pupil, arrived, departed),
        )
    conn.close()

    store = Store.open(folder, PASS)
    assert store.schema_version() == LATEST >= 7
    with store.reading() as c:
        plan = " ".join(
            str(row[-1])
            for row in c.exec_driver_sql("EXPLAIN QUERY PLAN SELECT * FROM stay WHERE pupil_id = 'p1' ORDER BY arrived")
        )
    assert "USING INDEX ix_stay_pupil" in plan and "TEMP B-TREE" not in plan
    stays = store.find(Stay, pupil_id="p1", order_by=["arrived"])
    assert [(s.id, s.arrived, s.departed) for s in stays] == [
        ("st1", date(2026, 3, 1), date(2026, 5, 1)),
        ("st2", date(2026, 9, 1), None),
    ]
    store.close()


def test_a_database_from_a_newer_waymark_is_refused(store, tmp_path):
    with store.reading() as conn:
        conn.exec_driver_sql("PRAGMA user_version = 99")
        conn.commit()
    store.close()
    with pytest.raises(StoreError, match="newer Waymark"):
        Store.open(tmp_path / "p", PASS)


def test_migrating_a_populated_version_7_database_adds_drafts(tmp_path):
    """A version-7 profile with a pupil and a visit (a child's own entry) opens with
    today's code: its records are intact and it can keep drafts, which write no
    outbox or audit."""
    from desktop.domain.records import Draft
    from desktop.store import drafts

    folder = tmp_path / "v7"
    conn = profile_at_version(folder, 7)
    conn.execute("INSERT INTO visit (id, date, place_type, outcome) VALUES ('v1', '2026-10-01', 'site', 'held')")
    conn.execute(
        "INSERT INTO visit_entry (id, visit_id, pupil_id, visit_date, work_covered) "
        "VALUES ('e1', 'v1', 'p1', '2026-10-01', 'Times tables')"
    )
    assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'draft'").fetchone()[0] == 0
    conn.close()

    store = Store.open(folder, PASS)
    assert store.schema_version() == LATEST
    assert store.get(Pupil, "p1").surname == "Lee"
    assert store.get(Visit, "v1").pupil_ids == ["p1"]
    before = store.count("outbox"), store.count("audit_event")
    drafts.save(
        store,
        Draft(
            kind="contact",
            key="p1",
            title="parent or carer for Levi Lee",
            fields={"Name": "Rose"},
            saved_at=datetime(2026, 11, 22, 14, 30),
        ),
    )
    assert drafts.load(store, "contact", "p1").fields == {"Name": "Rose"}
    assert (store.count("outbox"), store.count("audit_event")) == before
    store.close()


def test_migrating_a_populated_version_9_database_keeps_sync_state_and_can_sweep(tmp_path):
    """Step 10: a synced version-9 profile opens with its records, outbox and server clocks
    as they were, and a list for a fresh snapshot to take records off (sync_sweep), empty."""
    from desktop.store.sync_port import StoreSyncPort

    folder = tmp_path / "v9"
    conn = profile_at_version(folder, 9)
    conn.execute(
        "INSERT INTO sync_state VALUES ('pupil', 'p1', '{\"surname\": \"2026-11-01T09:00:00.000000Z-0000-dev-2\"}')"
    )
    conn.execute(
        "INSERT INTO outbox (id, entity, entity_id, fields, changed_at) "
        "VALUES ('o1', 'pupil', 'p1', '[\"forename\"]', '2026-11-02T09:00:00.000000Z-0000-dev-1')"
    )
    conn.close()

    store = Store.open(folder, PASS)
    assert store.schema_version() == LATEST >= 10
    assert store.get(Pupil, "p1").surname == "Lee"
    assert store.count("outbox") == 1 and store.count("sync_sweep") == 0
    port = StoreSyncPort(store)
    assert "sync_sweep" not in port.known_tables()  # the laptop's own: never sent, never pulled
    port.begin_snapshot()
    assert store.count("sync_sweep") == 1 and port.cursor() is None
    [op] = port.pending(10)
    assert (op.entity_id, op.fields) == ("p1", {"forename": "Levi"})  # the unsent change, as before
    store.close()
