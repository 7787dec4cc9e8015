"""Log a visit with the keyboard alone, counting what the user does.

The target (issue 4): a typical visit in no more than 8 interactions, where an
interaction is one shortcut or key, or one field typed into."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from desktop.domain.enums import Visibility
from desktop.ui.visit_dialog import VisitDialog
from tests.conftest import TODAY
from tests.desktop.shell_helpers import Keyboard

CTRL = Qt.KeyboardModifier.ControlModifier
ALT = Qt.KeyboardModifier.AltModifier


def closed(dialog) -> bool:
    return not shiboken6.isValid(dialog) or not dialog.isVisible()


def pupil_named(window, name: str) -> str:
    return next(r.pupil_id for r in window.workspace.model.rows() if r.name == name)


def test_a_typical_visit_for_the_selected_pupil_takes_8_interactions(demo_window):
    window, workspace = demo_window, demo_window.workspace
    sean = pupil_named(window, "Seán Ó Súilleabháin")
    workspace.select_pupil(sean)
    workspace.table.setFocus()
    siblings = set(window.app.visit_defaults(sean).pupil_ids)
    assert len(siblings) > 1, "the demo family should be seen together"
    last_work_set = window.app.last_work_set(sean)
    before = len(window.app.list_visits(sean))

    keys = Keyboard()
    keys.press(Qt.Key.Key_N, CTRL)  # 1 Log a visit
    dialog = workspace._visit_dialog
    assert isinstance(dialog, VisitDialog) and dialog.work_covered.hasFocus()
    keys.type("Phonics phase 3: ai, ee, igh")  # 2 what was covered
    keys.press(Qt.Key.Key_S, ALT)  # 3 same work set as last time
    keys.press(Qt.Key.Key_F, ALT)  # 4 to the family's note
    keys.type("Lovely reading today.")  # 5
    keys.press(Qt.Key.Key_O, ALT)  # 6 to the professionals' note
    keys.type("Dad says they move on after the fair.")  # 7
    keys.press(Qt.Key.Key_Return, CTRL)  # 8 save

    assert closed(dialog), keys.log
    assert keys.interactions <= 8, keys.log
    visits = window.app.list_visits(sean)
    assert len(visits) == before + 1
    visit = visits[0]
    assert visit.date == TODAY
    assert set(visit.pupil_ids) == siblings  # the siblings, together, without a key press
    assert visit.work_covered == "Phonics phase 3: ai, ee, igh"
    assert visit.work_set == last_work_set
    assert [n.text for n in visit.notes_for(Visibility.FAMILY)] == ["Lovely reading today."]
    assert [n.text for n in visit.notes_for(Visibility.PROFESSIONAL)] == ["Dad says they move on after the fair."]
    print(f"\nkeyboard-only visit: {keys.interactions} interactions, {keys.keys} key presses: {keys.log}")


def test_from_anywhere_with_no_pupil_chosen_still_takes_8(demo_window):
    """Ctrl+N with nothing selected: find the child by name in the dialog itself."""
    window, workspace = demo_window, demo_window.workspace
    workspace.table.clearSelection()
    workspace.table.setCurrentIndex(workspace.proxy.index(-1, -1))
    workspace.search.setFocus()
    esme = pupil_named(window, "Esme Lee")

    keys = Keyboard()
    keys.press(Qt.Key.Key_N, CTRL)  # 1
    dialog = workspace._visit_dialog
    assert dialog.add_pupil.hasFocus()
    keys.type("Esme L")  # 2
    keys.press(Qt.Key.Key_Return)  # 3 choose her: her defaults load
    assert esme in dialog.pupil_ids()
    assert dialog.work_covered.hasFocus()
    keys.type("Times tables: 3, 4 and 8")  # 4
    keys.press(Qt.Key.Key_F, ALT)  # 5
    keys.type("Well done, Esme!")  # 6
    keys.press(Qt.Key.Key_Return, CTRL)  # 7

    assert closed(dialog), keys.log
    assert keys.interactions <= 8, keys.log
    visit = window.app.list_visits(esme)[0]
    assert visit.work_covered == "Times tables: 3, 4 and 8"
    assert esme in visit.pupil_ids


def test_subjects_complete_as_you_type(demo_window, qtbot):
    dialog = demo_window.log_visit()
    dialog.subjects.setFocus()
    dialog.subjects.clear()
    qtbot.keyClicks(dialog.subjects, "Eng")
    qtbot.keyClick(dialog.subjects, Qt.Key.Key_Return)
    qtbot.keyClicks(dialog.subjects, "Mat")
    qtbot.keyClick(dialog.subjects, Qt.Key.Key_Return)
    assert dialog.visit().subjects == ["English", "Maths"]
    dialog.reject()


def test_tab_order_runs_down_the_form(demo_window, qtbot):
    dialog = demo_window.log_visit()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    dialog.date.setFocus()
    order = []
    for _ in range(22):
        widget = QApplication.focusWidget()
        while widget is not None and not widget.accessibleName():
            widget = widget.parentWidget()  # the line edit inside a date edit, and so on
        order.append(widget.accessibleName())
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert order[:6] == ["Date of visit", "Start time", "End time", "Place", "Site", "Outcome"]
    assert order.index("Pupils seen") < order.index("Subjects") < order.index("Work covered")
    assert order.index("Work covered") < order.index("Work set") < order.index("Same work set as last time")
    family = order.index("Note for the family: the family will see this")
    assert order.index("Levels, learning gaps and needs") < family < order.index("Save visit")
    dialog.reject()


def test_a_visit_needs_a_pupil_and_says_so(demo_window):
    dialog = demo_window.log_visit()
    for i in range(dialog.pupils.count()):
        dialog.pupils.item(i).setCheckState(Qt.CheckState.Unchecked)
    dialog.save()
    assert dialog.isVisible()
    assert "Tick at least one pupil" in dialog.error.text()
    dialog.reject()


def test_service_errors_show_in_the_dialog_not_as_a_traceback(demo_window):
    dialog = demo_window.log_visit()
    dialog.end.setTime(dialog.start.time().addSecs(-3600))
    dialog.save()
    assert dialog.isVisible()
    assert dialog.error.text() == "A visit must end after it starts."
    dialog.reject()
