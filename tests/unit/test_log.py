"""The log holds no personal data and only its owner can read it (issue 10: 1.2)."""

from __future__ import annotations

import logging
import stat
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from desktop import logs
from desktop.tasks import user_message

UPN, NAME = "R674123101121", "Seán Ó Súilleabháin"


@pytest.fixture
def log_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield tmp_path / "state" / "waymark" / "log"
    for handler in root.handlers[:]:
        if handler not in handlers:
            handler.close()
            root.removeHandler(handler)
    root.setLevel(level)


def database_error() -> Exception:
    """A real SQLAlchemy error whose text carries the statement and its parameters."""
    engine = create_engine("sqlite://")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE pupil (upn TEXT UNIQUE, name TEXT)"))
        conn.execute(text("INSERT INTO pupil VALUES (:upn, :name)"), {"upn": UPN, "name": NAME})
    try:
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO pupil VALUES (:upn, :name)"), {"upn": UPN, "name": NAME})
    except Exception as exc:
        assert UPN in str(exc) and NAME in str(exc)  # what used to reach the log
        return exc
    raise AssertionError("no error")


def test_an_unexpected_database_error_logs_no_parameters_in_a_private_file(log_home):
    path = logs.log_unexpected(database_error())
    user_message(database_error())  # the app's path: the task runner logs what it cannot explain
    logging.getLogger("waymark").warning("Could not open %s for %s", "/home/ann/records", NAME)
    for handler in logging.getLogger().handlers:
        handler.flush()
    assert path == log_home / "waymark.log"
    written = path.read_text(encoding="utf-8")
    assert "IntegrityError" in written and "test_log.py" in written  # still useful to an engineer
    for secret in (UPN, NAME, "Súilleabháin", "INSERT INTO", "/home/ann", str(Path.home())):
        assert secret not in written
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(log_home.stat().st_mode) == 0o700
    assert stat.S_IMODE(log_home.parent.stat().st_mode) == 0o700


def test_an_existing_log_is_made_private(log_home):
    log_home.mkdir(parents=True)
    log_home.chmod(0o755)
    (log_home / "waymark.log").write_text("old\n")
    (log_home / "waymark.log").chmod(0o644)
    logs.setup()
    assert stat.S_IMODE((log_home / "waymark.log").stat().st_mode) == 0o600
    assert stat.S_IMODE(log_home.stat().st_mode) == 0o700
