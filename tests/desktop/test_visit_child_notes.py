"""Log a visit with a tab per child: each child's own notes reach only that child's
copies of the report (read back from the PDF), and a child not seen shows none of
the work that will not be kept."""

from __future__ import annotations

import io

import shiboken6
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop.domain.enums import NotSeenReason, Visibility
from desktop.ui.visit_dialog import VisitDialog
from tests.conftest import PASSPHRASE
from tests.desktop.shell_helpers import unlock, visible_texts
from tests.desktop.test_visit_keyboard import ALT, CTRL, two_siblings_last_seen_yesterday

SERVICE = "Lancashire Traveller Education Service"
NOAH_FAMILY = "Noah read his sound mat to Mum."
NOAH_PROFESSIONAL = "Noah's hearing check is still not booked."
LILY_FAMILY = "Lily's ratio work was her best yet."
LILY_PROFESSIONAL = "Lily says she is worried about moving school."
BOTH = "Lovely to see you both."


def pages(pdf: bytes) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


def copy_of(page: str) -> str:
    for title, copy in (
        ("Parent / carer copy", "parent"),
        (f"{SERVICE} copy", "service"),
        ("Base school copy", "school"),
    ):
        if page.endswith(title):
            return copy
    raise AssertionError(page[-200:])


def type_into(widget, text: str) -> None:
    assert widget.hasFocus(), QApplication.focusWidget().accessibleName()
    QTest.keyClicks(widget, text)


def test_each_childs_own_notes_reach_only_their_copies(demo_window, qtbot):
    window = demo_window
    noah, lily = two_siblings_last_seen_yesterday(window)
    dialog = window.log_visit(noah)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    # One form for all: notes are about the whole visit, so no child has note boxes of their own.
    assert dialog.same_for_all.isChecked() and not dialog.entry_form(noah).family_note
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_L, ALT)  # a tab each, by first name: Lily's in front
    noah_form, lily_form = dialog.work.forms[noah], dialog.work.forms[lily]
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_H, ALT)
    type_into(lily_form.family_note, LILY_FAMILY)
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Y, ALT)
    type_into(lily_form.professional_note, LILY_PROFESSIONAL)
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_2, ALT)  # Noah's tab: his own boxes
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_H, ALT)
    type_into(noah_form.family_note, NOAH_FAMILY)
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Y, ALT)
    type_into(noah_form.professional_note, NOAH_PROFESSIONAL)
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_F, ALT)
    type_into(dialog.family_note, BOTH)
    with qtbot.waitSignal(dialog.saved):
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return, CTRL)

    visit = window.app.list_visits(noah)[0]
    about = {(n.pupil_id, n.visibility, n.text) for n in visit.notes}
    assert about == {
        (None, Visibility.FAMILY, BOTH),
        (noah, Visibility.FAMILY, NOAH_FAMILY),
        (noah, Visibility.PROFESSIONAL, NOAH_PROFESSIONAL),
        (lily, Visibility.FAMILY, LILY_FAMILY),
        (lily, Visibility.PROFESSIONAL, LILY_PROFESSIONAL),
    }
    pdf, _title = window.app.report_pdf("visit", visit.id)
    copies = pages(pdf)
    assert [copy_of(p) for p in copies] == ["parent", "service", "school"] * 2
    for page in copies[3:]:  # Lily's copies first: by first name
        assert "Noah Boswell" in page and BOTH in page and NOAH_FAMILY in page
        assert (NOAH_PROFESSIONAL in page) is (copy_of(page) != "parent")
        assert LILY_FAMILY not in page and LILY_PROFESSIONAL not in page
    for page in copies[:3]:
        assert "Lily Boswell" in page and BOTH in page and LILY_FAMILY in page
        assert (LILY_PROFESSIONAL in page) is (copy_of(page) != "parent")
        assert NOAH_FAMILY not in page and NOAH_PROFESSIONAL not in page


def test_back_to_one_form_for_all_asks_before_dropping_a_childs_notes(demo_window, monkeypatch):
    window = demo_window
    noah, lily = two_siblings_last_seen_yesterday(window)
    dialog = window.log_visit(noah)
    dialog.same_for_all.setChecked(False)
    dialog.work.forms[lily].family_note.setPlainText(LILY_FAMILY)
    asked = []

    def answer(button):
        def question(_parent, _title, text, *args, **kwargs):
            asked.append(text)
            return button

        return question

    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.No))
    dialog.same_for_all.setChecked(True)
    assert not dialog.same_for_all.isChecked()  # refused: her note is still there
    assert asked == ["Lily's own notes are dropped: in one form for all, notes are about the whole visit."]
    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.Yes))
    dialog.same_for_all.setChecked(True)
    assert dialog.same_for_all.isChecked()
    assert dialog.visit().notes == []  # nothing about one child is saved from one form for all
    dialog.same_for_all.setChecked(False)
    assert dialog.work.forms[lily].notes() == ("", "")  # not brought back from behind the switch
    dialog.reject()


def test_a_child_not_seen_shows_none_of_the_work_that_is_not_kept(demo_window):
    window = demo_window
    noah, lily = two_siblings_last_seen_yesterday(window)
    dialog = window.log_visit(noah)
    dialog.show()
    dialog.work_covered.setPlainText("Counting to 20")
    dialog.levels.setText("Counts on from 8")
    dialog.same_for_all.setChecked(False)  # each starts from what was typed for all
    dialog.pupils.setCurrentRow(1)  # Lily
    dialog.seen.setCurrentIndex(dialog.seen.findData(NotSeenReason.ASLEEP.value))
    lily_form = dialog.work.forms[lily]
    dialog.child_tabs.setCurrentWidget(lily_form)
    shown = " ".join(visible_texts(dialog))
    assert "Counting to 20" not in shown and "Counts on from 8" not in shown  # not greyed out: not there
    assert lily_form.not_taught.isVisible() and "Not seen: asleep" in lily_form.not_taught.text()
    assert lily_form.work_set.isVisible() and lily_form.family_note.isVisible()  # what is kept stays
    entry = dialog.visit().entry_for(lily)
    assert (entry.work_covered, entry.levels_and_needs) == ("", "")
    # Marked seen again (a slip): her work is back as it was.
    dialog.seen.setCurrentIndex(0)
    assert lily_form.work_covered.isVisible() and lily_form.work_covered.toPlainText() == "Counting to 20"
    dialog.reject()


def test_a_childs_own_notes_survive_the_idle_lock(demo_window):
    window = demo_window
    noah, lily = two_siblings_last_seen_yesterday(window)
    dialog = window.log_visit(noah)
    dialog.same_for_all.setChecked(False)
    dialog.work.forms[lily].set_notes(LILY_FAMILY, LILY_PROFESSIONAL)
    window.idle.idle.emit()
    assert window.is_locked

    unlock(window, PASSPHRASE)
    [again] = [d for d in window.findChildren(VisitDialog) if shiboken6.isValid(d) and d.isVisible()]
    assert again.work.forms[lily].notes() == (LILY_FAMILY, LILY_PROFESSIONAL)
    assert again.work.forms[noah].notes() == ("", "")
    again.reject()
