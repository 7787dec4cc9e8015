"""One keyboard map with no clashes: in every window and dialog, each Alt+letter and
each shortcut reaches one thing only, and the menus' letters differ within each
menu. Ctrl+L locks from every window; Quit is Ctrl+Q."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from desktop.services import Waymark
from desktop.ui.print_preview import PrintPreviewDialog
from tests.conftest import FAST_SCRYPT, PASSPHRASE
from tests.desktop.keymap import clashes, keyboard_map, menu_clashes
from tests.desktop.shell_helpers import unlock
from tests.desktop.walk import dialog_classes, every_window


def check(window, where: str, found: dict[str, list[str]]) -> None:
    found.update({f"{where}: {key}": owners for key, owners in clashes(window).items()})


def visible_dialogs(root) -> list[QDialog]:
    return [d for d in root.findChildren(QDialog) if shiboken6.isValid(d) and d.isVisible()]


def test_no_key_reaches_two_things_anywhere(demo_window, make_window, tmp_path):
    """Walks the app's own list of every window (walk.every_window), not a list of its
    own: a window added there (and every dialog class must be, see
    test_drafts_every_form) is checked here too."""
    window = demo_window
    found: dict[str, list[str]] = {}
    checked: set[type] = set()
    places: list[str] = []
    assert menu_clashes(window.menuBar()) == {}
    assert keyboard_map(window)["Alt+P"] == ["menu 'Pupils'"]  # Alt+P opens the Pupils menu
    for where, widget in every_window(window, make_window, tmp_path):
        check(widget, where, found)
        checked.add(type(widget))
        places.append(where)
    assert found == {}
    # The walk reached every dialog of the app (a dialog it leaves out must be added to walk.py).
    missed = {c for c in dialog_classes() - checked if not issubclass(c, QMessageBox)}
    assert not missed, f"dialogs whose keys no test checks (add them to walk.py): {missed}"
    assert "unlock page" in places and "first run" in places and "Discard question" in places


def test_ctrl_l_locks_from_every_window(demo_window, qtbot):
    window = demo_window
    dialog = window.add_school()  # modal: the main window's own shortcut cannot fire
    QTest.keyClick(dialog.name, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.is_locked

    unlock(window, PASSPHRASE)
    for d in visible_dialogs(window):
        d.close()
    workspace = window.workspace
    workspace.print_report("summary", "")
    [preview] = [d for d in visible_dialogs(window) if isinstance(d, PrintPreviewDialog)]
    preview.activateWindow()
    QTest.keyClick(preview.view, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.is_locked
    assert not [d for d in window.findChildren(PrintPreviewDialog) if shiboken6.isValid(d) and d.isVisible()]

    unlock(window, PASSPHRASE)
    QTest.keyClick(window.workspace.table, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.is_locked
    QTest.keyClick(window.unlock_page.passphrase, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.is_locked and window.unlock_page.passphrase.text() == ""  # nothing to lock, nothing typed


def test_quit_is_ctrl_q(demo_window):
    assert demo_window.quit_action.shortcut().toString() == "Ctrl+Q"
    assert QApplication.instance() is not None


def test_ctrl_q_quits_from_inside_a_form_and_keeps_what_was_typed(demo_window):
    window = demo_window
    window.show()
    dialog = window.add_school()  # modal: the main window's own Quit shortcut cannot fire
    QTest.keyClicks(dialog.name, "Ysgol Pen y Bryn")
    QTest.keyClick(dialog.name, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    assert window.is_locked and not window.isVisible()  # closed: the profile is shut
    assert not visible_dialogs(window)
    app = Waymark.open_profile(window.data_dir, PASSPHRASE, scrypt_n=FAST_SCRYPT)
    try:
        [kept] = app.drafts()
        assert kept.kind == "school" and "Ysgol Pen y Bryn" in kept.fields.values()
    finally:
        app.close()
