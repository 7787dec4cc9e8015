"""Keeping PostgreSQL's planner statistics in step with big loads.

A push looks rows up by key (`entity_id = ANY(...)`, `op_id = ANY(...)`). On a
table that grew fast since it was last analysed, the statistics say it is
small (or that an entity hardly occurs), and the planner scans thousands of
rows for a few hundred keys. Autovacuum analyses in time, but not within a
load: so after a commit that leaves a table twice the size it was when this
process last analysed it (at least MIN_ROWS written), the push analyses it.
Only the columns lookups and pulls filter on: the JSON columns' statistics
are what ANALYZE spends most on, and no query plans by them. And from a small
sample (STATISTICS_TARGET): the plans need a table's size and roughly how its
keys spread, and the default sample made these ANALYZEs a tenth of
PostgreSQL's work on a large push.
"""

from __future__ import annotations

import threading

from sqlalchemy import Engine, text

MIN_ROWS = 1000
STATISTICS_TARGET = 10  # PostgreSQL's default is 100: a sample of 30,000 rows
COLUMNS = {
    "records": "entity, entity_id, seq, owner_pupil, parent_id, created_by, restricted",
    "record_pupils": "entity, entity_id, pupil_id",
    "applied_ops": "op_id",
}

_lock = threading.Lock()
_written: dict[str, int] = {}  # rows written by this process since it last analysed each table
_size: dict[str, int] = {}  # each table's rows when this process last analysed it


def note_written(engine: Engine, counts: dict[str, int]) -> list[str]:
    """After a commit that wrote `counts` rows per table: ANALYZE those now due.
    Returns the tables analysed (none on SQLite, whose lookups plan by index anyway)."""
    return analyse(engine, due(engine, counts))


def due(engine: Engine, counts: dict[str, int]) -> list[str]:
    """Count a commit's rows (`counts` per table): the tables now due an ANALYZE (analyse)."""
    if engine.dialect.name != "postgresql":
        return []
    with _lock:
        found = []
        for table, n in counts.items():
            if table not in COLUMNS or not n:
                continue
            _written[table] = _written.get(table, 0) + n
            if _written[table] >= max(MIN_ROWS, _size.get(table, 0)):
                found.append(table)
                _written[table] = 0
    return found


def analyse(engine: Engine, tables: list[str]) -> list[str]:
    """ANALYZE these tables (from `due`), from a small sample and only the columns queries filter on."""
    if not tables:
        return []
    with engine.connect() as conn:
        conn.exec_driver_sql(f"SET LOCAL default_statistics_target = {STATISTICS_TARGET}")
        for table in tables:
            conn.exec_driver_sql(f"ANALYZE {table} ({COLUMNS[table]})")
        sizes = dict(
            conn.execute(
                text("SELECT relname, reltuples::bigint FROM pg_class WHERE relname = ANY(:names)"), {"names": tables}
            ).all()
        )
        conn.commit()
    with _lock:
        _size.update(sizes)
    return tables
