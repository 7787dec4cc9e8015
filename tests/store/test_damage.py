"""Damaged, half-made and private profiles (issue 10: 1.3, 4.3 and 4.5)."""

from __future__ import annotations

import hashlib
import os
import stat
import threading
from datetime import date

import pytest

from desktop.domain.records import Pupil
from desktop.store import NotAStore, Store, StoreError, migrations
from desktop.store.db import DB_NAME, KEY_NAME
from desktop.store.profile import INIT_MARKER

PASS = "correct horse battery"
N = 2**10


def mode(path):
    return stat.S_IMODE(path.stat().st_mode)


def sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def add_pupils(store, count=1):
    with store.transaction("tester") as tx:
        for i in range(count):
            tx.insert(
                Pupil(forename=f"Child {i}", surname="Ó Súilleabháin", dob=date(2017, 5, 4), medical_needs="x" * 400)
            )


@pytest.fixture(autouse=True)
def ordinary_umask():
    old = os.umask(0o022)  # what most desktops have: new files 0644 unless we say otherwise
    yield
    os.umask(old)


def test_a_new_profile_is_private_to_its_owner(tmp_path):
    store = Store.create(tmp_path / "p", PASS, scrypt_n=N)
    add_pupils(store)
    folder = tmp_path / "p"
    assert mode(folder) == 0o700
    for name in (DB_NAME, DB_NAME + "-wal", DB_NAME + "-shm", KEY_NAME):
        assert mode(folder / name) == 0o600, name
    store.close()


def test_an_older_profile_is_made_private_when_it_is_opened(tmp_path):
    Store.create(tmp_path / "p", PASS, scrypt_n=N).close()
    folder = tmp_path / "p"
    os.chmod(folder, 0o755)
    for name in (DB_NAME, KEY_NAME):
        os.chmod(folder / name, 0o644)
    store = Store.open(folder, PASS)
    assert mode(folder) == 0o700
    assert {mode(folder / n) for n in os.listdir(folder)} == {0o600}
    store.close()


def test_a_zero_length_store_is_refused_and_left_as_it_is(tmp_path):
    """It used to be silently rewritten as an empty schema, then fail with TypeError."""
    Store.create(tmp_path / "p", PASS, scrypt_n=N).close()
    db = tmp_path / "p" / DB_NAME
    db.write_bytes(b"")
    for _ in range(2):
        with pytest.raises(NotAStore, match=r"empty.*restore") as caught:
            Store.open(tmp_path / "p", PASS)
        assert "waymark restore" in str(caught.value)
        assert db.stat().st_size == 0
        assert not (tmp_path / "p" / (DB_NAME + "-wal")).exists()
    with pytest.raises(StoreError, match="already exists"):
        Store.create(tmp_path / "p", PASS, scrypt_n=N)  # init never overwrites it either
    assert db.stat().st_size == 0


def test_a_store_with_no_schema_or_no_device_is_never_made_over(tmp_path):
    """What an init killed part-way by older versions left: SQLCipher schema begun, no meta row."""
    Store.create(tmp_path / "p", PASS, scrypt_n=N).close()
    db = tmp_path / "p" / DB_NAME
    store = Store.open(tmp_path / "p", PASS)
    with store.engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM meta WHERE key = 'device_id'")
    store.close()
    before = sha(db)
    with pytest.raises(NotAStore, match="never finished"):
        Store.open(tmp_path / "p", PASS)
    assert sha(db) == before


