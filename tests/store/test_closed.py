"""A closed store (the profile locked) stays closed: it makes no new connection on any
thread, and the connections other threads held are ended with it (what they had begun
rolls back), so nothing reads or writes the encrypted file after the lock."""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from desktop.domain.records import Pupil
from desktop.store import StoreClosed


def test_a_closed_store_refuses_to_reconnect_and_ends_what_other_threads_held(app, profile_dir, caplog):
    store = app.store
    app.add_pupil(Pupil(forename="Lily", surname="Smith", dob=date(2016, 3, 2)))
    held, closed, after = threading.Event(), threading.Event(), {}

    def other_thread() -> None:
        """A sync on the network pool: its own connection, and a pooled one mid-transaction."""
        store.get_setting("settings")
        with store.reading() as conn:
            conn.execute(text("SELECT count(*) FROM pupil")).scalar_one()  # a read transaction, still open
            held.set()
            closed.wait(10)
            for name, call in {
                "its pooled connection": lambda: conn.execute(text("SELECT count(*) FROM pupil")).scalar_one(),
                "its own connection": lambda: store.get_setting("settings"),
                "a new pooled connection": lambda: store.reading().__enter__(),
            }.items():
                try:
                    call()
                    after[name] = "worked"
                except (StoreClosed, DBAPIError) as exc:
                    after[name] = type(exc).__name__

    worker = threading.Thread(target=other_thread)
    worker.start()
    assert held.wait(10)
    with caplog.at_level(logging.WARNING):
        store.close()
    closed.set()
    worker.join()
    # The other thread's read did not stop the journal being folded in: its connection ended first.
    assert "not checkpointed" not in caplog.text
    wal = profile_dir / "waymark.db-wal"
    assert not wal.exists() or wal.stat().st_size == 0  # gone with the last connection
    assert after == {
        "its pooled connection": "ProgrammingError",  # closed under it
        "its own connection": "StoreClosed",
        "a new pooled connection": "StoreClosed",
    }
    # No thread, old or new, gets a connection again; the key has gone with them.
    for call in (lambda: store.get_setting("settings"), app.list_pupils, lambda: store.engine.connect()):
        with pytest.raises(StoreClosed, match="The profile is locked"):
            call()
    with ThreadPoolExecutor(1) as pool, pytest.raises(StoreClosed):
        pool.submit(app.list_pupils).result()
    assert store.closed and store._db_key is None
    assert not store._driver_conns and not store._checked_out
    store.close()  # a second close does nothing, says nothing
    assert "not checkpointed" not in caplog.text
