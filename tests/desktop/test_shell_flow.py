"""The whole journey through the shell: first run, add a pupil, log a visit, see
it on the record, lock, and unlock again; and what a wrong passphrase does."""

from __future__ import annotations

from datetime import time

import shiboken6
from PySide6.QtCore import QDate, Qt, QTime
from PySide6.QtWidgets import QDialog, QMessageBox

from desktop.domain.enums import Outcome, Visibility
from desktop.services import Waymark
from desktop.ui.main_window import MainWindow
from desktop.ui.pupil_dialog import AddPupilDialog
from desktop.ui.visit_dialog import VisitDialog
from tests.conftest import FAST_SCRYPT, PASSPHRASE, TODAY
from tests.desktop.shell_helpers import unlock, visible_texts


def first_run(window: MainWindow) -> None:
    page = window.first_run
    page.service_name.setText("Lancashire Traveller Education Service")
    page.worker_name.setText("Ann Tutor")
    page.passphrase.setText(PASSPHRASE)
    page.again.setText(PASSPHRASE)
    page.create_button.click()


def test_first_run_add_pupil_log_visit_lock_unlock(make_window, profile_dir, qtbot):
    window = make_window(profile_dir)
    assert window.pages.currentWidget() is window.first_run
    assert window.is_locked and not window.log_visit_action.isEnabled()

    first_run(window)
    assert not window.is_locked
    assert window.windowTitle() == "Waymark — Lancashire Traveller Education Service"
    assert window.workspace.model.rowCount() == 0
    assert window.sync_label.text() == "Not connected to a server"

    # Add a pupil.
    dialog = window.add_pupil()
    assert isinstance(dialog, AddPupilDialog)
    dialog.forename.setText("Seán")
    dialog.surname.setText("Ó Súilleabháin")
    dialog.dob.setText("02/03/2016")
    dialog.upn.setText("R674123101121")
    dialog.save_button.click()
    assert not shiboken6.isValid(dialog) or not dialog.isVisible()
    workspace = window.workspace
    assert workspace.model.rowCount() == 1
    pupil_id = workspace.current_pupil_id()
    assert workspace.model.row_at(0).name == "Seán Ó Súilleabháin"

    # Log a visit for them.
    visit_dialog = window.log_visit()
    assert isinstance(visit_dialog, VisitDialog)
    assert visit_dialog.pupil_ids() == [pupil_id]
    assert visit_dialog.date.date() == QDate(2026, 11, 22)
    visit_dialog.start.setTime(QTime(10, 0))
    visit_dialog.end.setTime(QTime(11, 30))
    visit_dialog.subjects.setText("English, Maths")
    visit_dialog.work_covered.setPlainText("Phonics phase 3")
    visit_dialog.work_set.setText("Reading journal")
    visit_dialog.family_note.setPlainText("Lovely reading today")
    visit_dialog.professional_note.setPlainText("Dad mentioned moving on soon")
    visit_dialog.save_button.click()
    assert not shiboken6.isValid(visit_dialog) or not visit_dialog.isVisible()
    assert "Visit logged for Seán (1.5 hours)" in window.statusBar().currentMessage()
    assert workspace.model.row_at(0).last_visit == TODAY
    assert window.sync_label.text() == "Not connected to a server"
    window.app.store.set_setting("sync_server", "https://waymark.lancashire.example")  # once sync is set up
    window.refresh_sync_status()
    assert "changes waiting to sync · Last sync: never" in window.sync_label.text()

    # It is on the pupil's record: read back through the services.
    visits = window.app.list_visits(pupil_id)
    assert len(visits) == 1
    visit = visits[0]
    assert (visit.start, visit.end, visit.hours) == (time(10), time(11, 30), 1.5)
    assert [e.subjects for e in visit.entries] == [["English", "Maths"]]
    assert visit.outcome is Outcome.HELD
    assert [n.text for n in visit.notes_for(Visibility.FAMILY)] == ["Lovely reading today"]
    assert [n.text for n in visit.notes_for(Visibility.PROFESSIONAL)] == ["Dad mentioned moving on soon"]
    # And on the pupil record's visits timeline.
    workspace.pupil_view.show_tab("visits")
    assert "Phonics phase 3" in " ".join(visible_texts(workspace.pupil_view))

    # Print it: the preview opens on the report's PDF.
    workspace.pupil_view.print_requested.emit("visit", visit.id)
    preview = next(d for d in workspace.findChildren(QDialog) if type(d).__name__ == "PrintPreviewDialog")
    assert preview.isVisible() and preview.document.pageCount() >= 1

    # Lock: every view is cleared and the unlock screen shows.
    window.lock()
    assert window.is_locked
    assert window.pages.currentWidget() is window.unlock_page
    texts = " ".join(visible_texts(window))
    assert "Seán" not in texts and "Phonics" not in texts
    assert not window.log_visit_action.isEnabled()

    # Unlock again: the caseload is back.
    unlock(window, PASSPHRASE)
    assert not window.is_locked
    assert window.workspace.model.rowCount() == 1
    assert window.workspace.current_pupil_id() == pupil_id