def test_an_init_stopped_part_way_is_reported_then_cleared_by_the_next_init(tmp_path, monkeypatch):
    folder = tmp_path / "p"

    def killed(conn, target=migrations.LATEST, on_step=None):
        conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL)")
        raise KeyboardInterrupt  # as a kill would, between two steps

    monkeypatch.setattr("desktop.store.db.opening.migrate", killed)
    with pytest.raises(KeyboardInterrupt):
        Store.create(folder, PASS, scrypt_n=N)
    assert sorted(os.listdir(folder)) == []  # what it made, it removed
    monkeypatch.undo()

    # A kill that leaves no chance to clean up: the marker says the profile was never finished.
    folder.joinpath(INIT_MARKER).write_text("waymark init in progress\n")
    folder.joinpath(KEY_NAME).write_text("{half")
    folder.joinpath(DB_NAME).write_bytes(b"")
    with pytest.raises(NotAStore, match=r"never finished.*waymark init"):
        Store.open(folder, PASS)
    assert Store.exists(folder)
    store = Store.create(folder, PASS, scrypt_n=N)  # init clears what an init began, and finishes
    add_pupils(store)
    store.close()
    assert not (folder / INIT_MARKER).exists()
    Store.open(folder, PASS).close()


def test_flipped_bytes_beyond_page_one_say_the_store_is_damaged(tmp_path):
    store = Store.create(tmp_path / "p", PASS, scrypt_n=N)
    add_pupils(store, 300)
    store.close()
    db = tmp_path / "p" / DB_NAME
    raw = bytearray(db.read_bytes())
    assert len(raw) > 4096 * 20
    for page in range(1, len(raw) // 4096):  # a few bytes in every page but the first
        for offset in range(page * 4096 + 100, page * 4096 + 104):
            raw[offset] ^= 0xFF
    db.write_bytes(bytes(raw))
    with pytest.raises(NotAStore, match=r"damaged.*waymark restore"):
        store = Store.open(tmp_path / "p", PASS)
        try:
            store.find(Pupil)
        finally:
            store.close()


def test_a_damaged_page_found_after_the_open_says_so_too(tmp_path, capfd):
    store = Store.create(tmp_path / "p", PASS, scrypt_n=N)
    add_pupils(store, 300)
    store.close()
    db = tmp_path / "p" / DB_NAME
    raw = bytearray(db.read_bytes())
    raw[-2000] ^= 0xFF  # the last page: pupils, far from the schema and settings
    db.write_bytes(bytes(raw))
    store = Store.open(tmp_path / "p", PASS)
    try:
        with pytest.raises(NotAStore, match=r"damaged.*waymark restore"), store.reading() as conn:
            for table in store.tables.values():
                conn.execute(table.select()).all()
    finally:
        store.close()
    assert "hmac" not in capfd.readouterr().err  # SQLCipher's own log stays quiet


def test_close_never_hides_what_happened_and_gives_way_to_another_writer(tmp_path):
    store = Store.create(tmp_path / "p", PASS, scrypt_n=N)
    add_pupils(store)
    other = Store.open(tmp_path / "p", PASS)
    holding, release = threading.Event(), threading.Event()

    def writer():
        with other.engine.connect() as conn:
            conn.info["write"] = True
            with conn.begin():  # BEGIN IMMEDIATE: the write lock, held until released
                conn.exec_driver_sql("UPDATE meta SET value = value WHERE key = 'device_id'")
                holding.set()
                release.wait(30)

    thread = threading.Thread(target=writer)
    thread.start()
    holding.wait(30)
    try:
        store.close()  # the checkpoint cannot run now; close says nothing and lets go
    finally:
        release.set()
        thread.join()
    other.close()
    again = Store.open(tmp_path / "p", PASS)
    assert len(again.find(Pupil)) == 1
    again.close()


def test_close_swallows_a_failed_checkpoint(tmp_path):
    store = Store.create(tmp_path / "p", PASS, scrypt_n=N)
    add_pupils(store)
    # The database replaced under the open store: every new connection fails.
    (tmp_path / "p" / DB_NAME).write_bytes(b"\x00" * 8192)
    store.engine.dispose()  # no pooled connection left from before: the checkpoint must open a new one
    with pytest.raises(StoreError):
        store.count("pupil")  # what the caller would report ...
    store.close()  # ... and close adds no error of its own on top of it
    assert store.engine.pool.checkedout() == 0
