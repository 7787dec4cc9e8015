"""The Audit view (File → Audit trail), the subject access copy from a pupil's
record, and unlocking through the OS keyring (an in-memory backend), offscreen."""

from __future__ import annotations

import stat

import keyring
import pytest
import shiboken6
from PySide6.QtWidgets import QApplication, QInputDialog
from sqlalchemy import update

from desktop.ui.audit_view import AuditDialog
from desktop.ui.main_window import SettingsDialog
from tests.conftest import PASSPHRASE
from tests.desktop.shell_helpers import visible_texts
from tests.services.test_keyring import MemoryKeyring


def table_texts(dialog: AuditDialog) -> list[list[str]]:
    t = dialog.table
    return [[t.item(r, c).text() for c in range(t.columnCount())] for r in range(t.rowCount())]


def test_the_audit_trail_filters_by_pupil_and_finds_a_break(demo_window):
    window = demo_window
    row = window.workspace.model.row_at(0)
    window.app.edit_pupil(row.pupil_id, medical_needs="Hay fever")
    dialog = window.open_audit_trail()
    rows = table_texts(dialog)
    assert rows[0][1:3] == ["Ann Tutor", "Changed"] and "→ Hay fever" in rows[0][4]  # newest first
    assert any(r[2] == "Signed in" and r[4] == "unlocked (app)" for r in rows)

    dialog.pupil.setCurrentIndex(dialog.pupil.findData(row.pupil_id))
    about = table_texts(dialog)
    assert about and len(about) < len(rows)
    assert all(r[2] != "Signed in" for r in about)
    assert dialog.status.text() == f"{len(about)} entries."

    dialog.verify_button.click()
    assert dialog.verify_result.text().startswith("The trail is intact:")
    table = window.app.store.tables["audit_event"]
    with window.app.store.engine.begin() as conn:  # someone edits a row behind the app's back
        conn.execute(update(table).where(table.c.seq == 3).values(actor="Nobody"))
    dialog.verify_button.click()
    assert dialog.verify_result.text().startswith("The trail is broken at row 3 (")
    assert "its contents were changed" in dialog.verify_result.text()


def test_the_audit_trail_filters_by_date(demo_window):
    dialog = demo_window.open_audit_trail()
    assert dialog.table.rowCount() > 0  # everything happened today (by the clock)
    dialog.end.setDate(dialog.start.date())  # a day ninety days ago: nothing then
    assert dialog.table.rowCount() == 0 and dialog.status.text() == "0 entries."


def test_locking_writes_a_row_and_closes_the_audit_view(demo_window, qtbot):
    window = demo_window
    dialog = window.open_audit_trail()
    name = dialog.pupil.itemText(1)
    window.lock()
    QApplication.processEvents()
    assert not shiboken6.isValid(dialog) or not dialog.isVisible()
    everything = " ".join(" ".join(visible_texts(w)) for w in QApplication.topLevelWidgets() if w.isVisible())
    assert name.split(" (")[0] not in everything
    window.unlock_page.passphrase.setText(PASSPHRASE)
    window.unlock_page.unlock_button.click()
    actions = [(e.action, e.summary) for e in window.app.audit_trail(limit=2)]
    assert actions == [("sign-in", "unlocked (app)"), ("lock", "locked (by the user)")]


def test_a_subject_access_copy_from_the_record(demo_window, tmp_path):
    window = demo_window
    row = window.workspace.model.row_at(0)
    window.workspace.open_pupil(row.pupil_id)
    record = window.workspace.pupil_view
    dialog = record.subject_access()
    dialog.folder.setText(str(tmp_path / "missing"))
    dialog.submit()
    assert dialog.isVisible() and "Choose a folder you can write to" in dialog.banner.text()
    dialog.folder.setText(str(tmp_path))
    dialog.submit()
    for name in ("subject-access.json", "subject-access.pdf"):
        path = tmp_path / name
        assert path.stat().st_size > 100 and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert row.legal_name in (tmp_path / "subject-access.json").read_text(encoding="utf-8")
    assert "Saved the subject access copy" in record.banner.text()
    made = window.app.audit_trail(pupil_id=row.pupil_id)[0]
    assert (made.action, made.summary) == ("export", "subject access copy")


@pytest.fixture
def memory_keyring():
    before = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(before)


def test_keyring_unlock_from_settings_and_the_idle_lock_still_clears(demo_window, memory_keyring, monkeypatch, qtbot):
    window = demo_window
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: (PASSPHRASE, True))
    window._open_settings()
    dialog = next(d for d in window.findChildren(SettingsDialog) if d.isVisible())
    assert dialog.keyring.isEnabled() and not dialog.keyring.isChecked()
    dialog.keyring.setChecked(True)
    dialog.accept()
    assert window.app.settings().keyring_unlock is True and len(memory_keyring.secrets) == 1
    name = window.workspace.model.row_at(0).name

    window.idle.start(50)
    qtbot.waitUntil(lambda: window.is_locked, timeout=3000)
    everything = " ".join(" ".join(visible_texts(w)) for w in QApplication.topLevelWidgets() if w.isVisible())
    assert name not in everything and window.pages.currentWidget() is window.unlock_page
    assert window.unlock_page.keyring_button.isVisible()

    window.unlock_page.keyring_button.click()
    assert not window.is_locked
    assert window.app.audit_trail(limit=1)[0].summary == "unlocked (system keyring)"


def test_settings_the_la_policy_decides_are_shown_not_offered(demo_window):
    window = demo_window
    window.app.set_la_policy(retention_destroy_years=25, auto_lock_max_minutes=15)
    window._open_settings()
    dialog = next(d for d in window.findChildren(SettingsDialog) if d.isVisible())
    assert not dialog.destroy_years.isEnabled() and dialog.destroy_years.value() == 25
    assert dialog.archive_years.isEnabled()  # not in the policy: the worker's to choose
    assert dialog.auto_lock.maximum() == 15 and dialog.auto_lock.value() <= 15
    assert "local authority" in dialog.destroy_years.toolTip()
    dialog.archive_years.setValue(3)
    dialog.accept()
    settings = window.app.settings()
    assert (settings.retention_archive_years, settings.retention_destroy_years) == (3, 25)


def test_a_policy_that_forbids_the_keyring_greys_it_out(demo_window, memory_keyring):
    window = demo_window
    window.app.set_la_policy(keyring_unlock="forbidden")
    window._open_settings()
    dialog = next(d for d in window.findChildren(SettingsDialog) if d.isVisible())
    assert not dialog.keyring.isEnabled() and "not allowed" in dialog.keyring.text()
    dialog.reject()
    window.lock()
    assert not window.unlock_page.keyring_button.isVisible()
