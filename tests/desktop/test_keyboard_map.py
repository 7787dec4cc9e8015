"""One keyboard map with no clashes: in every window and dialog, each Alt+letter and
each shortcut reaches one thing only, and the menus' letters differ within each
menu. Ctrl+L locks from every window; Quit is Ctrl+Q."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from desktop.domain.records import Plan
from desktop.services import Waymark
from desktop.ui.print_preview import PrintPreviewDialog
from tests.conftest import FAST_SCRYPT, PASSPHRASE, TODAY
from tests.desktop.keymap import clashes, keyboard_map, menu_clashes
from tests.desktop.shell_helpers import unlock


def check(window, where: str, found: dict[str, list[str]]) -> None:
    found.update({f"{where}: {key}": owners for key, owners in clashes(window).items()})


def visible_dialogs(root) -> list[QDialog]:
    return [d for d in root.findChildren(QDialog) if shiboken6.isValid(d) and d.isVisible()]


def test_no_key_reaches_two_things_anywhere(demo_window, make_window, tmp_path):
    window = demo_window
    workspace = window.workspace
    pupil_id = workspace.model.row_at(0).pupil_id
    plan = Plan(pupil_id=pupil_id, title="Reintegration", start=TODAY, success_criteria="Three mornings in class")
    window.runner.run(lambda: window.app.add_plan(plan))  # an open plan: Record a review has a form
    workspace.open_pupil(pupil_id)
    view = workspace.pupil_view
    found: dict[str, list[str]] = {}

    assert menu_clashes(window.menuBar()) == {}
    for index in range(view.tabs.count()):
        view.tabs.setCurrentIndex(index)
        check(window, f"caseload, record tab {view.tabs.tabText(index)}", found)
    assert keyboard_map(window)["Alt+P"] == ["menu 'Pupils'"]  # Alt+P opens the Pupils menu
    workspace.show_appointments()
    check(window, "appointments", found)
    workspace.show_caseload()

    forms = {
        "Log a visit": window.log_visit,
        "Add a pupil": window.add_pupil,
        "Add a school": window.add_school,
        "Work packs": workspace.open_packs,
        "Audit trail": window.open_audit_trail,
        **{
            name: getattr(view, method)
            for name, method in (
                ("Add an action", "add_action"),
                ("Add provision", "add_episode"),
                ("Record a move", "record_move"),
                ("Add a plan", "add_plan"),
                ("Record a review", "record_review"),
                ("Add a parent or carer", "add_contact"),
                ("Edit details", "edit_details"),
                ("Record progress", "record_progress"),
                ("Record a consent", "add_consent"),
                ("Record an absence", "add_absence"),
                ("Book", "book"),
                ("Subject access", "subject_access"),
            )
        },
        "Progress record period": lambda: view.choose_period("progress"),
        "Record a concern": view.concerns.record_concern,
    }
    for name, open_form in forms.items():
        dialog = open_form()
        assert dialog is not None, name
        check(dialog, name, found)
        dialog.close()
    window._open_settings()
    [settings] = visible_dialogs(workspace)
    check(settings, "Settings", found)
    settings.close()

    workspace.print_report("visit", window.app.list_visits(pupil_id)[0].id)
    [preview] = [d for d in visible_dialogs(window) if isinstance(d, PrintPreviewDialog)]
    check(preview, "Print preview", found)
    preview.close()

    school = window.add_school()
    school.name.setText("Ysgol Pen y Bryn")
    school.reject()  # asks before discarding what was typed
    box = school.discard_question
    assert isinstance(box, QMessageBox)
    check(box, "Discard question", found)
    box.reject()
    school.drafts.discard()
    school.close()

    window.lock()
    check(window, "unlock page", found)
    first = make_window(tmp_path / "new")
    check(first, "first run", found)
    assert found == {}


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
