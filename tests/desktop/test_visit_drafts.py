"""A visit being typed is kept as a draft: two siblings with different work survive
the idle lock (each child's own work, who was ticked, the notes) and a kill -9."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
from datetime import date
from pathlib import Path

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from desktop.domain.enums import NotSeenReason
from desktop.domain.records import Pupil
from desktop.services import Waymark
from desktop.ui.visit_dialog import VisitDialog
from tests.conftest import FAST_SCRYPT, PASSPHRASE
from tests.desktop.shell_helpers import unlock

ROOT = Path(__file__).resolve().parents[2]


def open_visits(window) -> list[VisitDialog]:
    return [d for d in window.findChildren(VisitDialog) if shiboken6.isValid(d) and d.isVisible()]


def pupil_named(window, name: str) -> str:
    return next(r.pupil_id for r in window.workspace.model.rows() if r.name == name)


def test_two_siblings_work_survives_the_idle_lock(demo_window, qtbot):
    window = demo_window
    noah, lily = pupil_named(window, "Noah Boswell"), pupil_named(window, "Lily Boswell")
    dialog = window.log_visit(noah)
    if lily not in dialog.pupil_ids():
        item = next(
            dialog.pupils.item(i)
            for i in range(dialog.pupils.count())
            if dialog.pupils.item(i).data(Qt.ItemDataRole.UserRole) == lily
        )
        item.setCheckState(Qt.CheckState.Checked)
    dialog.same_for_all.setChecked(False)  # a tab each
    dialog.entry_form(noah).work_covered.setPlainText("Phonics: s, a, t, p")
    dialog.entry_form(lily).work_covered.setPlainText("Ratio and proportion")
    dialog.entry_form(lily).levels.setText("Secure with equivalent fractions")
    dialog.family_note.setPlainText("Both worked hard.")
    dialog.professional_note.setPlainText("Dad says they move on after the fair.")
    window.idle.idle.emit()
    assert window.is_locked and open_visits(window) == []

    unlock(window, PASSPHRASE)
    [again] = open_visits(window)
    assert again.banner.text().startswith("You have an unsaved visit for Lily and Noah Boswell")  # by first name
    assert noah in again.pupil_ids() and lily in again.pupil_ids()
    assert not again.same_for_all.isChecked()
    assert again.entry_form(noah).work_covered.toPlainText() == "Phonics: s, a, t, p"
    assert again.entry_form(lily).work_covered.toPlainText() == "Ratio and proportion"
    assert again.entry_form(lily).levels.text() == "Secure with equivalent fractions"
    assert again.family_note.toPlainText() == "Both worked hard."
    assert again.professional_note.toPlainText() == "Dad says they move on after the fair."
    with qtbot.waitSignal(again.saved):
        again.save()
    assert window.app.drafts() == []  # saved as a visit: the draft is gone
    visit = window.app.list_visits(lily)[0]
    by_child = {e.pupil_id: e for e in visit.entries}
    assert by_child[lily].work_covered == "Ratio and proportion" and by_child[noah].work_covered.startswith("Phonics")


def test_a_child_not_seen_is_kept_as_such(demo_window):
    window = demo_window
    noah, lily = pupil_named(window, "Noah Boswell"), pupil_named(window, "Lily Boswell")
    dialog = window.log_visit(noah)
    for i in range(dialog.pupils.count()):
        item = dialog.pupils.item(i)
        if item.data(Qt.ItemDataRole.UserRole) == lily:
            item.setCheckState(Qt.CheckState.Checked)
            dialog.pupils.setCurrentRow(i)
    dialog.seen.setCurrentIndex(dialog.seen.findData(NotSeenReason.ASLEEP.value))
    dialog.entry_form(noah).work_covered.setPlainText("Phonics")
    window.lock()
    unlock(window, PASSPHRASE)
    [again] = open_visits(window)
    assert again.work.not_seen == {lily: NotSeenReason.ASLEEP}
    assert [e.seen for e in again.entries() if e.pupil_id == lily] == [False]


def test_esc_on_a_typed_visit_asks_first(demo_window):
    window = demo_window
    dialog = window.log_visit(pupil_named(window, "Noah Boswell"))
    QTest.keyClick(dialog, Qt.Key.Key_Escape)
    assert open_visits(window) == []  # nothing typed: it just closes
    dialog = window.log_visit(pupil_named(window, "Noah Boswell"))
    dialog.family_note.setPlainText("Lovely reading today.")
    QTest.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.isVisible() and dialog.discard_question is not None
    dialog.discard_question.reject()


def test_a_killed_app_offers_the_visit_when_started_again(make_window, tmp_path, qtbot):
    data_dir = tmp_path / "profile"
    app = Waymark.create_profile(data_dir, PASSPHRASE, worker_name="Ann Tutor", scrypt_n=FAST_SCRYPT)
    app.add_pupil(Pupil(forename="Levi", surname="Lee", dob=date(2016, 3, 1)))
    app.close()
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.desktop.kill_driver", str(data_dir), str(tmp_path / "ui.ini"), "visit"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "WAYMARK_PASSPHRASE": PASSPHRASE},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        ready, _, _ = select.select([process.stdout], [], [], 300)  # a hung child fails the test, not the run
        assert ready and process.stdout.readline().strip() == "kept"
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait(timeout=60)
    window = make_window(data_dir)
    unlock(window, PASSPHRASE)
    [again] = open_visits(window)
    assert again.work.shared.work_covered.toPlainText() == "Times tables: 3, 4 and 8"
    assert again.banner.text().startswith("You have an unsaved visit for Levi Lee")
