"""The idle lock: it follows the setting, any input postpones it, and locking
clears every view and closes every dialog."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from desktop.ui.main_window import SettingsDialog
from tests.conftest import PASSPHRASE
from tests.desktop.shell_helpers import unlock, visible_texts


def test_idle_time_comes_from_the_profile_settings(demo_window):
    assert demo_window.app.settings().auto_lock_minutes == 10
    assert demo_window.idle._timer.interval() == 10 * 60_000
    assert demo_window.idle.active


def test_locks_after_the_idle_time_and_input_postpones_it(demo_window, qtbot):
    window = demo_window
    window.idle.start(400)
    for _ in range(6):  # 600 ms of typing: never idle for 400 ms
        QTest.qWait(100)
        QTest.keyClick(window.workspace.search, Qt.Key.Key_A)
    assert not window.is_locked
    qtbot.waitUntil(lambda: window.is_locked, timeout=3000)
    assert window.pages.currentWidget() is window.unlock_page


def test_lock_clears_every_view_and_closes_dialogs(demo_window, qtbot):
    window = demo_window
    workspace = window.workspace
    name = workspace.model.row_at(0).name
    dialog = window.log_visit()
    dialog.work_covered.setPlainText("Secret words")
    assert name.split()[0] in " ".join(visible_texts(dialog))

    window.lock()
    QApplication.processEvents()
    assert not shiboken6.isValid(dialog) or not dialog.isVisible()
    everything = " ".join(" ".join(visible_texts(w)) for w in QApplication.topLevelWidgets() if w.isVisible())
    assert name not in everything and "Secret words" not in everything
    assert workspace.closed and workspace.model.rowCount() == 0
    assert window.sync_label.text() == ""
    assert not window.idle.active

    unlock(window, PASSPHRASE)
    assert window.workspace is not workspace  # a fresh workspace for the new session
    assert window.workspace.model.rowCount() > 0


def test_late_results_after_lock_are_dropped(demo_window):
    """A caseload load that finishes after the lock must not fill anything."""
    window = demo_window
    workspace = window.workspace
    workspace.clear()
    workspace._loaded(window.app.caseload())  # the callback a late result would reach
    assert workspace.model.rowCount() > 0  # the slot itself works...
    rows = []
    workspace.call(window.app.caseload, rows.append)
    assert rows == []  # ...but results routed through the session guard are dropped


def test_geometry_is_remembered(make_window, demo_dir, ui_settings):
    window = make_window(demo_dir)
    window.resize(700, 500)  # the offscreen screen is 800×600; restoreGeometry keeps windows on it
    window.close()
    assert ui_settings.value("window/geometry") is not None
    again = make_window(demo_dir, size=None)
    assert (again.width(), again.height()) == (700, 500)


def test_settings_change_the_idle_lock_and_the_title(demo_window):
    window = demo_window
    window._open_settings()
    dialog = next(d for d in window.findChildren(SettingsDialog) if d.isVisible())
    dialog.auto_lock.setValue(3)
    dialog.service_name.setText("Lancashire TES")
    dialog.accept()
    assert window.app.settings().auto_lock_minutes == 3
    assert window.idle._timer.interval() == 3 * 60_000
    assert window.windowTitle() == "Waymark — Lancashire TES"
