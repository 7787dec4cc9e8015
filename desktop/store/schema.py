"""SQLAlchemy tables for the schema a database holds, without reflecting it.

`MetaData.reflect` costs about a tenth of a second (an inspector, five PRAGMAs
and a parse per table) every time a profile opens. The migrations are the one
written schema, so the file already says everything the queries need: two
queries over SQLite's table-valued PRAGMAs describe every column and foreign
key, and the tables built from a description are cached, so a second store on
the same schema (tests, benchmarks, the app after a lock) builds nothing. The
description is read from the file, never written by hand, so a new migration
step needs nothing here. A test checks the result against `MetaData.reflect`.
"""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import Column, ForeignKeyConstraint, MetaData, Table
from sqlalchemy.dialects import sqlite

# (table, ((column, declared type, not null, primary key position), ...), ((column, parent table, parent column), ...))
Description = tuple[tuple[str, tuple[tuple[str, str, bool, int], ...], tuple[tuple[str, str, str], ...]], ...]

_COLUMNS = """
SELECT m.name, c.name, c.type, c."notnull", c.pk
FROM sqlite_master AS m, pragma_table_info(m.name) AS c
WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'
ORDER BY m.name, c.cid
"""
_FOREIGN_KEYS = """
SELECT m.name, f."from", f."table", f."to"
FROM sqlite_master AS m, pragma_foreign_key_list(m.name) AS f
WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'
ORDER BY m.name, f.id, f.seq
"""


def describe(conn) -> Description:
    """Every table's columns and foreign keys, read through a DB-API connection."""
    columns: dict[str, list] = {}
    for table, name, declared, not_null, pk in conn.execute(_COLUMNS).fetchall():
        columns.setdefault(table, []).append((name, declared, bool(not_null), int(pk)))
    keys: dict[str, list] = {}
    for table, column, parent, parent_column in conn.execute(_FOREIGN_KEYS).fetchall():
        keys.setdefault(table, []).append((column, parent, parent_column or ""))
    return tuple((t, tuple(cols), tuple(keys.get(t, ()))) for t, cols in columns.items())


_DIALECT = sqlite.dialect()


@lru_cache(maxsize=8)
def tables_for(description: Description) -> MetaData:
    """Table objects for a description, typed as reflection would type them."""
    meta = MetaData()
    for name, columns, foreign_keys in description:
        Table(
            name,
            meta,
            *(
                Column(
                    column,
                    # The SQLite dialect's own rule for a declared type (what reflection uses).
                    _DIALECT._resolve_type_affinity(declared),
                    primary_key=pk > 0,
                    nullable=not not_null and pk == 0,
                )
                for column, declared, not_null, pk in columns
            ),
            *(
                ForeignKeyConstraint([column], [f"{parent}.{parent_column or 'id'}"])
                for column, parent, parent_column in foreign_keys
            ),
        )
    return meta