def test_wrong_passphrase_says_so_and_lets_you_try_again(make_window, profile_dir):
    Waymark.create_profile(profile_dir, PASSPHRASE, scrypt_n=FAST_SCRYPT).close()
    window = make_window(profile_dir)
    page = window.unlock_page
    assert window.pages.currentWidget() is page

    unlock(window, "not the passphrase")
    assert window.is_locked
    assert page.error.isVisible()
    assert "not right" in page.error.text()
    assert page.passphrase.isEnabled() and page.passphrase.hasFocus()

    unlock(window, PASSPHRASE)
    assert not window.is_locked
    assert window.pages.currentWidget() is window.workspace


def test_first_run_checks_the_passphrase_twice(make_window, profile_dir):
    window = make_window(profile_dir)
    page = window.first_run
    page.passphrase.setText("short")
    assert "Too short" in page.strength.text()
    page.passphrase.setText(PASSPHRASE)
    assert page.strength.text() == "Strong."
    page.again.setText(PASSPHRASE + "x")
    page.create_button.click()
    assert window.is_locked
    assert "different" in page.error.text()
    assert not Waymark.profile_exists(profile_dir)


def test_a_report_that_cannot_be_made_says_why(demo_window):
    workspace = demo_window.workspace
    workspace.pupil_view.print_requested.emit("visit", "no-such-visit")
    boxes = [d for d in workspace.findChildren(QMessageBox) if d.isVisible()]
    assert boxes and "no-such-visit" in boxes[-1].text()
    assert "Traceback" not in boxes[-1].text()
    boxes[-1].close()


def test_file_menu_prints_the_caseload_summary(demo_window):
    workspace = demo_window.workspace
    assert demo_window.summary_action.isEnabled()
    demo_window.summary_action.trigger()
    preview = next(d for d in workspace.findChildren(QDialog) if type(d).__name__ == "PrintPreviewDialog")
    assert preview.isVisible() and "Caseload summary" in preview.windowTitle()
    assert preview.document.pageCount() >= 1
    text = preview.document.getAllText(0).text()
    assert "Caseload summary" in text or "caseload" in text.lower()
    preview.close()
    demo_window.lock()
    assert not demo_window.summary_action.isEnabled()


def test_ctrl_n_opens_log_a_visit_from_anywhere(demo_window, qtbot):
    workspace = demo_window.workspace
    workspace.search.setFocus()
    qtbot.keyClick(workspace.search, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = workspace._visit_dialog
    assert isinstance(dialog, VisitDialog) and dialog.isVisible()
    dialog.reject()


def test_adding_a_school_from_the_pupils_menu(demo_window, qtbot):
    assert demo_window.add_school_action.isEnabled()
    demo_window.add_school_action.trigger()
    dialog = next(d for d in demo_window.workspace.findChildren(QDialog) if type(d).__name__ == "SchoolDialog")
    dialog.name.setText("Ysgol Pen y Bryn")
    dialog.urn.setText("4012")
    dialog.la_code.setText("661")
    dialog.estab.setText("2044")
    dialog.submit()
    assert dialog.banner.text() == "A URN is 6 digits; '4012' is not." and dialog.isVisible()
    dialog.urn.setText("401234")
    with qtbot.waitSignal(dialog.saved):
        dialog.submit()
    add = demo_window.add_pupil()
    assert add.school.findText("Ysgol Pen y Bryn (661/2044)") > 0
    add.reject()
    demo_window.lock()
    assert not demo_window.add_school_action.isEnabled()
