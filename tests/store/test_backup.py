"""Backups made while the profile is in use, and restored after damage (issue 10: 4.6)."""

from __future__ import annotations

import hashlib
import os
import stat
import subprocess
import sys
import threading
import zipfile
from datetime import date, timedelta

import pytest

from desktop.domain.records import Pupil
from desktop.services import Waymark, backups
from desktop.store import NotAStore, StoreError, WrongPassphrase
from desktop.store.db import DB_NAME, KEY_NAME
from tests.conftest import FAST_SCRYPT, PASSPHRASE

TODAY = date(2026, 11, 22)


def new_profile(folder, pupils=3):
    app = Waymark.create_profile(folder, PASSPHRASE, worker_name="Ann Tutor", scrypt_n=FAST_SCRYPT)
    app.today = lambda: TODAY
    for i in range(pupils):
        app.add_pupil(Pupil(forename=f"Seán {i}", surname="Ó Súilleabháin", dob=date(2017, 3, 2)))
    return app


def names(folder):
    app = Waymark.open_profile(folder, PASSPHRASE)
    try:
        return sorted(p.forename for p in app.list_pupils())
    finally:
        app.close()


def test_a_backup_made_while_another_writer_works_restores_after_damage(tmp_path):
    folder = tmp_path / "profile"
    app = new_profile(folder)
    other = Waymark.open_profile(folder, PASSPHRASE)  # the app, open and writing meanwhile
    stop = threading.Event()

    def keep_writing():
        i = 0
        while not stop.is_set() and i < 200:
            other.add_pupil(Pupil(forename=f"Writer {i}", surname="Kowalski", dob=date(2016, 1, 1)))
            i += 1

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        info = backups.make_backup(app, tmp_path / "monday.zip")
    finally:
        stop.set()
        writer.join()
    other.close()
    app.close()
    backup = tmp_path / "monday.zip"
    assert info.path == backup and stat.S_IMODE(backup.stat().st_mode) == 0o600
    raw = backup.read_bytes()
    assert "Súilleabháin".encode() not in raw and "Seán".encode() not in raw and b"SQLite format 3" not in raw
    with zipfile.ZipFile(backup) as archive:
        assert sorted(archive.namelist()) == ["backup.json", DB_NAME, KEY_NAME]
    at_backup = names(folder)

    # Damage: bytes flipped through the store. The profile says so; the backup brings it back.
    db = folder / DB_NAME
    damaged = bytearray(db.read_bytes())
    for page in range(1, len(damaged) // 4096):
        damaged[page * 4096 + 50] ^= 0xFF
    db.write_bytes(bytes(damaged))
    with pytest.raises(NotAStore, match="damaged"):
        names(folder)
    with pytest.raises(StoreError, match="--replace"):
        backups.restore(backup, folder, PASSPHRASE)
    assert db.read_bytes() == bytes(damaged)  # refused: nothing moved
    manifest, kept = backups.restore(backup, folder, PASSPHRASE, replace=True)
    restored = names(folder)
    assert [n for n in restored if n.startswith("Seán")] == ["Seán 0", "Seán 1", "Seán 2"]
    assert set(restored) <= set(at_backup)  # a moment of the profile, whole: nothing invented
    assert kept is not None and (kept / DB_NAME).read_bytes() == bytes(damaged)  # never deleted
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert manifest["schema"] >= 1


def test_restore_onto_a_new_machine_and_the_last_backup_is_remembered(tmp_path):
    app = new_profile(tmp_path / "old")
    week = date.today() + backups.REMIND_AFTER  # the profile and its backup are made today, really
    assert backups.backup_reminder(app, date.today()) is None
    assert "never been backed up" in backups.backup_reminder(app, week)
    backups.make_backup(app, tmp_path / "b.zip")
    assert backups.last_backup(app) is not None
    assert backups.backup_reminder(app, week - timedelta(days=1)) is None
    assert "7 days ago" in backups.backup_reminder(app, week)
    app.close()
    _, kept = backups.restore(tmp_path / "b.zip", tmp_path / "new" / "profile", PASSPHRASE)
    assert kept is None and names(tmp_path / "new" / "profile") == ["Seán 0", "Seán 1", "Seán 2"]
    restored = Waymark.open_profile(tmp_path / "new" / "profile", PASSPHRASE)
    try:  # the backup itself was written to the trail, after the copy; the restore in the copy
        actions = [e.action for e in restored.audit_trail()]
        assert "restore" in actions and "backup" not in actions
    finally:
        restored.close()
    original = Waymark.open_profile(tmp_path / "old", PASSPHRASE)
    try:
        assert "backup" in [e.action for e in original.audit_trail()]
    finally:
        original.close()


def sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_bad_backup_or_passphrase_changes_nothing(tmp_path):
    app = new_profile(tmp_path / "p")
    backups.make_backup(app, tmp_path / "b.zip")
    app.close()
    before = sha(tmp_path / "p" / DB_NAME)
    with pytest.raises(WrongPassphrase, match="when it was made"):
        backups.restore(tmp_path / "b.zip", tmp_path / "p", "another long passphrase", replace=True)
    raw = bytearray((tmp_path / "b.zip").read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    (tmp_path / "bad.zip").write_bytes(bytes(raw))
    (tmp_path / "text.zip").write_text("not a zip")
    for bad in ("bad.zip", "text.zip"):
        with pytest.raises(NotAStore, match="not a Waymark backup"):
            backups.restore(tmp_path / bad, tmp_path / "p", PASSPHRASE, replace=True)
    with pytest.raises(StoreError, match="no file"):
        backups.restore(tmp_path / "missing.zip", tmp_path / "p", PASSPHRASE, replace=True)
    assert sha(tmp_path / "p" / DB_NAME) == before
    assert sorted(os.listdir(tmp_path)) == ["b.zip", "bad.zip", "p", "text.zip"]  # no staging left behind


def test_a_profile_open_in_another_process_is_not_replaced(tmp_path):
    app = new_profile(tmp_path / "p")
    backups.make_backup(app, tmp_path / "b.zip")
    app.close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from desktop.services import Waymark; "
            f"a = Waymark.open_profile({str(tmp_path / 'p')!r}, {PASSPHRASE!r}); a.list_pupils(); "
            "print('open', flush=True); sys.stdin.readline(); a.close()",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": os.getcwd()},
    )
    try:
        assert holder.stdout.readline().strip() == "open"
        assert backups.profile_in_use(tmp_path / "p")
        with pytest.raises(StoreError, match="open in Waymark"):
            backups.restore(tmp_path / "b.zip", tmp_path / "p", PASSPHRASE, replace=True)
    finally:
        holder.communicate("\n", timeout=60)
    assert not backups.profile_in_use(tmp_path / "p")
