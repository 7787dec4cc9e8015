"""SQLAlchemy, imported when the first query needs the engine. Callers name what it
binds through this module (`sqla.select`, `sqla.DBAPIError`), so each use reads the
name when it runs, after `load()`."""

from __future__ import annotations

import threading


class _NotLoaded(Exception):
    """Stands in for SQLAlchemy's DBAPIError until SQLAlchemy is imported."""


# SQLAlchemy takes longer to import than a command such as `waymark settings`
# takes to do everything else after the key derivation, so it is imported when
# the first query needs the engine (StoreBase.engine calls load(),
# which binds these names); settings, the schema version and closing use the driver.
DBAPIError: type[Exception] = _NotLoaded
_sqlalchemy_lock = threading.Lock()


def load() -> None:
    global DBAPIError, Engine, MetaData, Table, create_engine, delete, event, func, insert, select, update, QueuePool
    global audit_trail  # written with SQLAlchemy too
    with _sqlalchemy_lock:
        if DBAPIError is not _NotLoaded:
            return
        from sqlalchemy import Engine, MetaData, Table, create_engine, delete, event, func, insert, select, update
        from sqlalchemy.exc import DBAPIError
        from sqlalchemy.pool import QueuePool

        from .. import audit as audit_trail
