"""Engines and migrations. SQLite in the data directory by default (one
machine, no set-up); PostgreSQL when `--database postgresql://...` is given."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import orjson
import psycopg
from alembic import command
from alembic.config import Config
from sqlalchemy import JSON, Connection, DateTime, Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url

HERE = Path(__file__).parent
DB_NAME = "waymark-server.db"


def default_data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(os.environ.get("WAYMARK_SERVER_DATA_DIR") or user_data_dir("waymark-server", appauthor=False))


def database_url(database: str | None = None, data_dir: Path | None = None) -> str:
    """The SQLAlchemy URL: the one given (postgresql:// is driven by psycopg 3),
    else an SQLite file in the data directory."""
    if database:
        url = make_url(database)
        if url.drivername in ("postgresql", "postgres"):
            url = url.set(drivername="postgresql+psycopg")
        elif not url.drivername.startswith(("postgresql", "sqlite")):
            raise ValueError(f"'{url.drivername}' databases are not supported; use postgresql:// or sqlite://")
        return url.render_as_string(hide_password=False)
    folder = Path(data_dir) if data_dir else default_data_dir()
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / DB_NAME}"


def dumps(value: object) -> str:
    """JSON text for a stored column: orjson (several times quicker), the stdlib for what it refuses
    (integers past 64 bits)."""
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        return json.dumps(value)


def loads(text: str | bytes) -> object:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


_ESCAPE_OTHER_THAN_QUOTE = re.compile(rb'\\[^"\\]')


def text_array(values: list[str]) -> str:
    """A PostgreSQL array literal of these strings ('{"a","b"}'), every element quoted.
    orjson writes it: a JSON list of strings is one, but for the brackets, as long as no
    control character was escaped (JSON and an array literal escape only `"` and `\\`
    alike); a key holding one is written element by element."""
    text = orjson.dumps(values)
    if _ESCAPE_OTHER_THAN_QUOTE.search(text) is None:
        return "{" + text[1:-1].decode() + "}"
    return "{" + ",".join(['"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values]) + "}"


def make_engine(url: str, *, pool_size: int = 10, max_overflow: int | None = None) -> Engine:
    """`max_overflow`: connections opened beyond the pool when it is in use, and closed
    when given back (default: twice the pool)."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            json_serializer=dumps,
            json_deserializer=loads,
        )

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record) -> None:
            dbapi_conn.isolation_level = None  # SQLAlchemy, not the driver, begins transactions
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA synchronous = FULL")
            cur.execute("PRAGMA foreign_keys = ON")
            cur.execute("PRAGMA busy_timeout = 30000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn) -> None:
            # A writer takes the lock at BEGIN, so two writers queue instead of
            # failing to upgrade a read lock.
            conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.info.get("write") else "BEGIN")

        return engine
    # No server-side prepared statements: their generic plans cannot see how few
    # rows `entity_id = ANY(...)` picks, and scanned the whole records table.
    return create_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size * 2 if max_overflow is None else max_overflow,
        pool_pre_ping=True,
        json_serializer=dumps,
        json_deserializer=loads,
        connect_args={"prepare_threshold": None, "options": "-c random_page_cost=1.1"},
    )


def _copy_field(value: object) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    if not isinstance(value, str):
        value = dumps(value) if isinstance(value, dict | list) else str(value)
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        value = value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return value


def copy_line(values: dict, columns: tuple[str, ...], placeholder_at: int) -> str:
    """A row as one line of COPY's text format, with "%d" where column `placeholder_at` goes
    (a number given later: line % number). Dicts and lists go as JSON."""
    fields = [_copy_field(values[c]).replace("%", "%%") for c in columns]
    fields[placeholder_at] = "%d"
    return "\t".join(fields) + "\n"


def copy_lines(conn: Connection, table, columns: tuple[str, ...], lines: list[str]) -> None:
    """Write lines made by copy_line (with their numbers in) to `table` with one COPY."""
    if lines:
        with _copy(conn, table, columns) as copy:
            copy.write("".join(lines).encode())


@contextmanager
def _copy(conn: Connection, table, columns) -> Iterator:
    """A COPY into `table` in this transaction. Two requests writing the same keys (a
    unique key, or each waiting on the other's) raise WrittenMeanwhile: the work is done
    again, seeing what the other wrote."""
    raw = conn.connection.driver_connection
    try:
        with raw.cursor() as cur, cur.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
            yield copy
    except psycopg.Error as exc:
        if isinstance(exc, psycopg.errors.UniqueViolation) or rolled_back(exc):
            raise WrittenMeanwhile(str(exc)) from exc
        raise


class WrittenMeanwhile(Exception):
    """A row this transaction wrote was written by another meanwhile (a unique key
    clashed): the transaction is rolled back and its work done again."""


def rolled_back(exc: BaseException) -> bool:
    """Whether PostgreSQL aborted the transaction for another's sake (a deadlock, or a
    serialization failure: SQLSTATE class 40), so the same work may simply be done again.
    (By SQLSTATE: psycopg's DeadlockDetected is not a TransactionRollback.)"""
    return (getattr(getattr(exc, "orig", exc), "sqlstate", None) or "").startswith("40")


def bulk_insert(conn: Connection, table, rows: list[dict]) -> None:
    """Insert many rows in this transaction: COPY on PostgreSQL (several times
    quicker than one INSERT per row), executemany elsewhere. A key another
    transaction wrote meanwhile raises WrittenMeanwhile."""
    if not rows:
        return
    if conn.dialect.name != "postgresql":
        conn.execute(table.insert(), rows)
        return
    columns = list(rows[0])
    json_at = [i for i, c in enumerate(columns) if isinstance(table.c[c].type, JSON)]
    # A batch's rows share their moments (applied_at): each written out once, not once a row.
    moment_at = [
        i for i, c in enumerate(columns) if isinstance(getattr(table.c[c].type, "impl", table.c[c].type), DateTime)
    ]
    moments: dict[object, str] = {}
    with _copy(conn, table, columns) as copy:
        write = copy.write_row
        for row in rows:
            values = [row[c] for c in columns]
            for i in json_at:
                if values[i] is not None:
                    values[i] = dumps(values[i])
            for i in moment_at:
                if values[i] is not None:
                    values[i] = moments.get(values[i]) or moments.setdefault(values[i], values[i].isoformat())
            write(values)


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """A write transaction (on SQLite, BEGIN IMMEDIATE)."""
    with engine.connect() as conn:
        conn.info["write"] = True
        try:
            with conn.begin():
                yield conn
        finally:
            conn.info["write"] = False


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as conn, conn.begin():
        yield conn


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(HERE / "migrations"))
    return config


def upgrade(engine: Engine) -> None:
    """Bring the database to the newest schema (Alembic)."""
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


def is_current(engine: Engine) -> bool:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    with engine.connect() as conn:
        if "alembic_version" not in inspect(conn).get_table_names():
            return False
        return MigrationContext.configure(conn).get_current_revision() == head
