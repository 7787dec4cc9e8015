"""Planner statistics kept in step with big loads (sync/server/stats.py): a push
that leaves a table twice the size it was last analysed at analyses it, so key
lookups plan as index lookups; small pushes do not. On SQLite, nothing to do."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from sync.server import stats
from tests.sync import helpers as h
from tests.sync.conftest import add_user


@pytest.fixture(autouse=True)
def fresh_counts(monkeypatch):
    monkeypatch.setattr(stats, "_written", {})
    monkeypatch.setattr(stats, "_size", {})


def _last_analyze(engine, table: str):
    with engine.connect() as conn:
        return conn.execute(
            text("SELECT last_analyze FROM pg_stat_user_tables WHERE relname = :t"), {"t": table}
        ).scalar_one()


def test_a_big_push_analyses_the_tables_it_grew_and_a_small_one_does_not(engine, make_device):
    add_user(engine, "ann", "tutor")
    ann = make_device("ann", "ann")
    pupil = h.pupil(ann.app, "Peter")
    for n in range(3):
        h.progress(ann.app, pupil, evidence=f"Read page {n}")
    ann.sync()  # through the app: its pushes note what they wrote (a few rows: nothing due)
    if engine.dialect.name != "postgresql":
        assert stats.note_written(engine, {"records": 5000}) == []
        return
    assert stats._written["records"] >= 4 and "records" not in stats._size
    assert stats.note_written(engine, {"records": 10, "applied_ops": 10}) == []
    assert stats.note_written(engine, {"records": stats.MIN_ROWS, "applied_ops": stats.MIN_ROWS}) == [
        "records",
        "applied_ops",
    ]
    assert _last_analyze(engine, "records") is not None
    assert stats._size["records"] >= 4  # the rows PostgreSQL counted as it analysed
    # Not due again until the table has doubled since.
    assert stats.note_written(engine, {"records": 3}) == []
