"""Shared fixtures. Qt runs offscreen; profiles are real SQLCipher files made
with a cheap scrypt cost so the suite stays quick."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
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
