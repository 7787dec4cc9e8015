"""Sync test fixtures: a real PostgreSQL cluster for the session, a fresh
server database per test on PostgreSQL and on SQLite, and the server in-process.

The cluster is made with initdb and started with pg_ctl on a free port in a
temporary folder (as the `postgres` user when we are root: PostgreSQL refuses
to run as root). Each test's database is a copy of a migrated template
(CREATE DATABASE ... TEMPLATE), so migrations run once per session.
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from sync.server import admin, auth, db

auth.set_hash_cost(time_cost=1, memory_cost=1024)  # Argon2id, cheap: the suite logs in hundreds of times

PASSWORD = "a long test password"
TEMPLATE = "waymark_template"
_counter = itertools.count()


def _pg_bindir() -> Path | None:
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]), reverse=True):
        if os.path.exists(os.path.join(candidate, "initdb")):
            return Path(candidate)
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


class Cluster:
    def __init__(self, base: Path, port: int) -> None:
        self.base, self.port = base, port

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def admin(self, sql: str) -> None:
        engine = create_engine(self.url(), isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(sql))
        engine.dispose()


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    bindir = _pg_bindir()
    if bindir is None:
        pytest.fail("PostgreSQL is not installed: run 'bash packaging/dev.sh test', which installs it.")
    base = Path(tempfile.mkdtemp(prefix="waymark-pg-"))
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
    data = base / "data"
    run = dict(check=True, capture_output=True, text=True, cwd=base)
    subprocess.run(
        _as_postgres(
            [str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"]
        ),
        **run,
    )
    port = _free_port()
    options = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
    subprocess.run(
        _as_postgres([str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(base / "log"), "-w", "start"]),
        **run,
    )
    cluster = Cluster(base, port)
    try:
        cluster.admin(f"CREATE DATABASE {TEMPLATE}")
        engine = db.make_engine(cluster.url(TEMPLATE))
        db.upgrade(engine)
        engine.dispose()
        yield cluster
    finally:
        subprocess.run(_as_postgres([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]), **run)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("sqlite") / "template.db"
    engine = db.make_engine(f"sqlite:///{path}")
    db.upgrade(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def server_url(request, tmp_path) -> Iterator[str]:
    """A fresh, migrated server database: every server test runs on both."""
    if request.param == "sqlite":
        path = tmp_path / "server.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    url = request.getfixturevalue("pg_database")
    yield url
    _empty(url)


@pytest.fixture(scope="session")
def pg_database(pg_cluster) -> str:
    """One database for the session's PostgreSQL tests, emptied after each (quicker than one per test)."""
    name = f"t_{os.getpid()}_{next(_counter)}"
    pg_cluster.admin(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}")
    return pg_cluster.url(name)


def _empty(url: str) -> None:
    from sqlmodel import SQLModel

    engine = create_engine(url)
    with engine.begin() as conn:
        # DELETE, not TRUNCATE: on a few small tables it is several times quicker.
        for table in reversed(SQLModel.metadata.sorted_tables):
            conn.execute(table.delete())
        conn.execute(text("INSERT INTO feed (id, last, horizon, timeline) VALUES (1, 0, 0, 0)"))
    engine.dispose()


@pytest.fixture
def engine(server_url):
    engine = db.make_engine(server_url, pool_size=4)
    yield engine
    engine.dispose()


@pytest.fixture
def server_app(engine):
    from sync.server.app import create_app
    from tests.conftest import TODAY

    app = create_app(engine, today=lambda: TODAY)
    return app


def add_user(engine, name: str, role: str, *, school_urn: str = "", team: str = "") -> None:
    admin.add_user(engine, name, role, PASSWORD, school_urn=school_urn, team=team)


# --- client devices -------------------------------------------------------------------

SERVER = "http://127.0.0.1:8765"


@pytest.fixture
def in_process(server_app):
    from tests.sync.asgi import InProcess

    transport = InProcess(server_app)
    yield transport
    transport.shutdown()


class Device:
    """A desktop profile (a real SQLCipher store) logged in to the server in-process."""

    def __init__(self, app, transport) -> None:
        from desktop.services.sync import SyncService

        self.app = app
        self.net = transport
        self.sync_service = SyncService(app, transport=transport)

    def login(self, user: str, password: str = PASSWORD) -> None:
        self.sync_service.login(SERVER, user, password, device_name=f"laptop of {user}")

    def sync(self):
        return self.sync_service.sync()

    @property
    def port(self):
        return self.sync_service.port


@pytest.fixture(scope="session")
def profile_template(tmp_path_factory) -> Path:
    """An empty profile made once; each device copies it and takes a new device id."""
    from desktop.services import Waymark
    from tests.conftest import FAST_SCRYPT, PASSPHRASE

    folder = tmp_path_factory.mktemp("profile-template") / "profile"
    Waymark.create_profile(folder, PASSPHRASE, worker_name="template", scrypt_n=FAST_SCRYPT).close()
    return folder


def new_profile(template: Path, folder: Path, worker: str):
    """A copy of the template profile with its own device id (what makes its change stamps its own)."""
    from desktop.services import Waymark
    from desktop.store.db import Clock, new_id
    from tests.conftest import PASSPHRASE, TODAY

    shutil.copytree(template, folder)
    app = Waymark.open_profile(folder, PASSPHRASE)
    device = new_id()
    with app.store.reading() as conn:
        conn.exec_driver_sql("UPDATE meta SET value = ? WHERE key = 'device_id'", (device,))
        conn.commit()
    app.store.device, app.store.clock = device, Clock(device)
    app.update_settings(worker_name=worker)
    app.today = lambda: TODAY
    return app


@pytest.fixture
def make_device(tmp_path, in_process, profile_template):
    from tests.sync.asgi import Faulty

    made = []

    def make(name: str, user: str | None = None) -> Device:
        app = new_profile(profile_template, tmp_path / name, name)
        device = Device(app, Faulty(in_process))
        made.append(device)
        if user:
            device.login(user)
        return device

    yield make
    for device in made:
        device.app.close()
