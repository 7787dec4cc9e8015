"""Nothing typed is lost: forms keep drafts in the encrypted store as they are typed,
Esc asks before throwing typed text away, the idle lock keeps the draft and the
form comes back after unlocking, and so it does after the app is killed."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
from pathlib import Path

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox

from desktop.domain.records import Draft
from desktop.services import Waymark
from desktop.ui.drafts import DraftKeeper, read_fields
from desktop.ui.places import SchoolDialog
from desktop.ui.pupil_dialog import AddPupilDialog
from tests.conftest import FAST_SCRYPT, PASSPHRASE
from tests.desktop.shell_helpers import unlock

ROOT = Path(__file__).resolve().parents[2]


def open_school_dialogs(window) -> list[SchoolDialog]:
    return [d for d in window.findChildren(SchoolDialog) if shiboken6.isValid(d) and d.isVisible()]


def test_typing_saves_a_draft_after_a_pause(demo_window, qtbot):
    dialog = demo_window.add_school()
    assert demo_window.app.draft("school") is None
    QTest.keyClicks(dialog.name, "Ysgol Pen y Bryn")
    with qtbot.waitSignal(dialog.drafts.saved, timeout=5000):  # the pause in typing, then the save
        pass
    kept = demo_window.app.draft("school")
    assert kept.fields["School name"] == "Ysgol Pen y Bryn"
    assert kept.title == "new school"


def test_saving_the_record_throws_the_draft_away(demo_window, qtbot):
    dialog = demo_window.add_school()
    for field, text in ((dialog.name, "Ysgol Pen y Bryn"), (dialog.urn, "401234"), (dialog.la_code, "661")):
        field.setText(text)
    dialog.estab.setText("2044")
    dialog.drafts.save_now()
    assert demo_window.app.draft("school") is not None
    with qtbot.waitSignal(dialog.saved):
        dialog.submit()
    assert demo_window.app.draft("school") is None


def test_esc_with_typed_text_asks_before_discarding(demo_window, qtbot):
    dialog = demo_window.add_school()
    dialog.name.setText("Ysgol Pen y Bryn")
    dialog.drafts.save_now()
    QTest.keyClick(dialog, Qt.Key.Key_Escape)
    box = dialog.discard_question
    assert isinstance(box, QMessageBox) and box.isVisible()
    assert "new school" in box.text()
    assert box.defaultButton().text() == "&Keep editing"  # Enter keeps the text
    QTest.keyClick(box, Qt.Key.Key_Escape)  # Esc on the question keeps editing too
    assert dialog.isVisible() and dialog.name.text() == "Ysgol Pen y Bryn"
    assert demo_window.app.draft("school") is not None

    QTest.keyClick(dialog, Qt.Key.Key_Escape)
    box = dialog.discard_question
    discard = next(b for b in box.buttons() if b.text() == "&Discard")
    discard.click()
    qtbot.waitUntil(lambda: not shiboken6.isValid(dialog) or not dialog.isVisible())
    assert demo_window.app.draft("school") is None


def test_esc_with_nothing_typed_closes_at_once(demo_window, qtbot):
    dialog = demo_window.add_school()
    QTest.keyClick(dialog, Qt.Key.Key_Escape)
    assert not shiboken6.isValid(dialog) or not dialog.isVisible()
    assert demo_window.app.draft("school") is None


def test_the_idle_lock_keeps_the_draft_and_unlocking_brings_it_back(demo_window, qtbot):
    window = demo_window
    dialog = window.add_school()
    dialog.name.setText("Ysgol Pen y Bryn")
    dialog.contact_name.setText("Mrs Ellis")  # typed less than a pause before the lock: still kept
    window.idle.idle.emit()  # the idle lock
    assert window.is_locked
    assert open_school_dialogs(window) == []

    unlock(window, PASSPHRASE)
    assert not window.is_locked
    [again] = open_school_dialogs(window)
    assert again.name.text() == "Ysgol Pen y Bryn"
    assert again.contact_name.text() == "Mrs Ellis"
    assert again.banner.isVisible()
    assert again.banner.text().startswith("You have an unsaved new school, kept at ")
    assert window.workspace.drafts_bar.isHidden()  # the only draft is open, so nothing waits in the bar


def test_several_drafts_are_listed_to_reopen_or_discard_each(demo_window, qtbot):
    window = demo_window
    add = window.add_pupil()
    add.forename.setText("Mirela")
    add.drafts.save_now()
    add.drafts.keep()
    add.close()
    school = window.add_school()
    school.name.setText("Ysgol Pen y Bryn")
    window.lock()
    unlock(window, PASSPHRASE)
    # Two kept: neither opens by itself; the bar lists both, the newest first.
    assert open_school_dialogs(window) == []
    bar = window.workspace.drafts_bar
    assert bar.isVisible() and bar.text.text() == "You have 2 unsaved forms. Reopen or discard each:"
    assert [text.text().split(", kept")[0] for text, _reopen, _discard in bar.rows] == ["New school", "New pupil"]
    assert all(reopen.isVisible() and discard.isVisible() for _text, reopen, discard in bar.rows)
    bar.rows[1][1].click()  # Reopen the pupil
    pupils = [d for d in window.findChildren(AddPupilDialog) if shiboken6.isValid(d) and d.isVisible()]
    assert [d.forename.text() for d in pupils] == ["Mirela"]
    assert bar.text.text().startswith("You have an unsaved new school, kept at ")  # the other still waits
    [pupil] = pupils
    pupil.reject()  # typed text: it asks
    later = next(b for b in pupil.discard_question.buttons() if b.text() == "Keep for &later")
    later.click()
    qtbot.waitUntil(lambda: not shiboken6.isValid(pupil) or not pupil.isVisible())
    assert window.app.draft("pupil").fields["Forename"] == "Mirela"  # kept, and offered again
    assert {text.text().split(", kept")[0] for text, _r, _d in bar.rows} == {"New pupil", "New school"}


def test_discarding_from_the_bar(demo_window, qtbot):
    window = demo_window
    window.app.save_draft(Draft(kind="pupil", title="new pupil", fields={"Forename": "Mirela"}))
    school = window.add_school()
    school.name.setText("Ysgol Pen y Bryn")
    window.lock()
    unlock(window, PASSPHRASE)
    bar = window.workspace.drafts_bar
    [pupil_row] = [row for row in bar.rows if row[0].text().startswith("New pupil")]
    pupil_row[2].click()
    assert window.app.draft("pupil") is None
    assert window.app.draft("school") is not None
    assert bar.text.text().startswith("You have an unsaved new school")
    bar.discard_button.click()  # the one left: its own Discard
    assert bar.isHidden() and window.app.drafts() == []


def test_passphrases_are_never_kept(demo_window):
    window = demo_window
    window.lock()
    assert "Passphrase" not in read_fields(window.unlock_page)


def test_a_killed_app_offers_the_draft_when_started_again(make_window, tmp_path, qtbot):
    """The real app in another process (its own store thread): type into Add a school,
    wait for the draft, kill -9. Started again, the form opens as it was left."""
    data_dir = tmp_path / "profile"
    Waymark.create_profile(data_dir, PASSPHRASE, worker_name="Ann Tutor", scrypt_n=FAST_SCRYPT).close()
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.desktop.kill_driver", str(data_dir), str(tmp_path / "ui.ini")],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen", "WAYMARK_PASSPHRASE": PASSPHRASE},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        ready, _, _ = select.select([process.stdout], [], [], 300)  # a hung child fails the test, not the run
        assert ready and process.stdout.readline().strip() == "kept"
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL

    window = make_window(data_dir)
    unlock(window, PASSPHRASE)
    [again] = open_school_dialogs(window)
    assert again.name.text() == "Ysgol Pen y Bryn"
    assert "You have an unsaved new school" in again.banner.text()


def test_a_pupil_has_no_date_of_birth_until_one_is_typed(demo_window):
    dialog = demo_window.add_pupil()
    assert dialog.dob.text() == ""
    dialog.forename.setText("Mirela")
    dialog.surname.setText("Lăcătuș")
    dialog.save()
    assert dialog.isVisible() and dialog.error.text() == "Enter the date of birth."
    dialog.dob.setText("31/02/2018")
    dialog.save()
    assert "not a date that exists" in dialog.error.text()
    dialog.dob.setFocus()
    dialog.dob.setText("30/11/18")
    dialog.dob.editingFinished.emit()
    assert dialog.dob.text() == "30 Nov 2018"  # shown as every other date in the app
    assert dialog.arrived.displayFormat() == "d MMM yyyy"


def test_every_small_form_keeps_a_draft(demo_window):
    """The forms wired so far each have a keeper that starts once shown."""
    window = demo_window
    for dialog in (window.add_school(), window.add_pupil()):
        assert isinstance(dialog.drafts, DraftKeeper) and dialog.drafts.started
        dialog.reject()


def test_merges_of_sync_conflicts_kept_for_later_wait_in_the_bar_and_reopen_the_view(demo_window, qtbot):
    from desktop.ui.sync import ConflictsDialog

    window = demo_window
    # Kept for later from File → Sync conflicts (the merge's conflict has since gone from this laptop).
    window.app.save_draft(
        Draft(kind="conflicts", title="merge of sync conflicts", context={"private": True}, fields={"c1": "Both"})
    )
    window.lock()
    unlock(window, PASSPHRASE)
    assert not [d for d in window.findChildren(ConflictsDialog) if d.isVisible()]  # private: never by itself
    bar = window.workspace.drafts_bar
    assert bar.isVisible() and bar.text.text().startswith("You have an unsaved merge of sync conflicts, kept ")
    bar.reopen_button.click()
    qtbot.waitUntil(lambda: any(d.isVisible() for d in window.findChildren(ConflictsDialog)))
    [dialog] = [d for d in window.findChildren(ConflictsDialog) if d.isVisible()]
    assert dialog.parentWidget() is window.workspace  # closing it refreshes the bar
    qtbot.waitUntil(lambda: dialog.drafts.started)
    assert dialog.typed == {}  # nothing to put it back into: the conflict is gone
    dialog.reject()
    qtbot.waitUntil(lambda: not shiboken6.isValid(dialog) or not dialog.isVisible())
    qtbot.waitUntil(lambda: window.app.draft("conflicts") is None)
    qtbot.waitUntil(lambda: bar.isHidden())
