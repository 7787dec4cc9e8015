"""The NC year set by hand, in Add a pupil and Edit details: a spin box "Year group
taught in", "By age" unless changed, the year by age beside it; kept as an offset
from the year by age, so the pupil moves up with their class."""

from __future__ import annotations

from datetime import date

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from desktop.domain.records import Pupil
from desktop.ui.pupil_details import EditPupilDialog
from desktop.ui.widgets import to_qdate

from .test_pupil_view import plain
from .test_statutory_ui import runner, tyler, view  # noqa: F401  (fixtures)

ALT = Qt.KeyboardModifier.AltModifier


def pupil_named(window, name: str) -> Pupil:
    row = next(r for r in window.workspace.model.rows() if r.name == name)
    return window.app.get_pupil(row.pupil_id)


def test_add_a_pupil_taught_a_year_behind_and_one_by_age(demo_window, qtbot):
    window = demo_window
    dialog = window.add_pupil()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    assert dialog.year_group.spin.text() == "By age"
    assert dialog.year_group.by_age.text() == "by age: from the date of birth"
    dialog.forename.setText("Rosie")
    dialog.surname.setText("Smith")
    dialog.dob.setFocus()
    QTest.keyClicks(dialog.dob, "02/03/2016")  # Year 6 on 22 Nov 2026
    assert dialog.year_group.by_age.text() == "Year 6 by age"
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Y, ALT)  # Alt+Y: the year group
    assert dialog.year_group.spin.hasFocus()
    QTest.keyClick(dialog.year_group.spin, Qt.Key.Key_Down)  # from "By age", one year below it
    assert dialog.year_group.spin.text() == "Year 5"
    with qtbot.waitSignal(dialog.saved):
        dialog.save()
    rosie = pupil_named(window, "Rosie Smith")
    assert rosie.nc_year_offset == -1 and window.app.nc_year(rosie) == 5

    dialog = window.add_pupil()
    dialog.forename.setText("Jack")
    dialog.surname.setText("Smith")
    dialog.dob.setText("10/10/2018")
    with qtbot.waitSignal(dialog.saved):
        dialog.save()
    jack = pupil_named(window, "Jack Smith")
    assert jack.nc_year_offset is None and window.app.nc_year(jack) == 3  # by age, untouched


def test_edit_details_shows_the_year_taught_in_beside_the_year_by_age(app, view, tyler, qtbot):  # noqa: F811
    app.edit_pupil(tyler.id, nc_year=8)  # Year 9 by age, taught in Year 8
    view.show_pupil(tyler.id)
    dialog = view.edit_details()
    qtbot.addWidget(dialog)
    assert dialog.year_group.spin.text() == "Year 8"
    assert dialog.year_group.by_age.text() == "Year 9 by age"
    dialog.year_group.spin.setValue(10)
    with qtbot.waitSignal(dialog.saved):
        dialog.submit()
    assert app.get_pupil(tyler.id).nc_year_offset == 1
    assert "Year 10 (Year 9 by age)" in plain(view.profile)

    dialog = view.edit_details()
    qtbot.addWidget(dialog)
    dialog.year_group.spin.setValue(dialog.year_group.spin.minimum())  # back to "By age"
    assert dialog.year_group.spin.text() == "By age"
    with qtbot.waitSignal(dialog.saved):
        dialog.submit()
    assert app.get_pupil(tyler.id).nc_year_offset is None
    assert "Year 9 (Year 9 by age)" not in plain(view.profile)

    # A new date of birth moves the year by age beside it; the year chosen stays the one chosen.
    dialog = view.edit_details()
    qtbot.addWidget(dialog)
    dialog.dob.setDate(to_qdate(date(2014, 5, 1)))
    assert dialog.year_group.by_age.text() == "Year 8 by age"
    dialog.year_group.spin.setValue(7)
    with qtbot.waitSignal(dialog.saved):
        dialog.submit()
    saved = app.get_pupil(tyler.id)
    assert (saved.dob, saved.nc_year_offset, app.nc_year(saved)) == (date(2014, 5, 1), -1, 7)
    assert shiboken6.isValid(view) and isinstance(dialog, EditPupilDialog)


def test_a_year_too_far_from_the_year_by_age_is_refused_in_the_form(app, view, tyler, qtbot):  # noqa: F811
    view.show_pupil(tyler.id)
    dialog = view.edit_details()
    qtbot.addWidget(dialog)
    dialog.year_group.spin.setValue(2)  # Year 9 by age
    dialog.submit()
    assert dialog.isVisible()
    assert dialog.banner.text() == "A pupil is taught at most three years above or below their year by age."
    assert app.get_pupil(tyler.id).nc_year_offset is None
