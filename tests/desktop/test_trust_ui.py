"""The app's side of issue 10: private exports, the passphrase rule, backups and
their weekly reminder."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import stat
import zipfile
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from desktop.services import Waymark
from desktop.ui.print_preview import PrintPreviewDialog
from tests.conftest import FAST_SCRYPT, PASSPHRASE
from tests.desktop.test_print_preview import make_pdf


@pytest.fixture(autouse=True)
def ordinary_umask():
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_save_as_pdf_is_readable_by_its_owner_only(qtbot, tmp_path: Path):
    dialog = PrintPreviewDialog(make_pdf(1), "Visit report SÓS 2026-11-20")
    qtbot.addWidget(dialog)
    assert dialog.save_to(tmp_path / "report.pdf")
    assert stat.S_IMODE((tmp_path / "report.pdf").stat().st_mode) == 0o600


def test_first_run_refuses_a_weak_passphrase_as_the_cli_does(make_window, profile_dir):
    window = make_window(profile_dir)
    page = window.first_run
    for weak in ("abcdefgh", "password", "aaaaaaaaaaaa"):
        page.passphrase.setText(weak)
        page.again.setText(weak)
        page.create_button.click()
        assert window.is_locked and "too weak" in page.error.text()
    assert not Waymark.profile_exists(profile_dir)


def unlock(window) -> None:
    window.unlock_page.passphrase.setText(PASSPHRASE)
    window.unlock_page.unlock_button.click()
    assert not window.is_locked


def test_a_week_without_a_backup_is_reminded_and_backing_up_clears_it(make_window, profile_dir, tmp_path):
    app = Waymark.create_profile(profile_dir, PASSPHRASE, scrypt_n=FAST_SCRYPT)
    app.store.set_setting("last_backup", "2026-11-01T09:00:00+00:00")  # three weeks before "today"
    app.close()
    window = make_window(profile_dir)
    assert not window.backup_action.isEnabled()
    unlock(window)
    assert window.backup_action.isEnabled()
    reminder = window.backup_reminder
    assert reminder.isVisible() and "21 days ago" in reminder.text.text()

    done = []
    window.backups.back_up_to(tmp_path / "monday", done.append)
    assert done == [True]
    backup = tmp_path / "monday.zip"
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    with zipfile.ZipFile(backup) as archive:
        assert "waymark.db" in archive.namelist()
    assert not reminder.isVisible()
    assert "Backed up to monday.zip" in window.statusBar().currentMessage()

    window.lock()
    assert not reminder.isVisible() and not window.backup_action.isEnabled()


def test_a_backup_that_cannot_be_written_says_why(make_window, profile_dir, tmp_path):
    Waymark.create_profile(profile_dir, PASSPHRASE, scrypt_n=FAST_SCRYPT).close()
    window = make_window(profile_dir)
    unlock(window)
    assert not window.backup_reminder.isVisible()  # made today: nothing due yet
    done = []
    window.backups.back_up_to(tmp_path / "no such folder" / "b.zip", done.append)
    assert done == [False]
    boxes = [b for b in window.findChildren(QMessageBox) if b.isVisible()]
    assert boxes and "backup was not made" in boxes[0].text() and "does not exist" in boxes[0].text()


def test_a_profile_whose_making_was_cut_short_is_made_afresh_from_first_run(make_window, profile_dir):
    profile_dir.mkdir()
    (profile_dir / "waymark.init").write_text("waymark init in progress\n")  # as a killed first run leaves it
    (profile_dir / "waymark.key").write_text("{")
    window = make_window(profile_dir)
    page = window.first_run
    assert window.pages.currentWidget() is page
    page.service_name.setText("Lancashire TES")
    page.passphrase.setText(PASSPHRASE)
    page.again.setText(PASSPHRASE)
    page.create_button.click()
    assert not window.is_locked
    assert not (profile_dir / "waymark.init").exists()
