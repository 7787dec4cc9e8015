"""Shared fixtures. Qt runs offscreen; profiles are real SQLCipher files made
with a cheap scrypt cost so the suite stays quick."""

from __future__ import annotations

import os
import shutil

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
if os.environ["QT_QPA_PLATFORM"] == "offscreen":
    # The usual LA laptop: one 1366x768 screen at 96 dpi, so windows and dialogs size
    # themselves as they will there (Qt's offscreen screen is otherwise 800x800).
    os.environ["QT_QPA_PLATFORM"] = (
        f"offscreen:configfile={os.path.join(os.path.dirname(__file__), 'laptop-screen.json')}"
    )
# No test may reach the machine's own secret store; keyring tests install an in-memory one.
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"

from datetime import date
from pathlib import Path

import pytest

from desktop.services import Waymark

PASSPHRASE = "correct horse battery"
FAST_SCRYPT = 2**10
# Profiles the tests make, in this process or in a CLI subprocess, get the cheap
# cost; and opening them does not re-wrap their key files at the full cost.
os.environ["WAYMARK_SCRYPT_N"] = str(FAST_SCRYPT)
TODAY = date(2026, 11, 22)


@pytest.fixture
def profile_dir(tmp_path: Path) -> Path:
    return tmp_path / "profile"


@pytest.fixture
def app(profile_dir: Path):
    """An open profile whose 'today' is fixed, so rules are deterministic."""
    waymark = Waymark.create_profile(profile_dir, PASSPHRASE, worker_name="Ann Tutor", scrypt_n=FAST_SCRYPT)
    waymark.today = lambda: TODAY
    yield waymark
    waymark.close()


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path:
    """The demo caseload, made once per test run (per worker under xdist); read
    it through demo_dir, a private copy, so no test sees another's changes."""
    from desktop.services.demo import fill_demo

    path = tmp_path_factory.mktemp("demo-template") / "profile"
    app = Waymark.create_profile(
        path,
        PASSPHRASE,
        worker_name="Ann Tutor",
        service_name="Lancashire Traveller Education Service",
        scrypt_n=FAST_SCRYPT,
    )
    app.today = lambda: TODAY
    fill_demo(app)
    app.close()
    return path


@pytest.fixture
def demo_dir(demo_template: Path, tmp_path: Path) -> Path:
    """A private copy of the demo profile, so tests can change it."""
    target = tmp_path / "demo"
    shutil.copytree(demo_template, target)
    return target
