"""Appointments: booking a slot shows it in the day view; by site; cancel; lock clears."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from datetime import date, datetime, time, timedelta

import pytest
from PySide6.QtCore import Qt

from desktop.domain.enums import SiteType, TravellerGroup
from desktop.domain.records import Appointment, Pupil, Site, Stay
from desktop.tasks import ImmediateTaskRunner
from desktop.ui.appointments import ID_ROLE, AppointmentsView, BookAppointmentDialog, fmt_length
from desktop.ui.widgets import to_qdate

TODAY = date(2026, 11, 22)  # a Sunday, as in tests/conftest.py


@pytest.fixture
def family(app):
    """Two Lee siblings on a transit site, and one child at home."""
    site = Site(name="Walton Summit transit site", site_type=SiteType.TRANSIT_SITE)
    app.add_site(site)
    kids = []
    for forename, dob in (("Levi", date(2014, 3, 1)), ("Esme", date(2016, 6, 1))):
        pupil = Pupil(forename=forename, surname="Lee", dob=dob, traveller_group=TravellerGroup.GYPSY_ROMA)
        app.add_pupil(pupil)
        app.record_stay(Stay(pupil_id=pupil.id, site_id=site.id, arrived=TODAY - timedelta(weeks=3)))
        kids.append(pupil)
    other = Pupil(forename="Kai", surname="Ahmed", dob=date(2013, 1, 5))
    app.add_pupil(other)
    return site, kids, other


@pytest.fixture
def runner(qtbot):
    return ImmediateTaskRunner()


def rows(view: AppointmentsView) -> list[list[str]]:
    tree = view.tree
    return [
        [tree.topLevelItem(i).text(c).strip() for c in range(tree.columnCount())]
        for i in range(tree.topLevelItemCount())
    ]


def test_booking_from_the_pupil_books_the_siblings_and_shows_in_the_day_view(app, runner, family, qtbot):
    site, (levi, esme), _ = family
    view = AppointmentsView(app, runner)
    qtbot.addWidget(view)
    view.refresh()
    assert "Nothing booked" in view.empty.text()

    dialog = BookAppointmentDialog(app, runner, view, pupil_id=levi.id)
    qtbot.addWidget(dialog)
    # Pre-filled: the next working day, the pupil's site, and his sister staying there too.
    assert dialog.date.date() == to_qdate(date(2026, 11, 23))
    assert dialog.site.currentData() == site.id
    assert set(dialog.checked_pupils()) == {levi.id, esme.id}
    assert "Esme Lee" in dialog.chosen.text()
    # Kai is not at the site: hidden while "only pupils at this site" is on.
    hidden = {dialog.pupils.item(r).text(): dialog.pupils.item(r).isHidden() for r in range(dialog.pupils.count())}
    assert hidden == {"Kai Ahmed": True, "Esme Lee": False, "Levi Lee": False}

    dialog.time.setTime(dialog.time.time().fromString("13:30", "HH:mm"))
    dialog.minutes.setValue(90)
    dialog.notes.setText("Weekly teaching visit")
    with qtbot.waitSignal(dialog.booked):
        qtbot.mouseClick(dialog.book_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == dialog.DialogCode.Accepted

    booked = app.list_appointments(TODAY)
    assert len(booked) == 1
    assert booked[0].starts_at == datetime(2026, 11, 23, 13, 30)
    # The view refreshed itself from did_change.
    assert rows(view) == [
        ["Monday 23 Nov 2026  (1)", "", "", "", ""],
        ["13:30–15:00", "1 h 30 min", "Esme Lee, Levi Lee", "Walton Summit transit site", "Weekly teaching visit"],
    ]
    assert not view.empty.isVisibleTo(view)


def test_booking_without_a_pupil_is_refused_in_words(app, runner, family, qtbot):
    dialog = BookAppointmentDialog(app, runner)
    qtbot.addWidget(dialog)
    dialog.submit()
    assert dialog.banner.text() == "Choose at least one pupil to see."
    assert app.list_appointments(TODAY) == []


def test_a_failure_shows_as_a_sentence_and_the_dialog_stays(app, runner, family, qtbot, monkeypatch):
    _, (levi, _), _ = family
    dialog = BookAppointmentDialog(app, runner, pupil_id=levi.id)
    qtbot.addWidget(dialog)
    dialog.minutes.setMinimum(1)
    dialog.minutes.setValue(2)  # the service refuses slots under 5 minutes
    dialog.submit()
    assert dialog.banner.text() == "An appointment lasts between 5 minutes and 8 hours."
    assert dialog.book_button.isEnabled()

    def broken(_appointment):
        raise OSError("disk gone")

    monkeypatch.setattr(app, "book_appointment", broken)
    dialog.minutes.setValue(60)
    dialog.submit()
    assert dialog.banner.text().startswith("Something went wrong (OSError)")
    assert dialog.result() != dialog.DialogCode.Accepted


def test_group_by_site_and_filter_by_site(app, runner, family, qtbot):
    site, (levi, esme), kai = family
    app.book_appointment(Appointment(pupil_ids=[kai.id], starts_at=datetime(2026, 11, 24, 9, 0), minutes=60))
    app.book_appointment(
        Appointment(pupil_ids=[levi.id, esme.id], site_id=site.id, starts_at=datetime(2026, 11, 25, 10, 0), minutes=90)
    )
    view = AppointmentsView(app, runner)
    qtbot.addWidget(view)
    view.refresh()
    assert [r[0] for r in rows(view)] == [
        "Tuesday 24 Nov 2026  (1)",
        "09:00–10:00",
        "Wednesday 25 Nov 2026  (1)",
        "10:00–11:30",
    ]
    view.by_site.click()
    assert [r[0] for r in rows(view)] == [
        "No site (home, ward or elsewhere)  (1)",
        "Tue 24 Nov 2026, 09:00–10:00",
        "Walton Summit transit site  (1)",
        "Wed 25 Nov 2026, 10:00–11:30",
    ]
    view.site.setCurrentIndex(view.site.findData(site.id))
    assert [r[2] for r in rows(view)] == ["", "Levi Lee, Esme Lee"]


def test_cancel_removes_the_slot(app, runner, family, qtbot):
    _, (levi, _), _ = family
    app.book_appointment(Appointment(pupil_ids=[levi.id], starts_at=datetime(2026, 11, 24, 9, 0)))
    view = AppointmentsView(app, runner)
    qtbot.addWidget(view)
    view.refresh()
    assert not view.cancel_button.isEnabled()
    view.tree.setCurrentItem(view.tree.topLevelItem(1))
    assert view.cancel_button.isEnabled()
    view.cancel_appointment(view.selected_id())
    assert app.list_appointments(TODAY) == []
    assert view.tree.topLevelItemCount() == 0
    assert "Nothing booked" in view.empty.text()


def test_one_pupils_list_and_clear_on_lock(app, runner, family, qtbot):
    _, (levi, esme), kai = family
    app.book_appointment(Appointment(pupil_ids=[kai.id], starts_at=datetime(2026, 11, 24, 9, 0)))
    app.book_appointment(Appointment(pupil_ids=[levi.id], starts_at=datetime(2026, 12, 20, 9, 0)))
    view = AppointmentsView(app, runner, compact=True)
    qtbot.addWidget(view)
    view.set_pupil(levi.id)
    assert [r[2] for r in rows(view) if r[1]] == ["Levi Lee"]  # four weeks ahead, Kai's slot not shown

    view.clear()
    assert view.tree.topLevelItemCount() == 0
    assert view.site.count() == 1
    # After the lock a change elsewhere does not reload anything.
    app_changes = app.book_appointment(Appointment(pupil_ids=[esme.id], starts_at=datetime(2026, 11, 25, 9, 0)))
    runner.did_change.emit(app_changes)
    assert view.tree.topLevelItemCount() == 0


def test_double_click_asks_for_the_pupil(app, runner, family, qtbot):
    _, (levi, _), _ = family
    app.book_appointment(Appointment(pupil_ids=[levi.id], starts_at=datetime(2026, 11, 24, 9, 0)))
    view = AppointmentsView(app, runner)
    qtbot.addWidget(view)
    view.refresh()
    item = view.tree.topLevelItem(1)
    assert item.data(0, ID_ROLE)
    with qtbot.waitSignal(view.pupil_requested) as signal:
        view.tree.itemActivated.emit(item, 0)
    assert signal.args == [levi.id]


def test_controls_have_accessible_names(app, runner, family, qtbot):
    from PySide6.QtWidgets import QAbstractButton, QComboBox, QLineEdit, QListWidget, QTreeWidget

    view = AppointmentsView(app, runner)
    dialog = BookAppointmentDialog(app, runner)
    for widget in (view, dialog):
        qtbot.addWidget(widget)
        for kind in (QAbstractButton, QComboBox, QLineEdit, QListWidget, QTreeWidget):
            for control in widget.findChildren(kind):
                if control.isVisibleTo(widget) or control.parent() is widget:
                    assert control.accessibleName() or control.text(), control


def test_fmt_length():
    assert [fmt_length(m) for m in (30, 60, 90, 120)] == ["30 min", "1 h", "1 h 30 min", "2 h"]
    assert time(10, 0)  # keep the import honest
